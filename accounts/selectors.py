from django.db.models import Q, QuerySet

from accounts.choices import VerificationStatus
from accounts.models import Organization, User


def organizations_of_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.of_user(user).order_by("pk")


def organizations_visible_to(*, user: User) -> QuerySet[Organization]:
    """Verified organisations are public; the others only to their members and reviewers."""
    if user.is_authenticated and user.is_reviewer:
        return Organization.objects.all()
    verified = Q(verification_status=VerificationStatus.VERIFIED)
    if user.is_authenticated:
        member_of = Organization.objects.of_user(user).values("pk")
        return Organization.objects.filter(verified | Q(pk__in=member_of))
    return Organization.objects.filter(verified)


def organizations_awaiting_verification() -> QuerySet[Organization]:
    return Organization.objects.filter(verification_status=VerificationStatus.PENDING).order_by(
        "updated_at"
    )
