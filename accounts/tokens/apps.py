from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    """Per-device API tokens (django-rest-knox with the device's name and last use)."""

    name = "accounts.tokens"
    label = "api_tokens"
    verbose_name = _("API tokens")

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset, password_set

        from accounts.tokens import schema  # noqa: F401  (registers the OpenAPI schemes)
        from accounts.tokens.receivers import revoke_tokens_on_password_change

        for name, signal in [
            ("password_changed", password_changed),
            ("password_set", password_set),
            ("password_reset", password_reset),
        ]:
            signal.connect(revoke_tokens_on_password_change, dispatch_uid=f"api-tokens-{name}")
