"""Reads for API tokens."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.tokens.models import ApiToken


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens that still work, newest first."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )
