from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services
from catalog.choices import RevisionStatus, TechnologyStatus
from catalog.models import Inquiry, Technology, TechnologyEvent, TechnologyPatent
from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from tests.catalog.conftest import make_technology, technology_data

pytestmark = pytest.mark.django_db


def test_create_stores_rows_summary_fields_and_search_vector(owner):
    # when a holder creates a technology
    technology = make_technology(owner)
    # then it is a draft with its rows, summary fields and a search vector
    assert technology.status == TechnologyStatus.DRAFT
    assert technology.transaction_modes == ["license", "transfer"]
    assert technology.asking_price == Decimal("800000.00")
    assert technology.has_granted_patent
    assert technology.patents.get().number == "ZL202010123456.2"
    assert technology.offers.get(mode="license").exclusive is False
    assert "有机废水" in Technology.objects.values_list("search_vector", flat=True).get()
    assert technology.events.get().action == "create"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title_zh": "", "summary_en": ""}, "title_zh"),
        ({"trl": 10}, "trl"),
        ({"trl": None}, "trl"),
        ({"category": "2"}, "category"),
        ({"category": "99.9"}, "category"),
        ({"asking_price": "-1"}, "asking_price"),
        (
            {
                "patents": [
                    {"number": "ZL202010123456.3", "kind": "invention_patent", "status": "granted"}
                ]
            },
            "patents",
        ),
        ({"offers": [{"mode": "license", "asking_price": None, "negotiable": True}]}, "offers"),
        ({"co2e_avoided_tonnes_per_year": "100"}, "co2e_method"),
        ({"region": "XX-1"}, "region"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(owner, changes, field):
    # given bad data
    data = technology_data(**changes)
    # when the holder creates it
    with pytest.raises(ValidationError) as error:
        services.technology_create(
            user=owner, organization=owner.memberships.first().organization, data=data
        )
    # then the error names the field and nothing is saved
    assert field in error.value.message_dict
    assert not Technology.objects.exists()
    assert not TechnologyPatent.objects.exists()


def test_only_members_create_for_their_organisation(owner, stranger):
    with pytest.raises(PermissionDenied):
        services.technology_create(
            user=stranger,
            organization=owner.memberships.first().organization,
            data=technology_data(),
        )
    assert not Technology.objects.exists()


def test_full_review_cycle_with_return_and_resubmission(owner, member, reviewer):
    # given a draft
    technology = make_technology(owner)
    # when a member submits, the reviewer returns with a field comment
    services.technology_submit(user=member, technology=technology)
    services.technology_review(
        user=reviewer,
        technology=technology,
        decision="return",
        field_comments={"summary_zh": "请补充处理规模"},
    )
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.RETURNED
    # the holder fixes and resubmits; the reviewer approves
    services.technology_update(
        user=owner, technology=technology, data={"summary_zh": "日处理 500 吨高浓度有机废水。"}
    )
    services.technology_submit(user=owner, technology=technology)
    services.technology_review(user=reviewer, technology=technology, decision="approve")
    technology.refresh_from_db()
    # then it is published and every step is in the history
    assert technology.status == TechnologyStatus.PUBLISHED
    assert technology.published_at is not None
    actions = list(technology.events.values_list("action", flat=True))
    assert actions == ["create", "submit", "return", "edit", "submit", "approve"]
    returned = technology.events.get(action="return")
    assert returned.field_comments == {"summary_zh": "请补充处理规模"}
    assert returned.actor == reviewer
    # the holder's members were told of both decisions
    assert Notification.objects.filter(recipient=owner).count() == 2


def test_return_and_reject_need_a_reason(owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    for decision in ("return", "reject"):
        with pytest.raises(ValidationError):
            services.technology_review(user=reviewer, technology=technology, decision=decision)
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.SUBMITTED


def test_a_non_reviewer_cannot_review(owner, stranger):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.technology_review(user=owner, technology=technology, decision="approve")
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.SUBMITTED


def test_a_transition_from_the_wrong_state_is_refused(owner, reviewer):
    technology = make_technology(owner)
    with pytest.raises(TransitionNotAllowed):
        services.technology_review(user=reviewer, technology=technology, decision="approve")
    with pytest.raises(TransitionNotAllowed):
        services.technology_withdraw(user=owner, technology=technology)


def test_a_stale_actor_loses_the_race(owner, reviewer):
    # given two copies of one submitted listing
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    stale = Technology.objects.get(pk=technology.pk)
    services.technology_review(user=reviewer, technology=technology, decision="approve")
    # when a second reviewer acts on the stale copy
    with pytest.raises(TransitionNotAllowed):
        services.technology_review(user=reviewer, technology=stale, decision="reject", comment="x")
    # then the first decision stands
    assert Technology.objects.get(pk=technology.pk).status == TechnologyStatus.PUBLISHED


def test_editing_a_published_listing_goes_to_review_and_keeps_the_public_version(
    published, owner, reviewer
):
    # when the holder edits a published listing
    services.technology_update(user=owner, technology=published, data={"title_zh": "新标题"})
    published.refresh_from_db()
    # then the public version is unchanged and a change awaits review
    assert published.title_zh == "高浓度有机废水厌氧处理技术"
    assert published.status == TechnologyStatus.PUBLISHED
    revision = published.revisions.get()
    assert revision.status == RevisionStatus.SUBMITTED
    # when the reviewer approves the change, it is applied
    services.technology_review(user=reviewer, technology=published, decision="approve")
    published.refresh_from_db()
    assert published.title_zh == "新标题"
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPLIED
    assert TechnologyEvent.objects.filter(technology=published, action="change_approve").exists()


def test_a_returned_change_can_be_fixed_and_resubmitted(published, owner, reviewer):
    services.technology_update(user=owner, technology=published, data={"trl": 8})
    services.technology_review(
        user=reviewer, technology=published, decision="return", comment="依据?"
    )
    assert published.revisions.get().status == RevisionStatus.RETURNED
    services.technology_update(user=owner, technology=published, data={"trl": 9})
    revision = published.revisions.get()
    assert revision.status == RevisionStatus.SUBMITTED
    assert revision.data["trl"] == 9


def test_invalid_change_of_a_published_listing_is_refused(published, owner):
    with pytest.raises(ValidationError):
        services.technology_update(user=owner, technology=published, data={"trl": 0})
    assert not published.revisions.exists()


def test_other_organisation_cannot_edit(published, stranger):
    with pytest.raises(PermissionDenied):
        services.technology_update(user=stranger, technology=published, data={"trl": 2})
    published.refresh_from_db()
    assert published.trl == 7


def test_withdraw_and_archive(published, owner):
    services.technology_withdraw(user=owner, technology=published)
    published.refresh_from_db()
    assert published.status == TechnologyStatus.WITHDRAWN
    services.technology_archive(user=owner, technology=published)
    published.refresh_from_db()
    assert published.status == TechnologyStatus.ARCHIVED


def test_inquiry_and_access_request(published, owner, stranger):
    # an inquiry is stored and the holder told
    inquiry = services.inquiry_create(user=stranger, technology=published, message="想了解许可条件")
    assert inquiry.organization == stranger.memberships.first().organization
    assert Notification.objects.filter(recipient=owner).exists()
    # an access request needs the NDA; approval opens the detail
    with pytest.raises(ValidationError):
        services.access_request_create(user=stranger, technology=published, accept_nda=False)
    access = services.access_request_create(user=stranger, technology=published, accept_nda=True)
    with pytest.raises(PermissionDenied):
        services.access_request_decide(user=stranger, access_request=access, approve=True)
    services.access_request_decide(user=owner, access_request=access, approve=True)
    from catalog.selectors import can_view_confidential

    assert can_view_confidential(user=stranger, technology=published)


def test_no_inquiry_on_a_draft(owner, stranger):
    technology = make_technology(owner)
    with pytest.raises(TransitionNotAllowed):
        services.inquiry_create(user=stranger, technology=technology, message="?")
    assert not Inquiry.objects.exists()


def test_an_applied_change_is_matched_again_after_commit(
    published, owner, reviewer, django_capture_on_commit_callbacks
):
    from matching.models import MatchingRun

    # given a change to a published listing awaiting review
    services.technology_update(user=owner, technology=published, data={"title_zh": "新标题"})
    # when the reviewer approves it
    with django_capture_on_commit_callbacks() as callbacks:
        services.technology_review(user=reviewer, technology=published, decision="approve")
    # then a matching run for the technology is queued, to start after the commit
    assert MatchingRun.objects.filter(technology_id=published.pk, status="queued").exists()
    assert callbacks
