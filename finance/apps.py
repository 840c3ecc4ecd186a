from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Financing desk")

    def ready(self):
        from accounts.workspace import register_workspace_section
        from finance.workspace import money_requests_workspace_section

        register_workspace_section(money_requests_workspace_section)

        from accounts.workspace import register_workspace_figures, register_workspace_todos
        from finance.selectors import finance_workspace_figures, finance_workspace_todos

        register_workspace_todos(finance_workspace_todos)
        register_workspace_figures(finance_workspace_figures)

        # Exchange announces completed deals; the financing desk splits a university's or
        # institute's income by its reward policy (after the commit, idempotent).
        from core.events import subscribe
        from exchange.events import DEAL_COMPLETED
        from finance.services.rewards import reward_split_for_completed_deal

        subscribe(DEAL_COMPLETED, reward_split_for_completed_deal)

        from finance.reward_selectors import reward_workspace_todos

        register_workspace_todos(reward_workspace_todos)
