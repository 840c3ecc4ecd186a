# Chinese pages group digits by thousands with a comma, as Chinese banks, exchanges and the
# statistics bureau print money ("CNY 850,000"). Django's zh_Hans formats leave the separator
# empty, so grouped numbers (intcomma, force_grouping) came out as "850000". Every other format
# falls back to Django's zh_Hans module.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
