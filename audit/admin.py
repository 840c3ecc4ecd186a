from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the application, never edited by hand."""

    list_display = (
        "occurred_at",
        "kind",
        "actor_email",
        "ip_address",
        "target_type",
        "target_id",
        "summary",
    )
    list_filter = ("kind", "target_type")
    search_fields = ("actor_email", "target_id", "summary")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
