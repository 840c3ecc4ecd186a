from django.contrib import admin

from accounts.tokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff see and revoke (delete) tokens; keys are never stored, so never shown."""

    list_display = ["user", "user__email", "name", "created", "expiry", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "name"]
    date_hierarchy = "created"
    fields = ["user", "name", "created", "expiry", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
