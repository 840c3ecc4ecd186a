from rest_framework import serializers

from currencies.models import ExchangeRate


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency_label = serializers.CharField(source="get_currency_display", read_only=True)
    rate = serializers.DecimalField(
        max_digits=20,
        decimal_places=10,
        read_only=True,
        help_text="Yuan (CNY) per one unit of the currency.",
    )
    inverse = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        help_text="Units of the currency one yuan buys.",
    )

    class Meta:
        model = ExchangeRate
        fields = ["id", "date", "currency", "currency_label", "rate", "inverse", "source"]
        read_only_fields = fields
