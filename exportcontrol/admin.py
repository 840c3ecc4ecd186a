from django.contrib import admin

from exportcontrol.models import (
    ClassificationEvent,
    ControlEntry,
    ControlEntryChange,
    TechnologyClassification,
)
from exportcontrol.services import control_entry_delete, control_entry_save


class ControlEntryChangeInline(admin.TabularInline):
    model = ControlEntryChange
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "source", "actor", "changes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ControlEntry)
class ControlEntryAdmin(admin.ModelAdmin):
    """Administrators keep the catalogue; every save goes through the service's history."""

    list_display = ("code", "name_zh", "name_en", "catalogue", "level", "revision", "is_active")
    list_filter = ("catalogue", "level", "is_active", "revision")
    search_fields = ("code", "name_zh", "name_en", "control_points")
    readonly_fields = ("level", "updated_at")
    inlines = [ControlEntryChangeInline]

    def save_model(self, request, obj, form, change):
        control_entry_save(entry=obj, user=request.user)

    def delete_model(self, request, obj):
        control_entry_delete(entry=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            control_entry_delete(entry=entry, user=request.user)


@admin.register(ControlEntryChange)
class ControlEntryChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "entry_code", "action", "source", "actor")
    list_filter = ("action", "source")
    search_fields = ("entry_code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClassificationEventInline(admin.TabularInline):
    model = ClassificationEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "action", "from_status", "to_status", "entry_code", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TechnologyClassification)
class TechnologyClassificationAdmin(admin.ModelAdmin):
    """Read-only here: classifications change through the holder's and reviewers' steps."""

    list_display = ("technology", "status", "declared_entry", "entry", "reviewed_at")
    list_filter = ("status",)
    inlines = [ClassificationEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
