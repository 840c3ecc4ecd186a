"""TRL as an assessment (issue #15 item 5): a level is claimed at a date for an application
context with hashed evidence, confirmed or refused by a reviewer or a verified expert outside the
holder; the listing shows the current assessed level; another context asks for a reassessment."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from catalog import selectors, services
from catalog.choices import TRL_DEFINITIONS, TechnologyStatus, TrlAssessmentStatus, TrlReadiness
from catalog.models import Technology, TrlAssessment, TrlAssessmentEvent
from programmes.choices import ExpertStatus
from programmes.models import ExpertProfile
from tests.catalog.conftest import make_technology
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CONTEXT = "municipal wastewater, 500 t/d"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def report(name="pilot-report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_expert(*, organization=None, status=ExpertStatus.VERIFIED):
    organization = organization or OrganizationFactory(kind="institute")
    user = UserFactory(roles=[], organization=organization)
    ExpertProfile.objects.create(
        user=user,
        name="王专家",
        organization=organization,
        title="教授",
        languages=["zh"],
        bio="长期从事水处理技术评价。",
        status=status,
    )
    return user


def claim(owner, technology, *, level=8, context=CONTEXT, files=None):
    return services.trl_claim(
        user=owner,
        technology=technology,
        level=level,
        application_context=context,
        assessed_on=datetime.date(2026, 5, 4),
        files=[report()] if files is None else files,
    )


# --- claim → confirm → the listing shows it -----------------------------------------------------


def test_claim_then_confirm_shows_the_confirmed_level_and_date_on_page_and_api(
    owner, reviewer, client, api_client
):
    # given a published listing declaring TRL 7 and a claim of TRL 8 with a pilot report
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assessment = claim(owner, technology)
    technology.refresh_from_db()
    assert technology.trl == 8
    assert selectors.technology_readiness(technology=technology).state == TrlReadiness.CLAIMED

    # when a reviewer confirms it
    services.trl_confirm(user=reviewer, assessment=assessment)

    # then the level is confirmed, with an event row per step, and search keeps reading `trl`
    assessment.refresh_from_db()
    assert assessment.status == TrlAssessmentStatus.CONFIRMED
    assert assessment.decider_role == "reviewer"
    assert list(
        TrlAssessmentEvent.objects.filter(assessment=assessment).values_list("action", "to_status")
    ) == [("claim", "claimed"), ("confirm", "confirmed")]
    assert Technology.objects.get(pk=technology.pk).trl == 8
    detail = reverse("catalog:technology_detail", args=[technology.pk])
    html = client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "TRL 8" in html and "2026-05-04" in html and CONTEXT in html
    assert "Platform reviewer" in html and "Confirmed" in html
    assert "Actual system completed and accepted for operation" in html
    chinese = client.get(detail, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "平台审核员" in chinese and "实际系统完成并通过实际验证" in chinese
    body = api_client.get(f"/api/v1/technologies/{technology.pk}/").json()
    assert body["trl"] == 8
    assert body["trl_assessment"] == {
        "level": 8,
        "state": "confirmed",
        "state_label": body["trl_assessment"]["state_label"],
        "status": "confirmed",
        "assessed_on": "2026-05-04",
        "context": CONTEXT,
    }


def test_claim_and_confirm_through_the_api(owner, reviewer, api_client_for):
    # given
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    owner_api, reviewer_api = api_client_for(owner), api_client_for(reviewer)

    # when the owner claims with two files and the reviewer confirms
    response = owner_api.post(
        f"/api/v1/technologies/{technology.pk}/trl-assessments/",
        {
            "level": 6,
            "application_context": CONTEXT,
            "assessed_on": "2026-03-01",
            "files": [report("a.pdf"), report("b.pdf", PDF + b"%second")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assessment_id = response.json()["id"]
    assert [item["sha256"] for item in response.json()["evidence"]] == [
        hashlib.sha256(PDF).hexdigest(),
        hashlib.sha256(PDF + b"%second").hexdigest(),
    ]
    confirmed = reviewer_api.post(f"/api/v1/trl-assessments/{assessment_id}/confirm/", {})

    # then
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    listed = api_client_for(owner).get(f"/api/v1/technologies/{technology.pk}/trl-assessments/")
    assert [row["status"] for row in listed.json()] == ["confirmed"]
    assert reviewer_api.post(f"/api/v1/trl-assessments/{assessment_id}/confirm/").status_code == 409


def test_a_claim_with_bad_input_is_400_with_field_errors_and_nothing_is_stored(
    owner, api_client_for, client
):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api_client_for(owner).post(
        f"/api/v1/technologies/{technology.pk}/trl-assessments/",
        {
            "level": 10,
            "application_context": "",
            "assessed_on": tomorrow.isoformat(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert {"level", "application_context"} <= set(response.json())
    with pytest.raises(ValidationError) as error:
        claim(owner, technology, files=[report("fake.pdf", b"not a pdf at all")])
    assert "files" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.trl_claim(
            user=owner,
            technology=technology,
            level=5,
            application_context=CONTEXT,
            assessed_on=tomorrow,
        )
    assert "assessed_on" in error.value.message_dict
    # the page keeps what was typed and names the error
    client.force_login(owner)
    page = client.post(
        reverse("catalog:trl_claim", args=[technology.pk]),
        {"level": "5", "application_context": CONTEXT, "assessed_on": tomorrow.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400
    assert CONTEXT in page.content.decode()
    assert "cannot be in the future" in page.content.decode()
    assert not TrlAssessment.objects.exists()


# --- who may decide -----------------------------------------------------------------------------


def test_an_outsider_or_another_holder_cannot_confirm(owner, stranger, api_client_for):
    # given a claim on a published listing and a draft one
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assessment = claim(owner, technology)
    draft = make_technology(owner)
    draft_claim = claim(owner, draft)
    client = api_client_for(stranger)

    # when a member of another organisation tries to confirm them
    refused = client.post(f"/api/v1/trl-assessments/{assessment.pk}/confirm/")
    hidden = client.post(f"/api/v1/trl-assessments/{draft_claim.pk}/confirm/")
    anonymous = api_client_for(None).post(f"/api/v1/trl-assessments/{assessment.pk}/confirm/")

    # then 403 on a listing they see, 404 on one they do not, and nothing changed
    assert refused.status_code == 403
    assert hidden.status_code == 404
    assert anonymous.status_code in (401, 403)
    assert set(TrlAssessment.objects.values_list("status", flat=True)) == {"claimed"}
    assert TrlAssessmentEvent.objects.filter(action="confirm").count() == 0


def test_the_claimants_own_organisation_cannot_confirm_its_claim(owner, member, client):
    # given a reviewer who works for the holder
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assessment = claim(owner, technology)
    member.roles = ["reviewer"]
    member.save()

    # when they try to confirm (service and page)
    with pytest.raises(PermissionDenied):
        services.trl_confirm(user=member, assessment=assessment)
    client.force_login(member)
    response = client.post(
        reverse("catalog:trl_assessment_decide", args=[assessment.pk]), {"action": "confirm"}
    )

    # then nothing changed, and the queue does not offer the claim to them
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == TrlAssessmentStatus.CLAIMED
    assert not selectors.trl_assessments_decidable_by(user=member).exists()


def test_a_verified_expert_confirms_but_not_for_their_own_employer(owner, organization, client):
    # given a claim, an independent verified expert and an expert employed by the holder
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assessment = claim(owner, technology)
    employed = make_expert(organization=organization)
    pending_expert = make_expert(status=ExpertStatus.PENDING)
    independent = make_expert()

    # then the employed and the unverified expert may not decide
    for user in (employed, pending_expert):
        with pytest.raises(PermissionDenied):
            services.trl_confirm(user=user, assessment=assessment)
    assert not selectors.trl_assessments_decidable_by(user=pending_expert).exists()

    # when the independent expert confirms from the queue page
    client.force_login(independent)
    queue = client.get(reverse("catalog:trl_assessment_queue"))
    assert queue.status_code == 200 and CONTEXT in queue.content.decode()
    client.post(
        reverse("catalog:trl_assessment_decide", args=[assessment.pk]), {"action": "confirm"}
    )

    # then the confirmation names the expert's capacity and organisation
    assessment.refresh_from_db()
    assert assessment.status == TrlAssessmentStatus.CONFIRMED
    assert assessment.decider_role == "expert"
    assert assessment.decider_organization_label == (
        independent.memberships.get().organization.display_name
    )


def test_a_refusal_needs_a_reason_and_keeps_the_declared_level(owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED, trl=5)
    assessment = claim(owner, technology, level=9)
    with pytest.raises(ValidationError):
        services.trl_reject(user=reviewer, assessment=assessment, note=" ")
    services.trl_reject(user=reviewer, assessment=assessment, note="The pilot ran for a week.")
    technology.refresh_from_db()
    assert technology.trl == 5
    assert selectors.technology_readiness(technology=technology).state == TrlReadiness.DECLARED


def test_the_queue_is_for_reviewers_and_experts_only(owner, stranger, client):
    client.force_login(stranger)
    assert client.get(reverse("catalog:trl_assessment_queue")).status_code == 403


# --- evidence -----------------------------------------------------------------------------------


def test_evidence_hash_is_shown_to_all_and_the_file_only_to_the_cleared(
    owner, reviewer, stranger, client, api_client, api_client_for
):
    # given a claim with a report
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assessment = claim(owner, technology, files=[report("secret-pilot-data.pdf")])
    evidence = assessment.evidence.get()
    digest = hashlib.sha256(PDF).hexdigest()
    assert evidence.sha256 == digest
    url = reverse("catalog:trl_evidence_download", args=[evidence.pk])

    # then the public sees the hash, not the name, and cannot download
    page = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    assert digest in page and "secret-pilot-data" not in page and url not in page
    assert client.get(url).status_code == 404
    public = api_client.get(f"/api/v1/technologies/{technology.pk}/trl-assessments/").json()
    assert public[0]["evidence"] == [
        {"id": evidence.pk, "sha256": digest, "size": len(PDF), "name": None, "url": None}
    ]
    client.force_login(stranger)
    assert client.get(url).status_code == 404

    # and the holder and the reviewer can
    for user in (owner, reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    cleared = api_client_for(reviewer).get(f"/api/v1/technologies/{technology.pk}/trl-assessments/")
    assert cleared.json()[0]["evidence"][0]["name"] == "secret-pilot-data.pdf"


def test_the_deciding_expert_reads_the_evidence_others_do_not_after_the_decision(owner, client):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assessment = claim(owner, technology)
    url = reverse("catalog:trl_evidence_download", args=[assessment.evidence.get().pk])
    deciding, other = make_expert(), make_expert()
    client.force_login(other)
    assert client.get(url).status_code == 200  # may read it to decide
    services.trl_confirm(user=deciding, assessment=assessment)
    assert client.get(url).status_code == 404
    client.force_login(deciding)
    assert client.get(url).status_code == 200


# --- reuse in another context -------------------------------------------------------------------


def test_a_claim_for_another_context_needs_reassessment(owner, reviewer, client):
    # given a level confirmed for municipal wastewater
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    services.trl_confirm(user=reviewer, assessment=claim(owner, technology, level=8))

    # when the holder claims the technology for another use
    claim(owner, technology, level=7, context="pharmaceutical wastewater, 50 t/d")

    # then the earlier confirmation does not carry over
    technology.refresh_from_db()
    readiness = selectors.technology_readiness(technology=technology)
    assert readiness.state == TrlReadiness.NEEDS_REASSESSMENT
    assert readiness.level == technology.trl == 7
    page = client.get(
        reverse("catalog:technology_detail", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Needs reassessment for the current context" in page.content.decode()


def test_a_changed_application_scope_needs_reassessment(owner, reviewer):
    technology = make_technology(
        owner, status=TechnologyStatus.RETURNED, application_scope="市政污水处理"
    )
    services.trl_confirm(user=reviewer, assessment=claim(owner, technology, level=8))
    assert selectors.technology_readiness(technology=technology).state == TrlReadiness.CONFIRMED

    services.technology_update(
        user=owner, technology=technology, data={"application_scope": "制药废水处理"}
    )

    technology.refresh_from_db()
    assert selectors.technology_readiness(technology=technology).state == (
        TrlReadiness.NEEDS_REASSESSMENT
    )


def test_an_edit_cannot_overrule_the_assessed_level(owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.RETURNED)
    services.trl_confirm(user=reviewer, assessment=claim(owner, technology, level=6))
    services.technology_update(user=owner, technology=technology, data={"trl": 9})
    technology.refresh_from_db()
    assert technology.trl == 6


def test_a_newer_claim_in_the_same_context_waits_beside_the_confirmed_level(owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    services.trl_confirm(user=reviewer, assessment=claim(owner, technology, level=7))
    newer = claim(owner, technology, level=8, context="  Municipal wastewater,  500 t/d ")
    readiness = selectors.technology_readiness(technology=technology)
    assert (readiness.state, readiness.level, readiness.pending) == (
        TrlReadiness.CONFIRMED,
        7,
        newer,
    )
    technology.refresh_from_db()
    assert technology.trl == 7


# --- definitions --------------------------------------------------------------------------------


def test_level_definitions_follow_iso_16290_in_english_and_gb_t_22900_in_chinese():
    with translation.override("en"):
        assert str(TRL_DEFINITIONS[1]) == "Basic principles observed and reported"
        assert "breadboard" in str(TRL_DEFINITIONS[4])
    with translation.override("zh-hans"):
        chinese = {level: str(text) for level, text in TRL_DEFINITIONS.items()}
    assert chinese[1] == "观察到基本原理并形成正式报告"
    assert chinese[2] == "形成技术概念或开发方案" and chinese[6] == "相关环境中系统样机演示"
    assert all(not any("a" <= ch <= "z" for ch in text.lower()) for text in chinese.values())
    assert len(set(chinese.values())) == 9


def test_the_level_is_constrained_in_the_database(owner):
    from django.db import IntegrityError, transaction

    technology = make_technology(owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrlAssessment.objects.create(
            technology=technology,
            level=10,
            application_context=CONTEXT,
            assessed_on=datetime.date(2026, 1, 1),
            level_before=7,
        )
