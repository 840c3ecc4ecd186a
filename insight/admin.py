from django.contrib import admin

from insight.models import DealImpact, ImpactDefaults, StatisticsRun


@admin.register(ImpactDefaults)
class ImpactDefaultsAdmin(admin.ModelAdmin):
    list_display = ("pk", "deployments", "years", "updated_at")

    def has_add_permission(self, request):
        return not ImpactDefaults.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DealImpact)
class DealImpactAdmin(admin.ModelAdmin):
    list_display = ("deal", "deployments", "years", "baseline_tonnes", "technology_tonnes")
    raw_id_fields = ("deal",)
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StatisticsRun)
class StatisticsRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "trigger", "status", "started_at", "finished_at", "duration_ms")
    readonly_fields = [field.name for field in StatisticsRun._meta.fields]
