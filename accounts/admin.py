from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Membership,
    Organization,
    OrganizationEvent,
    RoleGrant,
    RoleGrantEvent,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "roles", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "full_name",
                    "phone",
                    "roles",
                    "preferred_language",
                    "notification_frequency",
                )
            },
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    # Roles change through the role-grant workflow (My roles, the review queue), so that each
    # privileged role has its organisation, evidence and decision on record.
    readonly_fields = ["roles"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "region", "verification_status"]
    list_filter = ["kind", "verification_status"]
    search_fields = ["name_zh", "name_en", "credit_code"]
    readonly_fields = ["verification_status", "verified_at", "verified_by"]
    inlines = [MembershipInline]


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(admin.ModelAdmin):
    list_display = ["organization", "action", "from_status", "to_status", "actor", "created_at"]
    readonly_fields = [f.name for f in OrganizationEvent._meta.fields]


class RoleGrantEventInline(admin.TabularInline):
    model = RoleGrantEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Read-only: grants are decided on the review queue, where the workflow is enforced."""

    list_display = ["user", "role", "organization", "status", "decided_by", "decided_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "organization__name_zh", "organization__name_en"]
    inlines = [RoleGrantEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
