"""Trust: one visibility rule for every view of a listing, an anonymous need and an export.

Attacks first: anonymous and a stranger read a listing's history, search for a word only in
its confidential text, a broker introduces a technology to an anonymous need, and a title
starting with a formula lands in the exports. Then the readers who may see more still do.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from catalog import services as catalog_services
from catalog.api.serializers import TechnologyDetailSerializer
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from catalog.search import technology_search_vector
from catalog.visibility import TECHNOLOGY_FIELDS
from core.exports import csv_bytes, safe_cell, xlsx_bytes
from core.visibility import Clearance, FieldPolicy
from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.services import _need_reindex
from tests.catalog.conftest import technology_data
from tests.exchange.conftest import NEED_FIELDS, future
from tests.factories import OrganizationFactory, UserFactory

SECRET_ZH = "锆涡流分离秘方"
SECRET_EN = "zirconium vortex recipe"
SECRET_FILE = "separator-blueprint-secret.pdf"
PUBLIC_FILE = "brochure.pdf"
OWNER_EMAIL = "owner.private@holder.example"
GRANTEE_EMAIL = "grantee.private@buyer.example"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7 test content", content_type="application/pdf")


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(name_zh="江南环境工程大学", name_en="Jiangnan Env University")


@pytest.fixture
def owner(holder_org):
    return UserFactory(email=OWNER_EMAIL, full_name="", roles=["holder"], organization=holder_org)


@pytest.fixture
def grantee(db):
    return UserFactory(
        email=GRANTEE_EMAIL,
        full_name="王受让",
        roles=["enterprise"],
        organization=OrganizationFactory(),
    )


@pytest.fixture
def listing(owner, grantee, settings, tmp_path):
    """A published listing whose confidential description was edited, with a confidential and a
    public attachment, and whose NDA access was granted to `grantee`."""
    settings.MEDIA_ROOT = tmp_path
    technology = catalog_services.technology_create(
        user=owner,
        organization=owner.memberships.get().organization,
        data=technology_data(description_zh="初稿。", description_en="First draft."),
    )
    catalog_services.technology_update(
        user=owner,
        technology=technology,
        data={"description_zh": f"机密：{SECRET_ZH}。", "description_en": f"Our {SECRET_EN}."},
    )
    catalog_services.attachment_add(
        user=owner, technology=technology, upload=pdf(SECRET_FILE), confidential=True
    )
    catalog_services.attachment_add(user=owner, technology=technology, upload=pdf(PUBLIC_FILE))
    Technology.objects.filter(pk=technology.pk).update(
        status=TechnologyStatus.PUBLISHED, published_at=timezone.now()
    )
    technology.refresh_from_db()
    access = catalog_services.access_request_create(
        user=grantee, technology=technology, accept_nda=True
    )
    catalog_services.access_request_decide(user=owner, access_request=access, approve=True)
    return technology


def history_of(technology, user=None):
    response = api(user).get(f"/api/v1/technologies/{technology.pk}/history/")
    assert response.status_code == 200
    return response.json(), response.content.decode()


def assert_nothing_confidential(events: list, body: str) -> None:
    for secret in (SECRET_ZH, SECRET_EN, "初稿", "First draft", SECRET_FILE):
        assert secret not in body
    for email in (OWNER_EMAIL, GRANTEE_EMAIL):
        assert email not in body
    assert "王受让" not in body  # who was granted the NDA access
    assert "@" not in body
    assert not [e for e in events if e["action"].startswith("access_")]
    description_changes = [
        change
        for event in events
        for change in event["changes"]
        if change["field"] in ("description_zh", "description_en")
    ]
    assert description_changes, "the change itself stays in the history"
    for change in description_changes:
        # the field is named (code and label), its old and new values are not
        assert change == {"field": change["field"], "label": change["label"], "redacted": True}


# --- history --------------------------------------------------------------------------------


def test_anonymous_history_shows_no_confidential_detail_no_grantee_and_no_email(listing):
    events, body = history_of(listing)
    assert_nothing_confidential(events, body)
    # the public parts are still there: the public attachment and the actor's neutral name
    assert PUBLIC_FILE in body
    actors = {event["actor"] for event in events}
    assert actors == {"a member of 江南环境工程大学"} or actors == {"江南环境工程大学的成员"}, (
        actors
    )
    assert not any("note" in event for event in events if event["action"] == "edit")


def test_stranger_history_is_the_public_one(listing):
    stranger = UserFactory(roles=["holder"], organization=OrganizationFactory())
    events, body = history_of(listing, stranger)
    assert_nothing_confidential(events, body)


def test_nda_approved_reader_sees_the_confidential_history_but_not_who_else_got_access(
    listing, grantee
):
    events, body = history_of(listing, grantee)
    assert SECRET_ZH in body and SECRET_FILE in body
    assert not [e for e in events if e["action"].startswith("access_")]
    assert OWNER_EMAIL not in body


def test_owner_sees_everything_with_actors_by_display_name(listing, owner):
    events, body = history_of(listing, owner)
    assert SECRET_ZH in body and "初稿" in body and SECRET_FILE in body
    granted = [e for e in events if e["action"] == "access_approved"]
    assert granted and "王受让" in granted[0]["note"]
    assert OWNER_EMAIL not in body and GRANTEE_EMAIL not in body


def test_reviewer_sees_everything_including_the_account(listing):
    reviewer = UserFactory(roles=["reviewer"])
    _events, body = history_of(listing, reviewer)
    assert SECRET_ZH in body and SECRET_FILE in body
    assert OWNER_EMAIL in body  # reviewers see the account that acted


def test_manage_page_history_names_actors_without_email(client, listing, owner):
    client.force_login(owner)
    response = client.get(reverse("catalog:technology_manage", args=[listing.pk]))
    history = response.content.decode().split('data-testid="history"')[1].split("</ol>")[0]
    assert "attach" in history and OWNER_EMAIL not in history


# --- detail API and the field policy ----------------------------------------------------------


def test_anonymous_detail_has_only_public_fields(listing):
    data = api().get(f"/api/v1/technologies/{listing.pk}/").json()
    assert set(data) <= TECHNOLOGY_FIELDS.public
    assert SECRET_FILE not in str(data) and SECRET_ZH not in str(data)
    nda = api(listing.access_requests.get().user).get(f"/api/v1/technologies/{listing.pk}/")
    assert SECRET_ZH in nda.json()["description_zh"]


def test_an_undeclared_field_is_hidden_from_all_but_insiders():
    policy = FieldPolicy(model="x.Y", public=frozenset({"title"}), confidential=frozenset({"d"}))
    assert policy.visible("title", Clearance.PUBLIC)
    assert not policy.visible("d", Clearance.PUBLIC) and policy.visible("d", Clearance.CONFIDENTIAL)
    assert not policy.visible("new_field", Clearance.CONFIDENTIAL)
    assert policy.visible("new_field", Clearance.INTERNAL)
    # every field the detail API can show is declared, or insiders-only by construction
    declared = TECHNOLOGY_FIELDS.public | TECHNOLOGY_FIELDS.confidential
    undeclared = set(TechnologyDetailSerializer.Meta.fields) - declared
    assert not undeclared, f"declare these in catalog.visibility: {undeclared}"


# --- search ---------------------------------------------------------------------------------


def test_a_word_only_in_the_confidential_text_finds_nothing(client, listing, owner):
    detail = reverse("catalog:technology_detail", args=[listing.pk])
    for query in (SECRET_ZH, SECRET_EN):
        assert api().get("/api/v1/technologies/", {"q": query}).json()["count"] == 0
        assert api(owner).get("/api/v1/technologies/", {"q": query}).json()["count"] == 0
        page = client.get(reverse("catalog:technology_list"), {"q": query}).content.decode()
        assert detail not in page
    # a public word still finds it
    assert api().get("/api/v1/technologies/", {"q": "厌氧"}).json()["count"] == 1
    page = client.get(reverse("catalog:technology_list"), {"q": "厌氧"}).content.decode()
    assert detail in page


def test_matching_by_problem_ignores_the_confidential_text(listing):
    from matching.services import search_by_problem

    _language, results = search_by_problem(text=f"We need a {SECRET_EN} for our separator")
    assert str(listing.pk) not in {result.technology_id for result in results}
    for result in results:
        assert "zirconium" not in " ".join(result.reasons_en).lower()


# --- introductions to an anonymous need ----------------------------------------------------


@pytest.fixture
def anonymous_need(db):
    enterprise_org = OrganizationFactory(name_zh="浙江绿源化工有限公司", region="CN-ZJ")
    enterprise = UserFactory(roles=["enterprise"], organization=enterprise_org)
    need = Need.objects.create(
        organization=enterprise_org,
        created_by=enterprise,
        status=NeedStatus.PUBLISHED,
        published_at=timezone.now(),
        is_anonymous=True,
        deadline=future(),
        **NEED_FIELDS,
    )
    _need_reindex(need)
    return need, enterprise


@pytest.fixture
def offered(holder_org, owner):
    return Technology.objects.create(
        organization=holder_org,
        status=TechnologyStatus.PUBLISHED,
        published_at=timezone.now(),
        title_zh="内循环厌氧反应器",
        summary_zh="化工废水厌氧处理。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region="CN-JS",
    )


def test_introduction_to_an_anonymous_need_names_the_enterprise_only_after_it_accepts(
    client, anonymous_need, offered, owner
):
    need, enterprise = anonymous_need
    name = need.organization.name_zh
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    created = api(broker).post(
        "/api/v1/introductions/",
        {"technology": offered.pk, "need": need.pk, "deal_type": "license", "note": "匹配"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["enterprise"] is None and name not in created.content.decode()
    pk = data["id"]
    for user in (broker, owner):
        listed = api(user).get(f"/api/v1/introductions/{pk}/")
        assert listed.json()["enterprise"] is None
        assert name not in listed.content.decode()
        client.force_login(user)
        page = client.get(reverse("exchange:introduction_list")).content.decode()
        card = page.split('data-testid="introduction"')[1].split("</div></div>")[0]
        assert name not in card and "匿名企业" in card
    # the holder accepting first reveals nothing
    api(owner).post(
        f"/api/v1/introductions/{pk}/transition/", {"action": "accept_as_seller"}, format="json"
    )
    assert api(broker).get(f"/api/v1/introductions/{pk}/").json()["enterprise"] is None
    # the enterprise itself always knows; once it accepts, the others learn its name
    assert api(enterprise).get(f"/api/v1/introductions/{pk}/").json()["enterprise"] == (
        need.organization_id
    )
    api(enterprise).post(
        f"/api/v1/introductions/{pk}/transition/", {"action": "accept_as_buyer"}, format="json"
    )
    revealed = api(broker).get(f"/api/v1/introductions/{pk}/").json()
    assert revealed["enterprise"] == need.organization_id
    assert revealed["enterprise_name"] == need.organization.display_name


# --- exports --------------------------------------------------------------------------------

ATTACKS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\tTAB", "\rCR"]


def test_safe_cell_neutralises_formulas_and_keeps_numbers():
    for attack in ATTACKS:
        assert safe_cell(attack) == "'" + attack
    assert safe_cell(-1) == -1 and safe_cell(-2.5) == -2.5
    assert safe_cell("plain") == "plain" and safe_cell(None) == ""
    rows = list(
        csv.reader(io.StringIO(csv_bytes(["a"], [[a] for a in ATTACKS]).decode("utf-8-sig")))
    )
    assert [row[0] for row in rows[1:]] == ["'" + attack for attack in ATTACKS]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(None, [[*ATTACKS, -1]], sheet_title="t"))).active
    cells = next(sheet.iter_rows())
    # (the workbook's XML stores a carriage return as a line feed)
    assert [cell.value for cell in cells[:-1]] == ["'" + a.replace("\r", "\n") for a in ATTACKS]
    assert all(cell.data_type == "s" for cell in cells[:-1])
    assert cells[-1].value == -1 and cells[-1].data_type == "n"


@pytest.fixture
def formula_listings(holder_org):
    category = Category.objects.get(code="2.4")
    for index, attack in enumerate(ATTACKS):
        technology = Technology.objects.create(
            organization=holder_org,
            status=TechnologyStatus.PUBLISHED,
            published_at=timezone.now() - timezone.timedelta(minutes=index),
            title_zh=attack,
            title_en=f"listing {index}",
            summary_zh=attack,
            category=category,
            trl=5,
            region="CN-JS",
        )
        Technology.objects.filter(pk=technology.pk).update(
            search_vector=technology_search_vector(technology)
        )


def test_technology_exports_neutralise_formulas(client, formula_listings):
    response = client.get(reverse("catalog:technology_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    titles = {row[header.index("title_zh")] for row in rows[1:]}
    assert titles == {"'" + attack for attack in ATTACKS}
    response = client.get(reverse("catalog:technology_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        title = row[header.index("title_zh")]
        assert title.data_type == "s" and title.value.startswith("'")
        assert all(cell.data_type != "f" for cell in row)
        assert isinstance(row[header.index("trl")].value, int)


def test_demand_list_exports_neutralise_formulas(client, db):
    enterprise_org = OrganizationFactory()
    reviewer = UserFactory(roles=["reviewer"])
    fields = {**NEED_FIELDS, "title_zh": ATTACKS[0], "description_zh": "-1", "description_en": ""}
    Need.objects.create(
        organization=enterprise_org,
        created_by=UserFactory(organization=enterprise_org),
        status=NeedStatus.PUBLISHED,
        published_at=timezone.now(),
        deadline=future(),
        **fields,
    )
    today = timezone.localdate()
    client.force_login(reviewer)
    response = client.post(
        reverse("exchange:demand_list_create"),
        {"title_zh": "需求清单", "period_start": today, "period_end": today},
    )
    pk = int(response.url.rstrip("/").split("/")[-1])
    client.logout()
    content = client.get(reverse("exchange:demand_list_download", args=[pk, "csv"])).content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert "'" + ATTACKS[0] in rows[1] and "'-1" in rows[1]
    content = client.get(reverse("exchange:demand_list_download", args=[pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(content)).active
    values = [cell.value for cell in sheet[2]]
    assert "'" + ATTACKS[0] in values and "'-1" in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_every_spreadsheet_is_written_by_core_exports():
    """No module but core.exports writes CSV or builds a workbook, so no export can skip the
    formula neutralisation (reading uploads with csv.reader / load_workbook is fine)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = ("csv.writer", "csv.DictWriter", "Workbook(", "import Workbook")
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".", "tests/", "benchmarks/")) or "/migrations/" in relative:
            continue
        if relative == "core/exports.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{relative}: {w}" for w in writers if w in text]
    assert not offenders, offenders


def test_a_person_printed_anywhere_appears_by_name_never_by_email(db):
    # given: one user with a name and one without
    from tests.factories import UserFactory

    named = UserFactory(full_name="王晓明", email="wang@private.example")
    unnamed = UserFactory(full_name="", email="nobody@private.example")
    # when: templates, notifications and admin choices print them
    printed = [str(named), str(unnamed), f"{unnamed}"]
    # then: the name, or a neutral label; the address never
    assert printed[0] == "王晓明"
    assert all("@" not in text for text in printed)
