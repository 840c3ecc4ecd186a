from django.contrib import admin

from currencies.models import ExchangeRate
from currencies.selectors import forget_cached_rates


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates are corrected here by administrators; who changed a row last is recorded. Whole
    lists are loaded with `manage.py load_exchange_rates FILE.csv`."""

    list_display = ("date", "currency", "rate", "source", "updated_by", "updated_at")
    list_filter = ("currency", "source")
    date_hierarchy = "date"
    search_fields = ("currency", "source")
    fields = ("date", "currency", "rate", "source", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        forget_cached_rates()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_cached_rates()
