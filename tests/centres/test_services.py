import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.choices import TechnologyStatus
from centres import selectors, services
from centres.choices import ReferralStatus
from centres.models import Referral, ReferralEvent
from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from tests.centres.conftest import make_need, make_technology
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_a_referral_is_sent_with_an_event_and_the_partner_is_told(
    china_member, thai_member, thai_centre, technology
):
    # when
    referral = services.referral_create(
        user=china_member, to_centre=thai_centre, technology=technology, message="请对接"
    )
    # then
    assert referral.status == ReferralStatus.SENT
    assert referral.from_centre == china_member.memberships.get().organization
    assert list(referral.events.values_list("action", "to_status")) == [("send", "sent")]
    notification = Notification.objects.get(recipient=thai_member)
    assert notification.url.endswith(f"/network/referrals/{referral.pk}/")
    assert not Notification.objects.filter(recipient=china_member).exists()


def test_the_whole_way_sent_accepted_matched_closed(thai_member, china_member, referral):
    # when
    services.referral_transition(referral=referral, user=thai_member, action="accept")
    services.referral_transition(
        referral=referral, user=thai_member, action="match", note="Bangkok Water Co. met"
    )
    services.referral_transition(referral=referral, user=china_member, action="close")
    # then
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert list(
        referral.events.values_list("action", "from_status", "to_status", "actor_side")
    ) == [
        ("send", "", "sent", "sender"),
        ("accept", "sent", "accepted", "receiver"),
        ("match", "accepted", "matched", "receiver"),
        ("close", "matched", "closed", "sender"),
    ]
    # each step told the other centre
    assert Notification.objects.filter(recipient=china_member).count() == 2
    assert Notification.objects.filter(recipient=thai_member).count() == 2


def test_declining_needs_a_reason(referral, thai_member):
    with pytest.raises(ValidationError) as error:
        services.referral_transition(referral=referral, user=thai_member, action="decline")
    assert "note" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    services.referral_transition(
        referral=referral, user=thai_member, action="decline", note="Not our sector"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


def test_a_centre_cannot_accept_its_own_outgoing_referral(referral, china_member):
    with pytest.raises(TransitionNotAllowed):
        services.referral_transition(referral=referral, user=china_member, action="accept")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.events.count() == 1


def test_a_third_centre_cannot_act_on_or_see_a_referral_between_two_others(referral, third_member):
    assert not selectors.referrals_visible_to(user=third_member).filter(pk=referral.pk).exists()
    with pytest.raises(TransitionNotAllowed):
        services.referral_transition(referral=referral, user=third_member, action="accept")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_non_centre_organisation_cannot_refer(enterprise_member, thai_centre, technology):
    with pytest.raises(PermissionDenied):
        services.referral_create(
            user=enterprise_member, to_centre=thai_centre, technology=technology
        )
    assert not Referral.objects.exists()


def test_a_self_declared_centre_not_yet_verified_cannot_refer_nor_be_referred_to(
    unverified_centre_member, china_member, technology
):
    unverified = unverified_centre_member.memberships.get().organization
    # given: it is not in the network
    assert not selectors.verified_centres().filter(pk=unverified.pk).exists()
    # when / then: it cannot send
    with pytest.raises(PermissionDenied):
        services.referral_create(
            user=unverified_centre_member,
            to_centre=china_member.memberships.get().organization,
            technology=technology,
        )
    # nor receive
    with pytest.raises(ValidationError) as error:
        services.referral_create(user=china_member, to_centre=unverified, technology=technology)
    assert "to_centre" in error.value.message_dict
    assert not Referral.objects.exists()


def test_only_listings_the_centre_can_see_are_referred(
    china_member, china_centre, thai_centre, holder_org
):
    # given
    draft = make_technology(holder_org, status=TechnologyStatus.DRAFT)
    submitted = make_technology(holder_org, status=TechnologyStatus.SUBMITTED)
    own_draft = make_technology(china_centre, status=TechnologyStatus.DRAFT)
    hidden_need = make_need(OrganizationFactory(), status="draft")
    # then
    for listing in (draft, submitted):
        with pytest.raises(ValidationError) as error:
            services.referral_create(user=china_member, to_centre=thai_centre, technology=listing)
        assert "technology" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.referral_create(user=china_member, to_centre=thai_centre, need=hidden_need)
    assert not Referral.objects.exists()
    # its own listing may go
    referral = services.referral_create(
        user=china_member, to_centre=thai_centre, technology=own_draft
    )
    assert referral.technology == own_draft


def test_a_published_need_is_referred_once_while_open(china_member, thai_centre):
    need = make_need(OrganizationFactory())
    services.referral_create(user=china_member, to_centre=thai_centre, need=need)
    with pytest.raises(ValidationError) as error:
        services.referral_create(user=china_member, to_centre=thai_centre, need=need)
    assert "to_centre" in error.value.message_dict
    assert Referral.objects.count() == 1
    assert ReferralEvent.objects.count() == 1


def test_not_to_its_own_centre_and_one_listing_only(china_member, china_centre, technology):
    with pytest.raises(ValidationError) as error:
        services.referral_create(user=china_member, to_centre=china_centre, technology=technology)
    assert "to_centre" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.referral_create(user=china_member, to_centre=china_centre)
    assert "technology" in error.value.message_dict


def test_profile_countries_are_iso_codes(china_member, china_centre):
    with pytest.raises(ValidationError) as error:
        services.centre_profile_update(
            organization=china_centre, user=china_member, countries=["TH", "XX"], languages=["th"]
        )
    assert "countries" in error.value.message_dict
    profile = services.centre_profile_update(
        organization=china_centre,
        user=china_member,
        countries=["th", "VN", "TH"],
        languages=["th", "zh"],
    )
    assert profile.countries == ["TH", "VN"]


def test_only_members_edit_a_centre_profile(thai_member, china_centre):
    with pytest.raises(PermissionDenied):
        services.centre_profile_update(
            organization=china_centre, user=thai_member, countries=["TH"], languages=[]
        )


def test_dashboard_counts_in_and_out(referral, china_centre, thai_centre):
    out = {
        row["status"]: row["count"]
        for row in selectors.centre_referral_counts(centre=china_centre)["outgoing"]
    }
    incoming = {
        row["status"]: row["count"]
        for row in selectors.centre_referral_counts(centre=thai_centre)["incoming"]
    }
    assert out["sent"] == 1 and out["accepted"] == 0
    assert incoming["sent"] == 1
