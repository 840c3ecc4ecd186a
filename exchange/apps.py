from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("Needs and deals")

    def ready(self) -> None:
        from accounts.workspace import register_workspace_todos
        from exchange.selectors import exchange_workspace_todos

        register_workspace_todos(exchange_workspace_todos)
