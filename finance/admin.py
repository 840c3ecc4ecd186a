from django.contrib import admin

from finance.models import CreditAssessment


@admin.register(CreditAssessment)
class CreditAssessmentAdmin(admin.ModelAdmin):
    """Reviewers record an organisation's credit grade and size here (used by eligibility)."""

    list_display = ["organization", "grade", "employee_count", "annual_revenue", "assessed_at"]
    search_fields = ["organization__name_zh", "organization__name_en"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["organization", "assessed_by"]
