"""Token authentication: django-rest-knox, refusing a token issued under another password, plus
the device's last use, written at most once a minute together with knox's sliding expiry."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from knox.signals import token_expired
from rest_framework import authentication, exceptions

from accounts.tokens.models import ApiToken
from core.timezones import activate_for


class ApiTokenAuthentication(TokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        # This token only: knox also loads every other token of the user on each request. The
        # others' expiry is enforced when they are used, and purge_expired_api_tokens deletes
        # them nightly.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            token_expired.send(
                sender=self.__class__, username=auth_token.user.get_username(), source="auth_token"
            )
            return True
        return False

    def renew_token(self, auth_token) -> None:
        # Deferred to validate_user, which writes expiry and last use in one UPDATE.
        auth_token._renew = True

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if not token.issued_under_current_password():
            token.delete()
            raise exceptions.AuthenticationFailed(_("Invalid token."))
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
        # The middleware saw an anonymous request: the rest of it runs in the user's zone.
        activate_for(user)
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, first in the list: anonymous calls stay 403, but a call that
    sent a token which is refused (revoked, expired, unknown) is told so with 401 and
    `WWW-Authenticate: Token`, so that a client knows to sign in again."""

    def authenticate_header(self, request):
        credentials = authentication.get_authorization_header(request).split()
        prefix = knox_settings.AUTH_HEADER_PREFIX.encode().lower()
        if credentials and credentials[0].lower() == prefix:
            return knox_settings.AUTH_HEADER_PREFIX
        return None
