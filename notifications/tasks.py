"""Celery tasks of notifications: load by id, call a service."""

from smtplib import SMTPException

from celery import shared_task
from django.contrib.auth import get_user_model

from notifications import services


@shared_task(
    name=services.DELIVER_EMAIL_TASK,
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def deliver_notification_email(notification_id: int) -> bool:
    return services.notification_send_email(notification_id=notification_id)


@shared_task
def send_daily_digests(batch_size: int = 500) -> int:
    users = (
        get_user_model()
        .objects.filter(notification_frequency="daily", notifications__emailed_at__isnull=True)
        .distinct()
    )
    covered = 0
    for user in users.iterator(chunk_size=batch_size):
        covered += services.digest_send(user=user)
    return covered


@shared_task
def redispatch_pending_emails() -> int:
    """Every few minutes: immediate emails whose message never reached the broker."""
    return services.pending_emails_redispatch()
