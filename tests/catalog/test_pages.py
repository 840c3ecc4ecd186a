import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.choices import TechnologyStatus
from catalog.models import SavedSearch, SavedSearchHit, Technology
from notifications.models import Notification
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    client.login(email=user.email, password=PASSWORD)


def test_public_catalogue_search_and_facets(client, owner):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    make_technology(owner, title_zh="草稿里的有机废水")
    response = client.get(reverse("catalog:technology_list"), {"q": "有机废水"})
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('data-testid="result"') == 1
    assert "<mark>" in content
    assert "草稿里的" not in content


@pytest.mark.parametrize("rows", [5, 50])
def test_search_page_query_count_does_not_grow_with_rows(client, owner, rows):
    for index in range(rows):
        make_technology(owner, status=TechnologyStatus.PUBLISHED, title_zh=f"有机废水技术{index}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("catalog:technology_list"), {"q": "有机废水"})
    assert response.status_code == 200
    # the result cache lookup, one pass for total + facet counts + ranked candidates, the page
    # rows, the cards' pictures, the categories, the cards' open licences (licensing)
    assert len(queries) == 6, [q["sql"][:80] for q in queries]


def test_detail_shows_teaser_and_hides_confidential_detail(client, owner, stranger):
    published = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    url = reverse("catalog:technology_detail", args=[published.pk])
    anonymous = client.get(url).content.decode()
    assert "内循环厌氧反应器" in anonymous
    assert "三相分离器" not in anonymous
    assert "容积负荷上限" not in anonymous
    login(client, stranger)
    assert "三相分离器" not in client.get(url).content.decode()
    # the stranger accepts the NDA and asks for access
    client.post(reverse("catalog:access_request_create", args=[published.pk]), {"accept_nda": "on"})
    access = published.access_requests.get()
    client.logout()
    login(client, owner)
    client.post(reverse("catalog:access_request_decide", args=[access.pk]), {"approve": "1"})
    client.logout()
    login(client, stranger)
    assert "三相分离器" in client.get(url).content.decode()


def test_drafts_are_404_for_others(client, owner, stranger):
    draft = make_technology(owner)
    login(client, stranger)
    assert client.get(reverse("catalog:technology_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalog:technology_manage", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalog:technology_edit", args=[draft.pk])).status_code == 404


def form_data(**changes):
    data = {
        "title_zh": "钢渣余热回收技术",
        "summary_zh": "回收钢渣显热用于发电。",
        "category": "1.1",
        "trl": "6",
        "transaction_modes": ["license"],
        "license_exclusive": "on",
        "asking_price": "",
        "currency": "CNY",
        "region": "CN-JS",
        "patents-TOTAL_FORMS": "1",
        "patents-INITIAL_FORMS": "0",
        "patents-0-number": "ZL202010123456.2",
        "patents-0-kind": "invention_patent",
        "patents-0-status": "granted",
        "patents-0-jurisdiction": "CN",
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
        "savings-TOTAL_FORMS": "0",
        "savings-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_holder_creates_in_the_browser_form(client, owner):
    login(client, owner)
    response = client.post(reverse("catalog:technology_create"), form_data())
    assert response.status_code == 302
    technology = Technology.objects.get()
    assert technology.offers.get().exclusive is True
    assert technology.offers.get().negotiable is True
    assert technology.asking_price is None


def test_form_errors_show_on_fields_and_nothing_is_saved(client, owner):
    login(client, owner)
    response = client.post(
        reverse("catalog:technology_create"), form_data(**{"patents-0-number": "ZL202010123456.1"})
    )
    assert response.status_code == 200
    assert "ZL202010123456.1" in response.content.decode()
    assert not Technology.objects.exists()


def test_reviewer_queue_and_decision(client, owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    login(client, reviewer)
    page = client.get(reverse("catalog:review_queue")).content.decode()
    assert technology.title_zh in page
    client.post(
        reverse("catalog:technology_review", args=[technology.pk]),
        {"decision": "return", "comment": "请补充专利", "field": "patents"},
    )
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.RETURNED
    client.logout()
    login(client, owner)
    page = client.get(reverse("catalog:technology_manage", args=[technology.pk])).content.decode()
    assert "请补充专利" in page


def test_review_queue_is_for_reviewers_only(client, owner):
    login(client, owner)
    assert client.get(reverse("catalog:review_queue")).status_code == 403


def run_tasks_inline(monkeypatch):
    """Celery tasks dispatched on commit run in-process (the broker is not under test here)."""
    from catalog import tasks
    from notifications import tasks as notification_tasks

    monkeypatch.setattr(tasks.notify_saved_searches, "delay", tasks.notify_saved_searches)
    monkeypatch.setattr(
        notification_tasks.deliver_notification_email,
        "delay",
        notification_tasks.deliver_notification_email,
    )


def test_saved_search_notifies_on_publication(
    client, owner, stranger, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    run_tasks_inline(monkeypatch)
    # given a saved search of another user
    login(client, stranger)
    client.post(reverse("catalog:saved_search_create"), {"q": "有机废水", "name": "废水"})
    saved = SavedSearch.objects.get()
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    # when a matching technology is approved
    from catalog import services

    with django_capture_on_commit_callbacks(execute=True):
        services.technology_review(user=reviewer, technology=technology, decision="approve")
    # then the user is told once, in-app and by email
    assert SavedSearchHit.objects.filter(saved_search=saved, technology=technology).exists()
    assert Notification.objects.filter(recipient=stranger).count() == 1
    from django.core import mail

    assert any(stranger.email in message.to for message in mail.outbox)
    assert services.saved_searches_notify(technology_id=technology.pk) == 0


def test_saved_search_does_not_fire_for_other_topics(
    owner, stranger, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    from catalog import services

    run_tasks_inline(monkeypatch)
    services.saved_search_create(user=stranger, name="光伏", query="光伏", filters={})
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.technology_review(user=reviewer, technology=technology, decision="approve")
    assert not Notification.objects.filter(recipient=stranger).exists()


def test_export_csv_and_excel(client, owner):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    response = client.get(reverse("catalog:technology_export", args=["csv"]), {"q": "有机废水"})
    assert "高浓度有机废水厌氧处理技术" in response.content.decode("utf-8-sig")
    response = client.get(reverse("catalog:technology_export", args=["xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "高浓度有机废水厌氧处理技术"


def test_import_is_all_or_nothing_with_a_row_report(client, owner):
    from catalog.imports import template_csv

    login(client, owner)
    good = template_csv()
    bad_row = good.splitlines()[1].replace("ZL202010123456.2", "ZL202010123456.5")
    upload = io.BytesIO((good + bad_row + "\n").encode())
    upload.name = "techs.csv"
    response = client.post(reverse("catalog:technology_import"), {"file": upload})
    assert response.status_code == 200
    assert 'data-testid="import-report"' in response.content.decode()
    assert not Technology.objects.exists()
    upload = io.BytesIO(good.encode())
    upload.name = "techs.csv"
    assert client.post(reverse("catalog:technology_import"), {"file": upload}).status_code == 302
    assert Technology.objects.get().patents.get().number == "ZL202010123456.2"


def test_import_from_excel(client, owner):
    import csv

    from openpyxl import Workbook

    from catalog.imports import template_csv

    workbook = Workbook()
    for row in csv.reader(io.StringIO(template_csv())):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "techs.xlsx"
    login(client, owner)
    assert client.post(reverse("catalog:technology_import"), {"file": buffer}).status_code == 302
    assert Technology.objects.count() == 1


def test_attachment_upload_checks_content(client, owner, stranger, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    login(client, owner)
    fake = io.BytesIO(b"MZ not a pdf")
    fake.name = "report.pdf"
    client.post(reverse("catalog:attachment_upload", args=[technology.pk]), {"file": fake})
    assert not technology.attachments.exists()
    real = io.BytesIO(b"%PDF-1.7 secret")
    real.name = "report.pdf"
    client.post(
        reverse("catalog:attachment_upload", args=[technology.pk]),
        {"file": real, "confidential": "on"},
    )
    attachment = technology.attachments.get()
    client.logout()
    login(client, stranger)
    url = reverse("catalog:attachment_download", args=[attachment.pk])
    assert client.get(url).status_code == 404
