"""Token authentication: django-rest-knox plus the device's last use, written at most once a
minute together with knox's sliding expiry."""

from datetime import timedelta

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.settings import knox_settings

from accounts.tokens.models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    def renew_token(self, auth_token) -> None:
        # Deferred to validate_user, which writes expiry and last use in one UPDATE.
        auth_token._renew = True

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        interval = timedelta(seconds=knox_settings.MIN_REFRESH_INTERVAL)
        changes = {}
        if getattr(token, "_renew", False) and token.expiry is not None:
            new_expiry = now + knox_settings.TOKEN_TTL
            if knox_settings.AUTO_REFRESH_MAX_TTL is not None:
                new_expiry = min(new_expiry, token.created + knox_settings.AUTO_REFRESH_MAX_TTL)
            if new_expiry - token.expiry > interval:
                changes["expiry"] = new_expiry
        if token.last_used_at is None or now - token.last_used_at > interval:
            changes["last_used_at"] = now
        if changes:
            ApiToken.objects.filter(pk=token.pk).update(**changes)
            for field, value in changes.items():
                setattr(token, field, value)
        return user, token
