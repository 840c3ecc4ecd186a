from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Pilot bases and shared facilities")

    def ready(self):
        from accounts.workspace import register_workspace_todos
        from facilities.selectors import facility_workspace_todos, need_facility_suggestions
        from matching.extensions import register_need_suggestions

        register_workspace_todos(facility_workspace_todos)
        # matching sits below facilities: it calls this provider without importing us.
        register_need_suggestions(need_facility_suggestions)
