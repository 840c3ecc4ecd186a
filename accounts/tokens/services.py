"""Writes for API tokens: issue one per device, revoke one, revoke all of a user's."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.tokens.models import ApiToken, password_fingerprint

DEVICE_NAME_LENGTH = ApiToken._meta.get_field("name").max_length


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for one device; returns the row and the key, which is shown only once."""
    return ApiToken.objects.create(
        user=user,
        name=" ".join(name.split())[:DEVICE_NAME_LENGTH],
        password_fingerprint=password_fingerprint(user),
    )


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Delete one of the user's own tokens; False if the user has no token with that id."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Sign the user out of the API on every device (logout-all, password change or reset)."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_tokens_purge_expired(*, batch_size: int = 5000) -> int:
    """Delete expired tokens in bounded batches (authentication skips them already)."""
    purged = 0
    while True:
        batch = list(
            ApiToken.objects.filter(expiry__lt=timezone.now()).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not batch:
            return purged
        purged += ApiToken.objects.filter(pk__in=batch).delete()[0]
