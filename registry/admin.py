from django.contrib import admin

from registry.models import ContractRecord, ContractRecordEvent


class ContractRecordEventInline(admin.TabularInline):
    model = ContractRecordEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "actor_role", "action", "from_status", "to_status"]
    fields = [*readonly_fields, "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ContractRecord)
class ContractRecordAdmin(admin.ModelAdmin):
    """Read-only: records change through the seller's form and the reviewers' steps."""

    list_display = ["deal", "contract_type", "status", "registration_number", "completed_on"]
    list_filter = ["status", "contract_type"]
    search_fields = ["registration_number", "seller_name", "buyer_name"]
    inlines = [ContractRecordEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
