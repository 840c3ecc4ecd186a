from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from licensing import selectors
from licensing.models import LicensingPolicy


@admin.register(LicensingPolicy)
class LicensingPolicyAdmin(admin.ModelAdmin):
    """The one settings row (the cap on posted fixed fees): the list opens it, it is never added
    twice nor deleted; who changed it is recorded."""

    fields = ("fixed_fee_cap", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = selectors.licensing_policy()
        return redirect(reverse("admin:licensing_licensingpolicy_change", args=[policy.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = LicensingPolicy.SINGLETON_PK
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
