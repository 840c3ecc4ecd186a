from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportControlConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exportcontrol"
    verbose_name = _("Technology export control")
