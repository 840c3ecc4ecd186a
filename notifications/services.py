"""Notifications: an in-app row per recipient, email through Celery after the commit."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.dispatch import delay_on_commit
from core.timezones import zone_of
from notifications.messages import Bilingual, Message, encode, render
from notifications.models import Notification

# Registered by notifications.tasks, which imports this module (so it is named, not imported).
DELIVER_EMAIL_TASK = "notifications.tasks.deliver_notification_email"


@transaction.atomic
def notify_users(
    *,
    users: Iterable,
    title: Message,
    body: Message | Bilingual | str | list | datetime = "",
    url: str = "",
) -> list[Notification]:
    """Tell each user: the title is a translatable Message, the body a Message, content in both
    languages (Bilingual) or a person's own words (a reviewer's note, kept as written). Each
    reader sees them in their own language; the e-mail goes in the recipient's preferred one."""
    if not isinstance(title, Message):
        raise TypeError("A notification title is a notifications.messages.Message.")
    title_message, body_message = encode(title), encode(body)
    # The text in the sender's language, for the table's readers (admin, searches).
    title_text, body_text = render(title_message)[:300], render(body_message)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            title=title_text,
            body=body_text,
            title_message=title_message,
            body_message=body_message,
            url=url,
        )
        for user in users
    )
    delay_on_commit(
        DELIVER_EMAIL_TASK,
        [
            (notification.pk,)
            for notification in notifications
            if notification.recipient.notification_frequency == "immediate"
        ],
    )
    return notifications


# An immediate email still unsent this long after its notification lost its message; older
# than the horizon it is left alone (the news is stale).
LOST_EMAIL_AFTER = timedelta(minutes=15)
LOST_EMAIL_HORIZON = timedelta(days=2)


def pending_emails_redispatch(
    *, older_than: timedelta = LOST_EMAIL_AFTER, within: timedelta = LOST_EMAIL_HORIZON
) -> int:
    """Queue again the immediate emails still unsent long after their notification was created
    (the broker was down when they were queued). Sending claims the row, so a slow first
    delivery and this one send a single email."""
    now = timezone.now()
    notification_ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            recipient__notification_frequency="immediate",
            created_at__lt=now - older_than,
            created_at__gte=now - within,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:5000]
    )
    delay_on_commit(DELIVER_EMAIL_TASK, [(pk,) for pk in notification_ids])
    return len(notification_ids)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.unread().filter(recipient=user)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_send_email(*, notification_id: int) -> bool:
    """Email one notification once: claimed by compare-and-set, so a rerun sends nothing.

    The claim commits together with the send. A failed send, or a worker killed while sending,
    rolls it back and the retried or redelivered task sends the email; a concurrent delivery
    waits on the claimed row and then finds it emailed."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    with override(recipient.preferred_language), timezone.override(zone_of(recipient.time_zone)):
        send_mail(
            subject=_("[Green Technology Exchange] %(title)s")
            % {"title": notification.shown_title},
            message=f"{notification.shown_body}\n\n{absolute_url(notification.url)}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
    return True


def absolute_url(path: str) -> str:
    """A link that works from a mail client: the site's address before a path of this site."""
    if path.startswith("/") and not path.startswith("//"):
        return f"{settings.SITE_URL}{path}"
    return path


def digest_send(*, user) -> int:
    """Email one user a digest of the notifications not yet emailed; returns how many it covered."""
    pending = list(
        Notification.objects.filter(recipient=user, emailed_at__isnull=True).order_by("created_at")
    )
    if not pending:
        return 0
    claimed = Notification.objects.filter(
        pk__in=[notification.pk for notification in pending], emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    with override(user.preferred_language), timezone.override(zone_of(user.time_zone)):
        lines = [
            f"- {notification.shown_title} {absolute_url(notification.url)}".rstrip()
            for notification in pending
        ]
        send_mail(
            subject=_("[Green Technology Exchange] Your daily digest (%(count)d)")
            % {"count": len(pending)},
            message="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    return len(pending)
