from notifications.models import Notification


def notifications_for(*, user):
    """The user's own notifications, newest first; none for an anonymous user."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.unread().filter(recipient=user).count()
