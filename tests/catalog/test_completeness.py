"""Completeness (issue #15 item 2): a score per listing from what a buyer needs, the checklist for
the holder, the score for reviewers and buyers, and the minimum the administrator sets before a
listing may be submitted."""

import dataclasses
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from catalog import selectors, services
from catalog.choices import TechnologyStatus
from catalog.completeness import (
    CRITERIA,
    CRITERIA_BY_CODE,
    ListingFacts,
    OfferFact,
    PatentFact,
    completeness_of,
)
from catalog.imports import COLUMNS, template_csv
from catalog.models import CatalogPolicy, Technology
from tests.catalog.conftest import make_technology, technology_data
from tests.catalog.test_pages import form_data
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

VALID_NUMBER = "ZL202010123456.2"
COMPLETE = ListingFacts(
    advantages="比常规方案能耗低三成，占地省一半。",
    trl=7,
    application_scope="已在三个示范项目运行",
    patents=(PatentFact(VALID_NUMBER, "invention_patent", "CN"),),
    performance_figure_count=1,
    offers=(OfferFact("license", Decimal("800000"), False),),
    target_regions=("CN-ZJ",),
    public_picture_count=1,
    co2e_avoided_tonnes_per_year=Decimal("120"),
    co2e_method="电网排放因子折算",
)
# For each criterion: the complete listing changed so that only this criterion is missing.
MISSING_ONE = {
    "value_statement": {"advantages": "  "},
    "trl_evidence": {"application_scope": "", "document_count": 0},
    "intellectual_property": {"patents": ()},
    "performance": {"performance_figure_count": 0},
    "offer": {"offers": ()},
    "region": {"target_regions": ()},
    "picture": {"public_picture_count": 0},
    "green_impact": {"co2e_avoided_tonnes_per_year": None, "resource_saving_count": 0},
}


def login(client, user):
    client.login(email=user.email, password=PASSWORD)


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile("diagram.png", buffer.getvalue())


def set_minimum(value: int) -> None:
    CatalogPolicy.objects.update_or_create(pk=1, defaults={"minimum_completeness": value})


# --- the calculation ----------------------------------------------------------------------------


def test_the_weights_add_up_to_100_and_every_criterion_has_a_label_and_a_hint():
    assert sum(criterion.weight for criterion in CRITERIA) == 100
    assert set(MISSING_ONE) == set(CRITERIA_BY_CODE)
    for criterion in CRITERIA:
        assert str(criterion.label) and str(criterion.hint) and criterion.section


def test_a_listing_with_everything_scores_100_and_an_empty_one_0():
    assert completeness_of(COMPLETE).score == 100
    assert not completeness_of(COMPLETE).missing
    empty = completeness_of(ListingFacts())
    assert empty.score == 0
    assert [result.code for result in empty.missing] == [criterion.code for criterion in CRITERIA]


@pytest.mark.parametrize("code", list(MISSING_ONE))
def test_each_criterion_is_missing_alone_and_costs_its_weight(code):
    # given the complete listing without what this criterion asks for
    facts = dataclasses.replace(COMPLETE, **MISSING_ONE[code])
    # when it is scored
    completeness = completeness_of(facts)
    # then only this criterion is missing, and the score loses exactly its weight
    assert [result.code for result in completeness.missing] == [code]
    assert completeness.score == 100 - CRITERIA_BY_CODE[code].weight


@pytest.mark.parametrize(
    ("code", "alternative"),
    [
        ("trl_evidence", {"application_scope": "", "document_count": 1}),
        ("green_impact", {"co2e_avoided_tonnes_per_year": None, "resource_saving_count": 2}),
        ("offer", {"offers": (OfferFact("transfer", None, True),)}),
        (
            "intellectual_property",
            {"patents": (PatentFact("软著登字第123号", "software_copyright", "CN"),)},
        ),
    ],
)
def test_the_other_way_to_meet_a_criterion_meets_it(code, alternative):
    facts = dataclasses.replace(COMPLETE, **alternative)
    assert code not in [result.code for result in completeness_of(facts).missing]


