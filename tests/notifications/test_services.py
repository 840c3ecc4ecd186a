"""Notification emails go out once: a second delivery of the task sends nothing, and a send that
did not finish (an SMTP error, a worker killed mid-send) leaves the email to the next delivery."""

from smtplib import SMTPException

import pytest
from django.utils.translation import gettext_lazy

from notifications import services
from notifications.messages import Message
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: no `except Exception` sees it, only the transaction's rollback does."""


@pytest.fixture
def notification():
    recipient = UserFactory(notification_frequency="immediate", preferred_language="en")
    (created,) = services.notify_users(
        users=[recipient], title=Message(gettext_lazy("A technology awaits review")), url="/me/"
    )
    return created


def test_a_second_delivery_sends_nothing(notification, mailoutbox):
    # given the email was sent once
    assert services.notification_send_email(notification_id=notification.pk) is True
    # when the task is delivered again
    sent_again = services.notification_send_email(notification_id=notification.pk)
    # then no second email goes out
    assert sent_again is False
    assert [message.subject for message in mailoutbox] == [
        "[Green Technology Exchange] A technology awaits review"
    ]


def test_a_failed_send_leaves_the_email_to_the_retry(notification, mailoutbox, monkeypatch):
    # given an SMTP server that refuses the first attempt
    monkeypatch.setattr(services, "send_mail", _raise(SMTPException("421 try later")))
    # when the task runs, fails, and is retried with the server back
    with pytest.raises(SMTPException):
        services.notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    monkeypatch.undo()
    # then the retry sends it
    assert services.notification_send_email(notification_id=notification.pk) is True
    assert len(mailoutbox) == 1


def test_a_worker_killed_while_sending_leaves_the_email_to_the_redelivery(
    notification, mailoutbox, monkeypatch
):
    # given a worker that dies while talking to the mail server
    monkeypatch.setattr(services, "send_mail", _raise(WorkerKilled()))
    with pytest.raises(WorkerKilled):
        services.notification_send_email(notification_id=notification.pk)
    monkeypatch.undo()
    # when the broker delivers the task again to another worker
    sent = services.notification_send_email(notification_id=notification.pk)
    # then that worker sends the email, once
    assert sent is True
    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


def _raise(error: BaseException):
    def send_mail(**kwargs):
        raise error

    return send_mail


def test_the_link_in_an_email_is_absolute_and_https_in_production(
    notification, mailoutbox, settings
):
    # given: the site's public address
    settings.SITE_URL = "https://gte.example"
    # when: the notification is emailed, and a digest of another one
    services.notification_send_email(notification_id=notification.pk)
    services.notify_users(
        users=[notification.recipient],
        title=Message(gettext_lazy("A technology awaits review")),
        url="/deals/7/",
    )
    services.digest_send(user=notification.recipient)
    # then: both mails carry links a mail client can open
    assert "https://gte.example/me/" in mailoutbox[0].body
    assert "https://gte.example/deals/7/" in mailoutbox[1].body


def test_the_production_site_address_defaults_to_https_on_the_first_allowed_host(tmp_path):
    import os
    import subprocess
    import sys

    environment = {
        **{key: value for key, value in os.environ.items() if key != "SITE_URL"},
        "DEBUG": "false",
        "SECRET_KEY": "a-production-secret-key-of-sufficient-length-0123456789",
        "ALLOWED_HOSTS": "gte.example,www.gte.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/gte"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    printed = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.SITE_URL)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == "https://gte.example"
