from django import template

register = template.Library()


@register.filter
def get_item_useful(verdicts: dict, match_id: int) -> str:
    """'yes', 'no' or '' for the user's verdict on a match."""
    verdict = (verdicts or {}).get(match_id)
    return "" if verdict is None else ("yes" if verdict else "no")
