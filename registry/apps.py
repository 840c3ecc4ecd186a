from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Technology contract records")

    def ready(self) -> None:
        # Exchange announces completed deals; the registry opens a draft contract record for
        # each (after the commit, idempotent: one record per deal).
        from core.events import subscribe
        from exchange.deal_panels import register_deal_panel
        from exchange.events import DEAL_COMPLETED
        from registry.services import record_create_for_completed_deal
        from registry.views import contract_record_deal_panel

        subscribe(DEAL_COMPLETED, record_create_for_completed_deal)
        register_deal_panel(contract_record_deal_panel)
