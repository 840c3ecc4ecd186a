from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

FINGERPRINT_SALT = "accounts.tokens.password"


def password_fingerprint(user, *, secret: str | None = None) -> str:
    """A keyed digest of the user's password hash: it changes whenever the password does."""
    return salted_hmac(
        FINGERPRINT_SALT, user.password, secret=secret, algorithm="sha256"
    ).hexdigest()


class ApiToken(AbstractAuthToken):
    """One client's (device's) API token. Only the key's digest and first characters are stored.

    The token also keeps a fingerprint of the password it was issued under, so that a password
    set by any path (the site, the admin, `changepassword`, a script) ends it, even where no
    signal revokes it."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(_("device"), max_length=200, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    password_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.pk}"

    def issued_under_current_password(self) -> bool:
        for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
            expected = password_fingerprint(self.user, secret=secret)
            if constant_time_compare(self.password_fingerprint, expected):
                return True
        return False
