"""A notification reads in its reader's language wherever it is shown (the notification list, the
workspace, the API, the e-mail), whatever language was active when it was sent; rows stored
before messages were kept still read as they were written."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, override

from catalog import services as catalog_services
from catalog.choices import TechnologyStatus
from notifications import services
from notifications.messages import Bilingual, Message, choice_label, render
from notifications.models import Notification
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TITLE_ZH = "高浓度有机废水厌氧处理技术"
TITLE_EN = "Anaerobic treatment of high-strength organic wastewater"
APPROVED = "Your technology was approved and published"


@pytest.fixture
def emails_at_once(monkeypatch):
    """The e-mail task runs in-process when the transaction commits."""
    from notifications import tasks

    monkeypatch.setattr(tasks.deliver_notification_email, "delay", tasks.deliver_notification_email)


def approve_in(language: str, *, owner, reviewer, capture) -> Notification:
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    with override(language), capture(execute=True):
        catalog_services.technology_review(user=reviewer, technology=technology, decision="approve")
    return Notification.objects.get(recipient=owner)


def signed_in(client, user, language: str):
    client.login(email=user.email, password=PASSWORD)
    client.post(reverse("set_language"), {"language": language})
    return client


def test_sent_in_chinese_it_reads_in_english_on_the_pages_in_the_api_and_the_email(
    client, api_client_for, owner, reviewer, django_capture_on_commit_callbacks, emails_at_once
):
    # given a holder who reads English
    owner.preferred_language = "en"
    owner.save(update_fields=["preferred_language"])
    # when a reviewer working in Chinese approves the holder's technology
    notification = approve_in(
        "zh-hans", owner=owner, reviewer=reviewer, capture=django_capture_on_commit_callbacks
    )
    english = f"{APPROVED}: {TITLE_EN}"
    assert TITLE_ZH in notification.title  # the stored text is the sender's
    # then the list page and the workspace show it in English
    signed_in(client, owner, "en")
    for page in ("accounts:notifications", "accounts:workspace"):
        html = client.get(reverse(page)).content.decode()
        assert english in html
        assert TITLE_ZH not in html
    # and the API, asked in English
    response = api_client_for(owner).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    (row,) = response.json()["results"]
    assert (row["title"], row["language"], row["is_read"]) == (english, "en", False)
    # and the e-mail, in the recipient's preferred language
    (email,) = [message for message in mail.outbox if owner.email in message.to]
    assert email.subject == f"[Green Technology Exchange] {english}"


def test_sent_in_english_it_reads_in_chinese_to_a_chinese_reader(
    client, api_client_for, owner, reviewer, django_capture_on_commit_callbacks, emails_at_once
):
    # given a holder who reads Chinese (the default)
    assert owner.preferred_language == "zh-hans"
    # when a reviewer working in English approves
    notification = approve_in(
        "en", owner=owner, reviewer=reviewer, capture=django_capture_on_commit_callbacks
    )
    with override("zh-hans"):
        approved_zh = gettext(APPROVED)
    assert approved_zh != APPROVED  # the catalogue translates it
    assert notification.title == f"{APPROVED}: {TITLE_EN}"
    # then the page in Chinese, the API in Chinese and the e-mail are all Chinese
    signed_in(client, owner, "zh-hans")
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert approved_zh in html and TITLE_ZH in html and TITLE_EN not in html
    response = api_client_for(owner).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    (row,) = response.json()["results"]
    assert approved_zh in row["title"] and TITLE_ZH in row["title"]
    (email,) = [message for message in mail.outbox if owner.email in message.to]
    assert approved_zh in email.subject and TITLE_ZH in email.subject


def test_a_daily_digest_is_written_in_the_recipients_language(owner, mailoutbox):
    # given a digest reader of English and a notification sent while Chinese was active
    owner.preferred_language, owner.notification_frequency = "en", "daily"
    owner.save(update_fields=["preferred_language", "notification_frequency"])
    with override("zh-hans"):
        services.notify_users(
            users=[owner],
            title=Message(
                gettext_lazy("New inquiry about %(title)s"),
                title=Bilingual(zh=TITLE_ZH, en=TITLE_EN),
            ),
        )
    # when the digest goes out
    assert services.digest_send(user=owner) == 1
    # then it is in English
    (email,) = mailoutbox
    assert f"New inquiry about {TITLE_EN}" in email.body
    assert "Your daily digest" in email.subject


def test_a_bilingual_parameter_follows_the_reader_and_falls_back_to_the_other_language():
    message = Message(
        gettext_lazy("New inquiry about %(title)s"), title=Bilingual(zh=TITLE_ZH, en=TITLE_EN)
    ).to_json()
    only_chinese = Message(
        gettext_lazy("New inquiry about %(title)s"), title=Bilingual(zh=TITLE_ZH)
    ).to_json()
    with override("en"):
        assert render(message) == f"New inquiry about {TITLE_EN}"
        assert render(only_chinese) == f"New inquiry about {TITLE_ZH}"
    with override("zh-hans"):
        assert TITLE_ZH in render(message) and "New inquiry" not in render(message)


def test_a_choice_label_parameter_is_stored_as_its_message_id_and_follows_the_reader(owner):
    # given a choice label (a lazy translation, here with a context: pgettext_lazy)
    organization = owner.memberships.get().organization
    label = choice_label(organization, "verification_status")
    message = Message(
        gettext_lazy("Verification of %(name)s: %(status)s"),
        name=Bilingual.of(organization, "name"),
        status=label,
    ).to_json()
    # then its message id is stored, not a rendering
    with override(None):
        assert message["params"]["status"] == {
            "msgid": str(label),
            "context": "verification status",
        }
    with override("en"):
        english = render(message)
    with override("zh-hans"):
        chinese = render(message)
    assert english != chinese
    with override("en"):
        assert str(label) in english


def test_a_date_parameter_is_shown_in_the_sites_time_zone():
    import datetime

    moment = datetime.datetime(2026, 12, 1, 2, 30, tzinfo=datetime.UTC)
    stored = Message(gettext_lazy("You are registered for %(event)s"), event=moment).to_json()
    with override("en"):
        assert render(stored) == "You are registered for 2026-12-01 10:30"  # Asia/Shanghai


def test_a_translation_that_lost_its_placeholder_falls_back_to_the_source_text(monkeypatch):
    from notifications import messages

    stored = Message(gettext_lazy("New inquiry about %(title)s"), title="X").to_json()
    monkeypatch.setattr(messages, "gettext", lambda msgid: "坏的译文 %(missing)s")
    assert render(stored) == "New inquiry about X"


def test_only_messages_marked_for_translation_are_accepted(owner):
    # an already translated text would be stored in the sender's language: refused
    with pytest.raises(TypeError):
        Message("你的技术已发布")
    with pytest.raises(TypeError):
        services.notify_users(users=[owner], title="Deal signed")
    # a model instance would print itself in the sender's language: refused
    with pytest.raises(TypeError):
        Message(gettext_lazy("New deal: %(technology)s"), technology=owner)
    assert not Notification.objects.exists()


def test_rows_stored_before_messages_still_read_as_they_were_written(owner):
    # given a row written before messages were stored
    old = Notification.objects.create(recipient=owner, title="验证通过", body="资料齐全")
    assert old.title_message is None
    # then it reads as written, in any language, before and after the data migration
    migration = importlib.import_module(
        "notifications.migrations.0003_notification_messages_from_stored_text"
    )
    for step in ("before", "after"):
        if step == "after":
            migration.stored_text_as_message(django_apps, None)
            old.refresh_from_db()
            assert (old.title_message, old.body_message) == ("验证通过", "资料齐全")
        for language in ("en", "zh-hans"):
            with override(language):
                assert (old.shown_title, old.shown_body) == ("验证通过", "资料齐全")


def test_old_rows_show_on_the_page_and_in_the_api(client, api_client_for, owner):
    Notification.objects.create(recipient=owner, title="验证通过", body="资料齐全")
    signed_in(client, owner, "en")
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert "验证通过" in html and "资料齐全" in html
    (row,) = api_client_for(owner).get("/api/v1/notifications/").json()["results"]
    assert (row["title"], row["body"]) == ("验证通过", "资料齐全")


def test_a_saved_search_notification_shows_the_summary_never_the_confidential_detail(
    owner, stranger, reviewer, django_capture_on_commit_callbacks
):
    # given a saved search of another organisation's user, who reads English
    from catalog.models import SavedSearch

    stranger.preferred_language = "en"
    stranger.save(update_fields=["preferred_language"])
    SavedSearch.objects.create(user=stranger, name="废水", query="有机废水", filters={})
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    # when the notifier runs
    assert catalog_services.saved_searches_notify(technology_id=technology.pk) == 1
    # then the stored message carries the public summary in both languages and nothing else
    notification = Notification.objects.get(recipient=stranger)
    stored = f"{notification.title_message} {notification.body_message}"
    assert technology.description_zh not in stored and technology.description_en not in stored
    with override("en"):
        assert notification.shown_body == technology.summary_en
    with override("zh-hans"):
        assert notification.shown_body == technology.summary_zh


def test_another_users_notification_is_404_and_cannot_be_marked_read(api_client_for, owner):
    # given a notification of the owner and a stranger
    (notification,) = services.notify_users(
        users=[owner], title=Message(gettext_lazy("A technology awaits review"))
    )
    stranger = UserFactory()
    client = api_client_for(stranger)
    # then the stranger neither sees it nor can mark it read
    assert client.get(f"/api/v1/notifications/{notification.pk}/").status_code == 404
    assert client.get("/api/v1/notifications/").json()["count"] == 0
    response = client.post(
        "/api/v1/notifications/mark-read/", {"ids": [notification.pk]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"marked": 0}
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_owner_lists_unread_and_marks_notifications_read_in_the_api(api_client_for, owner):
    first, second = services.notify_users(
        users=[owner, owner], title=Message(gettext_lazy("A technology awaits review"))
    )
    client = api_client_for(owner)
    response = client.post("/api/v1/notifications/mark-read/", {"ids": [first.pk]}, format="json")
    assert response.json() == {"marked": 1}
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [second.pk]
    detail = client.get(f"/api/v1/notifications/{first.pk}/").json()
    assert detail["is_read"] is True and detail["read_at"]
    assert client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {
        "marked": 1
    }


def test_bad_input_to_the_notifications_api_is_a_400(api_client_for, owner):
    client = api_client_for(owner)
    assert client.get("/api/v1/notifications/", {"unread": "maybe"}).status_code == 400
    response = client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_the_notifications_list_takes_the_same_number_of_queries_for_2_and_20_rows(
    api_client_for, owner
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(owner)
    counts = []
    for rows in (2, 20):
        services.notify_users(
            users=[owner] * rows, title=Message(gettext_lazy("A technology awaits review"))
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/notifications/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_language_switcher_sets_the_language_of_a_signed_in_users_emails(
    client, owner, mailoutbox
):
    # given a signed-in holder who reads Chinese
    client.login(email=owner.email, password=PASSWORD)
    # when they switch the site to English
    response = client.post(reverse("set_language"), {"language": "en", "next": "/me/workspace/"})
    # then the page language and their e-mails' language are English
    assert response.status_code == 302 and response.url == "/me/workspace/"
    assert client.cookies["django_language"].value == "en"
    owner.refresh_from_db()
    assert owner.preferred_language == "en"
    owner.notification_frequency = "daily"
    owner.save(update_fields=["notification_frequency"])
    with override("zh-hans"):
        services.notify_users(
            users=[owner], title=Message(gettext_lazy("A technology awaits review"))
        )
    services.digest_send(user=owner)
    assert "A technology awaits review" in mailoutbox[0].body


def test_an_unknown_language_changes_nothing_and_anonymous_switching_still_works(client, owner):
    client.login(email=owner.email, password=PASSWORD)
    assert client.post(reverse("set_language"), {"language": "xx"}).status_code == 302
    owner.refresh_from_db()
    assert owner.preferred_language == "zh-hans"
    client.logout()
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
