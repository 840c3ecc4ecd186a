from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (records rights and membership changes)
        from accounts.selectors import reviewer_account_todos
        from accounts.workspace import register_workspace_todos

        register_workspace_todos(reviewer_account_todos)