@pytest.mark.parametrize(
    ("code", "not_enough"),
    [
        # a CO2e figure without its method is no evidence of impact
        ("green_impact", {"co2e_method": "", "resource_saving_count": 0}),
        # a patent number with a wrong check digit (stored before the check existed) does not count
        (
            "intellectual_property",
            {"patents": (PatentFact("ZL202010123456.3", "invention_patent", "CN"),)},
        ),
        ("value_statement", {"advantages": "更好"}),
    ],
)
def test_half_an_answer_does_not_meet_a_criterion(code, not_enough):
    facts = dataclasses.replace(COMPLETE, **not_enough)
    assert code in [result.code for result in completeness_of(facts).missing]


# --- stored by the services ---------------------------------------------------------------------


def test_the_score_is_stored_on_create_and_update_and_follows_a_public_picture(
    owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # given a listing with value statement, TRL evidence, IP, a figure and an offer
    technology = make_technology(owner)
    assert technology.completeness_score == 75
    # when the holder adds target regions and the avoided emissions
    technology = services.technology_update(
        user=owner,
        technology=technology,
        data={
            "target_regions": ["CN-ZJ"],
            "co2e_avoided_tonnes_per_year": "80",
            "co2e_method": "折算",
        },
    )
    # then the stored score follows
    assert Technology.objects.get(pk=technology.pk).completeness_score == 90
    # a confidential picture is not shown to buyers; a public one is
    services.attachment_add(user=owner, technology=technology, upload=png(), confidential=True)
    assert Technology.objects.get(pk=technology.pk).completeness_score == 90
    services.attachment_add(user=owner, technology=technology, upload=png())
    assert Technology.objects.get(pk=technology.pk).completeness_score == 100
    # removing the rows lowers it again
    services.technology_update(
        user=owner, technology=technology, data={"patents": [], "performance_figures": []}
    )
    assert Technology.objects.get(pk=technology.pk).completeness_score == 70


# --- the minimum on submission ------------------------------------------------------------------


def incomplete(owner) -> Technology:
    """A listing with only IP, a figure and an offer: 45 of 100."""
    technology = make_technology(owner, advantages="", application_scope="")
    assert technology.completeness_score == 45
    return technology


def test_submitting_below_the_minimum_is_refused_on_the_page_naming_what_is_missing(client, owner):
    # given an incomplete draft and the default minimum of 60
    technology = incomplete(owner)
    login(client, owner)
    # when the holder submits it
    response = client.post(
        reverse("catalog:technology_transition", args=[technology.pk]),
        {"action": "submit"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then it stays a draft and the message names the missing criteria
    content = response.content.decode()
    assert "45% complete; 60% is needed" in content
    assert "One-line value statement" in content and "Readiness level with its evidence" in content
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.DRAFT
    assert technology.submitted_at is None
    assert not technology.events.filter(action="submit").exists()


def test_submitting_below_the_minimum_is_a_400_in_the_api_with_the_missing_criteria(
    api_client_for, owner
):
    technology = incomplete(owner)
    response = api_client_for(owner).post(f"/api/v1/technologies/{technology.pk}/submit/")
    assert response.status_code == 400
    assert response.data["score"] == 45 and response.data["minimum"] == 60
    assert [item["code"] for item in response.data["missing"]] == [
        "value_statement",
        "trl_evidence",
        "region",
        "picture",
        "green_impact",
    ]
    assert all(item["label"] and item["hint"] for item in response.data["missing"])
    assert "45%" in response.data["completeness"][0]
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.DRAFT


def test_a_listing_at_the_minimum_is_submitted(api_client_for, owner):
    technology = make_technology(owner)  # 75
    set_minimum(75)
    response = api_client_for(owner).post(f"/api/v1/technologies/{technology.pk}/submit/")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "submitted"


def test_a_stranger_learns_nothing_of_the_checklist_from_a_refused_submit(
    api_client_for, owner, stranger
):
    # given another organisation's incomplete draft
    technology = incomplete(owner)
    # when a stranger tries to submit it, then it is not found, and nothing changes
    response = api_client_for(stranger).post(f"/api/v1/technologies/{technology.pk}/submit/")
    assert response.status_code == 404
    assert "missing" not in response.data
    assert Technology.objects.get(pk=technology.pk).status == TechnologyStatus.DRAFT


# --- the administrator sets the minimum ---------------------------------------------------------


@pytest.fixture
def admin_user(db):
    user = UserFactory(roles=["admin"])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_the_administrator_changes_the_minimum_in_the_admin_site(client, admin_user, owner):
    # given an incomplete listing refused under the default minimum
    technology = incomplete(owner)
    with pytest.raises(services.ValidationError):
        services.technology_submit(user=owner, technology=technology)
    # when the administrator lowers the minimum in the admin site
    client.force_login(admin_user)
    listing = client.get("/admin/catalog/catalogpolicy/")
    assert listing.status_code == 302
    change_url = listing["Location"]
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"minimum_completeness": "40"})
    assert response.status_code == 302
    # then it is stored with who changed it, and the listing can now be submitted
    policy = selectors.catalog_policy()
    assert (policy.minimum_completeness, policy.updated_by) == (40, admin_user)
    services.technology_submit(user=owner, technology=technology)
    assert Technology.objects.get(pk=technology.pk).status == TechnologyStatus.SUBMITTED


def test_a_minimum_above_100_is_refused_in_the_admin_site(client, admin_user):
    client.force_login(admin_user)
    change_url = client.get("/admin/catalog/catalogpolicy/")["Location"]
    response = client.post(change_url, {"minimum_completeness": "101"})
    assert response.status_code == 200
    assert selectors.catalog_policy().minimum_completeness == 60


def test_only_an_administrator_changes_the_minimum(client, reviewer, owner):
    # the service refuses anyone else
    for user in (reviewer, owner):
        with pytest.raises(services.PermissionDenied):
            services.catalog_policy_update(user=user, minimum_completeness=0)
    # and the admin site does not let a reviewer in
    client.force_login(reviewer)
    response = client.post("/admin/catalog/catalogpolicy/1/change/", {"minimum_completeness": "0"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert selectors.catalog_policy().minimum_completeness == 60


# --- what each reader sees ----------------------------------------------------------------------


def test_the_holder_sees_the_checklist_with_hints_and_links_to_the_form(client, owner):
    technology = incomplete(owner)
    login(client, owner)
    content = client.get(
        reverse("catalog:technology_manage", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-testid="completeness-checklist"' in content
    assert content.count('data-testid="criterion-missing"') == 5
    assert content.count('data-testid="criterion-met"') == 3
    edit = reverse("catalog:technology_edit", args=[technology.pk])
    assert f'href="{edit}#section-case"' in content
    assert 'href="#attachments"' in content and 'id="attachments"' in content
    assert "A listing needs 60% to be sent for review." in content
    # the edit page shows it too, its links to the form's own sections
    form_page = client.get(edit, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="#section-impact"' in form_page and 'id="section-impact"' in form_page
    assert 'id="section-patents"' in form_page and 'id="section-figures"' in form_page


def test_reviewers_see_the_score_in_the_queue(client, owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    login(client, reviewer)
    content = client.get(
        reverse("catalog:review_queue"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    item = content[content.index('data-testid="review-item"') :]
    assert "Completeness 75%" in item[: item.index("</p>")]
    assert technology.title in item


def test_buyers_see_the_badge_on_the_detail_the_results_and_the_home_cards(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    detail = client.get(
        reverse("catalog:technology_detail", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Completeness 75%" in detail
    assert 'data-testid="completeness-checklist"' not in detail
    results = client.get(
        reverse("catalog:technology_list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    card = results[results.index('data-testid="result"') :]
    assert "Completeness 75%" in card[: card.index("</article>")]
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    home_card = home[home.index('data-testid="technology-card"') :]
    assert "Completeness 75%" in home_card[: home_card.index("</article>")]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_badge_adds_no_query_to_the_search_page(client, owner, rows):
    for index in range(rows):
        make_technology(
            owner,
            status=TechnologyStatus.PUBLISHED,
            title_zh=f"有机废水技术{index}",
            target_regions=["CN-ZJ"] if index % 2 else [],
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("catalog:technology_list"), {"q": "有机废水"})
    content = response.content.decode()
    assert content.count('data-testid="completeness-badge"') == min(rows, 20)
    # the same six queries as without the badge (tests/catalog/test_pages.py)
    assert len(queries) == 6, [q["sql"][:80] for q in queries]


def test_the_api_shows_the_checklist_to_the_holder_and_reviewers_and_the_score_to_others(
    api_client, api_client_for, owner, reviewer, stranger
):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    url = f"/api/v1/technologies/{technology.pk}/"
    for insider in (owner, reviewer):
        completeness = api_client_for(insider).get(url).data["completeness"]
        assert completeness["score"] == 75 and completeness["minimum"] == 60
        assert [item["code"] for item in completeness["missing"]] == [
            "region",
            "picture",
            "green_impact",
        ]
        assert len(completeness["met"]) == 5
    for outsider in (api_client, api_client_for(stranger)):
        body = outsider.get(url).data
        assert body["completeness"] == {"score": 75}
        assert body["completeness_score"] == 75
    listed = api_client.get("/api/v1/technologies/").data["results"]
    assert [row["completeness_score"] for row in listed] == [75]


def test_the_data_migration_formula_matches_the_service(owner):
    # the migration scores existing rows with the same function the services use
    technology = make_technology(owner, **{"target_regions": ["CN-ZJ"]})
    fresh = selectors.technology_with_detail_rows(pk=technology.pk)
    assert selectors.technology_checklist(technology=fresh).score == fresh.completeness_score == 80


# --- a wrong patent number is refused through every door ----------------------------------------


def test_the_form_refuses_a_wrong_check_digit_and_a_malformed_pct_number(client, owner):
    login(client, owner)
    for number, message in (
        ("CN201910123456.7", "its check digit should be X"),
        ("PCT/CN2020/12345", "is not a PCT application number"),
    ):
        response = client.post(
            reverse("catalog:technology_create"),
            form_data(**{"patents-0-number": number}),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        content = response.content.decode()
        assert response.status_code == 200
        assert message in content and number in content  # the typed value is kept
    assert not Technology.objects.exists()
    # a well-formed PCT number is accepted
    response = client.post(
        reverse("catalog:technology_create"),
        form_data(**{"patents-0-number": "PCT/CN2020/123456"}),
    )
    assert response.status_code == 302
    assert Technology.objects.get().patents.get().number == "PCT/CN2020/123456"


def test_the_api_refuses_a_wrong_check_digit_with_a_field_error(api_client_for, owner):
    data = technology_data(
        patents=[{"number": "2019 1 0123456.7", "kind": "invention_patent", "status": "filed"}]
    )
    response = api_client_for(owner).post(
        "/api/v1/technologies/", data, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "check digit should be X" in " ".join(response.data["patents"])
    assert not Technology.objects.exists()


def test_the_import_refuses_a_row_with_a_wrong_check_digit(client, owner):
    login(client, owner)
    header, row = template_csv().splitlines()[:2]
    upload = io.BytesIO(
        (header + "\n" + row.replace("ZL202010123456.2", "ZL202010123456.3") + "\n").encode()
    )
    upload.name = "techs.csv"
    assert "patents" in COLUMNS
    response = client.post(
        reverse("catalog:technology_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    report = response.content.decode()
    assert "its check digit should be 2" in report
    assert not Technology.objects.exists()
