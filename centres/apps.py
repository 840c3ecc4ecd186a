from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = _("Technology transfer network")

    def ready(self):
        from accounts.workspace import register_workspace_section, register_workspace_todos
        from centres.workspace import centre_workspace_section, centre_workspace_todos

        register_workspace_section(centre_workspace_section)
        register_workspace_todos(centre_workspace_todos)
