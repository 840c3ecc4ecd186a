from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from catalog import selectors, services
from catalog.models import CatalogPolicy


@admin.register(CatalogPolicy)
class CatalogPolicyAdmin(admin.ModelAdmin):
    """The one settings row: the list opens it, it is never added twice nor deleted; a change is
    saved by the service (who changed it, when)."""

    fields = ("minimum_completeness", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = selectors.catalog_policy()
        return redirect(reverse("admin:catalog_catalogpolicy_change", args=[policy.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.catalog_policy_update(
            user=request.user, minimum_completeness=obj.minimum_completeness
        )
        obj.pk, obj.updated_by, obj.updated_at = saved.pk, saved.updated_by, saved.updated_at
