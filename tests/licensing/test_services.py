"""Open licensing services: statutory bounds, the evaluation report, frozen terms, the short
licence workflow with its deal and certificate, and one licence per licensee under concurrency."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from catalog.choices import IntellectualPropertyStatus, TechnologyStatus
from core.workflow import TransitionNotAllowed
from exchange.choices import DealStage, MilestoneKind
from exchange.models import Certificate, Deal
from licensing import selectors, services
from licensing.choices import FeeKind, LicenceAction, LicenceStatus, OfferStatus
from licensing.models import Licence, OpenLicenceOffer
from tests.factories import UserFactory
from tests.licensing.conftest import report_upload, terms

pytestmark = pytest.mark.django_db


def _create(holder, technology, patent, **overrides):
    return services.offer_create(
        user=holder, technology=technology, patent=patent, **terms(**overrides)
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fee_kind": FeeKind.NET_SALES_ROYALTY, "royalty_rate": Decimal("20.01")}, "royalty_rate"),
        ({"fee_kind": FeeKind.PROFIT_ROYALTY, "royalty_rate": Decimal("40.5")}, "royalty_rate"),
        ({"fee_kind": FeeKind.NET_SALES_ROYALTY, "royalty_rate": None}, "royalty_rate"),
        ({"fee_kind": FeeKind.LUMP_SUM, "fixed_fee": None}, "fixed_fee"),
        ({"fee_kind": FeeKind.LUMP_SUM, "fixed_fee": Decimal("5000000.01")}, "fixed_fee"),
        (
            {"fee_kind": FeeKind.ENTRY_FEE_AND_ROYALTY, "royalty_rate": Decimal("25")},
            "royalty_rate",
        ),
        ({"term_years": None, "term_end": None}, "term_years"),
        ({"term_years": 21}, "term_years"),
        ({"field_of_use": "  "}, "field_of_use"),
    ],
)
def test_offer_outside_the_bounds_is_refused_on_its_field(
    holder, technology, patent, overrides, field
):
    # when
    with pytest.raises(ValidationError) as refused:
        _create(holder, technology, patent, **overrides)
    # then
    assert field in refused.value.message_dict
    assert not OpenLicenceOffer.objects.exists()


def test_royalties_at_the_statutory_ceilings_are_accepted(holder, technology, patent):
    offer = _create(holder, technology, patent, fee_kind=FeeKind.PROFIT_ROYALTY, royalty_rate=40)
    assert offer.royalty_rate == 40 and offer.fixed_fee is None
    services.offer_update(
        offer=offer, user=holder, fee_kind=FeeKind.NET_SALES_ROYALTY, royalty_rate=Decimal("20")
    )
    offer.refresh_from_db()
    assert offer.fee_kind == FeeKind.NET_SALES_ROYALTY


def test_the_cap_on_fixed_fees_is_the_admins_policy_row(holder, technology, patent):
    # given a lower cap
    policy = selectors.licensing_policy()
    policy.fixed_fee_cap = Decimal("10000")
    policy.save()
    # when / then
    with pytest.raises(ValidationError) as refused:
        _create(holder, technology, patent, fixed_fee=Decimal("10000.01"))
    assert "10,000.00" in refused.value.message_dict["fixed_fee"][0]
    assert _create(holder, technology, patent, fixed_fee=Decimal("10000")).pk


def test_utility_model_needs_the_evaluation_report(holder, technology, utility_patent):
    with pytest.raises(ValidationError) as refused:
        _create(holder, technology, utility_patent)
    assert "evaluation_report" in refused.value.message_dict
    offer = services.offer_create(
        user=holder,
        technology=technology,
        patent=utility_patent,
        evaluation_report=report_upload(),
        **terms(),
    )
    assert offer.evaluation_report.name.endswith(".pdf")


def test_a_filed_patent_or_an_unpublished_technology_cannot_be_offered(holder, technology, patent):
    patent.status = IntellectualPropertyStatus.FILED
    patent.save()
    with pytest.raises(ValidationError) as refused:
        _create(holder, technology, patent)
    assert "patent" in refused.value.message_dict
    patent.status = IntellectualPropertyStatus.GRANTED
    patent.save()
    technology.status = TechnologyStatus.WITHDRAWN
    technology.save()
    with pytest.raises(ValidationError) as refused:
        _create(holder, technology, patent)
    assert "technology" in refused.value.message_dict


def test_only_the_holder_may_offer(enterprise, technology, patent):
    with pytest.raises(ValidationError):
        _create(enterprise, technology, patent)
    assert not OpenLicenceOffer.objects.exists()


def test_accept_then_pay_licenses_with_a_completed_deal_and_its_certificate(
    offer, enterprise, enterprise_org, holder_org
):
    # when the enterprise accepts
    licence = services.licence_accept(offer=offer, user=enterprise)
    # then it waits for payment, with the posted fee due
    assert licence.status == LicenceStatus.ACCEPTED
    assert licence.amount_due == Decimal("50000")
    assert licence.deal is None
    # when it pays
    licence = services.licence_transition(licence=licence, user=enterprise, action="pay")
    # then the licence is in force, with a completed licence deal, its paid fee and certificate
    assert licence.status == LicenceStatus.LICENSED
    assert licence.ends_on.year == licence.licensed_at.year + 5
    deal = Deal.objects.get(pk=licence.deal_id)
    assert (deal.seller_id, deal.buyer_id) == (holder_org.pk, enterprise_org.pk)
    assert deal.stage == DealStage.COMPLETED and deal.deal_type == "license"
    assert deal.price == Decimal("50000")
    milestone = deal.milestones.get()
    assert milestone.kind == MilestoneKind.PAYMENT and milestone.done_at is not None
    assert Certificate.objects.filter(deal=deal).exists()
    assert list(licence.events.values_list("action", flat=True)) == ["accept", "pay"]


def test_paying_twice_is_a_conflict_and_changes_nothing(offer, enterprise):
    licence = services.licence_accept(offer=offer, user=enterprise)
    services.licence_transition(licence=licence, user=enterprise, action=LicenceAction.PAY)
    with pytest.raises(TransitionNotAllowed):
        services.licence_transition(licence=licence, user=enterprise, action=LicenceAction.PAY)
    assert Deal.objects.count() == 1


def test_the_holder_cannot_pay_for_the_licensee(offer, enterprise, holder):
    licence = services.licence_accept(offer=offer, user=enterprise)
    with pytest.raises(TransitionNotAllowed):
        services.licence_transition(licence=licence, user=holder, action=LicenceAction.PAY)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACCEPTED


def test_a_royalty_only_licence_is_in_force_on_acceptance(holder, technology, patent, enterprise):
    offer = _create(
        holder, technology, patent, fee_kind=FeeKind.NET_SALES_ROYALTY, royalty_rate=Decimal("5")
    )
    licence = services.licence_accept(offer=offer, user=enterprise)
    assert licence.status == LicenceStatus.LICENSED
    assert licence.amount_due == 0
    assert Certificate.objects.filter(deal_id=licence.deal_id).exists()


def test_the_holder_and_unverified_or_non_enterprises_cannot_accept(
    offer, holder, unverified_enterprise
):
    with pytest.raises(ValidationError) as refused:
        services.licence_accept(offer=offer, user=holder)
    assert "organization" in refused.value.message_dict
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.licence_accept(offer=offer, user=unverified_enterprise)
    assert "verified" in refused.value.message_dict["organization"][0]
    assert not Licence.objects.exists()


def test_a_second_acceptance_by_the_same_enterprise_is_a_conflict(offer, enterprise, colleague):
    services.licence_accept(offer=offer, user=enterprise)
    with pytest.raises(TransitionNotAllowed):
        services.licence_accept(offer=offer, user=colleague)
    assert Licence.objects.count() == 1


def test_cancelled_licence_may_be_taken_again(offer, enterprise):
    licence = services.licence_accept(offer=offer, user=enterprise)
    services.licence_transition(licence=licence, user=enterprise, action=LicenceAction.CANCEL)
    again = services.licence_accept(offer=offer, user=enterprise)
    assert again.pk != licence.pk
    assert Licence.objects.filter(status=LicenceStatus.CANCELLED).count() == 1


def test_terms_are_frozen_after_acceptance_and_a_new_version_keeps_the_licences(
    offer, holder, enterprise, other_enterprise
):
    # given a licensee
    licence = services.licence_accept(offer=offer, user=enterprise)
    # when the holder edits in place
    with pytest.raises(TransitionNotAllowed):
        services.offer_update(offer=offer, user=holder, fixed_fee=Decimal("60000"))
    offer.refresh_from_db()
    assert offer.fixed_fee == Decimal("50000")
    # when the holder publishes a new version
    new = services.offer_revise(offer=offer, user=holder, fixed_fee=Decimal("60000"))
    # then the old one is replaced, its licence unchanged; new licensees get the new terms
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUPERSEDED
    assert (new.version, new.previous_id, new.fixed_fee) == (2, offer.pk, Decimal("60000"))
    licence.refresh_from_db()
    assert licence.offer_id == offer.pk and licence.amount_due == Decimal("50000")
    assert services.licence_accept(offer=new, user=other_enterprise).amount_due == Decimal("60000")
    assert {row.pk for row in selectors.licensees_of(offer=new)} >= {licence.pk}


def test_withdrawal_stops_new_licences_and_keeps_the_existing(
    offer, holder, enterprise, other_enterprise
):
    licence = services.licence_accept(offer=offer, user=enterprise)
    services.offer_withdraw(offer=offer, user=holder)
    with pytest.raises(TransitionNotAllowed):
        services.licence_accept(offer=offer, user=other_enterprise)
    licence = services.licence_transition(licence=licence, user=enterprise, action="pay")
    assert licence.status == LicenceStatus.LICENSED


def test_only_the_holder_may_withdraw(offer, enterprise):
    with pytest.raises(TransitionNotAllowed):
        services.offer_withdraw(offer=offer, user=enterprise)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_by_one_enterprise_make_one_licence(offer, enterprise_org):
    # given two members of one enterprise pressing "accept" at the same moment
    members = [UserFactory(roles=["enterprise"], organization=enterprise_org) for _ in range(2)]
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []

    def accept(user):
        try:
            barrier.wait()
            services.licence_accept(offer=offer, user=user)
            outcomes.append("licence")
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in members]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["conflict", "licence"]
    assert Licence.objects.filter(offer=offer, licensee=enterprise_org).count() == 1
