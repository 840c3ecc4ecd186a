from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Open licensing")

    def ready(self):
        from accounts.workspace import register_workspace_section
        from licensing.workspace import licensing_workspace_section

        register_workspace_section(licensing_workspace_section)
