from django.contrib import admin

from centres.models import Referral, ReferralEvent, TransferCentre


@admin.register(TransferCentre)
class TransferCentreAdmin(admin.ModelAdmin):
    list_display = ["organization", "countries", "languages", "updated_at"]
    search_fields = ["organization__name_zh", "organization__name_en"]
    raw_id_fields = ["organization"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "action",
        "actor",
        "actor_side",
        "from_status",
        "to_status",
        "note",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-only: referrals move through centres.services only."""

    list_display = ["pk", "from_centre", "to_centre", "technology", "need", "status", "created_at"]
    list_filter = ["status"]
    inlines = [ReferralEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
