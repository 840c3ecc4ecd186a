"""Wiring only: allauth's password signals call the token service."""

from accounts.tokens.services import api_tokens_revoke_all


def revoke_tokens_on_password_change(sender, request=None, user=None, **kwargs) -> None:
    if user is not None and user.pk:
        api_tokens_revoke_all(user=user)
