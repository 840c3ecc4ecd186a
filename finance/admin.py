from django.contrib import admin

from finance.models import CreditAssessment, MoneyRequest


@admin.register(CreditAssessment)
class CreditAssessmentAdmin(admin.ModelAdmin):
    """Reviewers record an organisation's credit grade and size here (used by eligibility)."""

    list_display = ["organization", "grade", "employee_count", "annual_revenue", "assessed_at"]
    search_fields = ["organization__name_zh", "organization__name_en"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["organization", "assessed_by"]


@admin.register(MoneyRequest)
class MoneyRequestAdmin(admin.ModelAdmin):
    """Two-key money requests, read-only: decisions are taken on the request pages and API,
    through the service, never by editing a row."""

    list_display = ["pk", "kind", "status", "amount", "currency", "programme", "requested_by",
                    "decided_by", "requested_at"]  # fmt: skip
    list_filter = ["kind", "status"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
