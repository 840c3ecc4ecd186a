"""The demo data set plus a few objects of organisations no demo user belongs to ("outsiders"),
seeded once for the access matrix and the schema fuzzing."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command

ROLES = ("anonymous", "holder", "enterprise", "broker", "financier", "reviewer", "admin")


def seed_world() -> dict[str, int]:
    """Seed the demo and return the ids the matrix refers to by name."""
    from accounts.demo import DEMO_USERS  # noqa: F401  (fails loudly if the demo moved)
    from accounts.models import Organization, RoleGrant, User
    from catalog.models import Technology
    from exchange.models import Deal, DealDocument, Need, Proposal
    from finance.models import (
        FinancingApplication,
        FinancingProduct,
        MoneyRequest,
        SupportProgramme,
        Valuation,
        Voucher,
    )
    from matching.models import Match

    # Celery work is not run here: the seeds already did it synchronously where it matters.
    with mock.patch("celery.app.task.Task.apply_async"):
        call_command("seed_demo", verbosity=0)

    holder = User.objects.get(email="holder@demo.example")
    enterprise = User.objects.get(email="enterprise@demo.example")
    holder_org = holder.memberships.get().organization
    enterprise_org = enterprise.memberships.get().organization
    # Organisations none of the demo users belongs to.
    role_emails = [f"{role}@demo.example" for role in ROLES]
    outsider_holder_org = (
        Organization.objects.exclude(memberships__user__email__in=role_emails)
        .filter(technologies__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    outsider_orgs = Organization.objects.exclude(pk__in=[holder_org.pk, enterprise_org.pk]).exclude(
        memberships__user__email__in=role_emails
    )
    outsider_buyer_org = outsider_orgs.exclude(pk=outsider_holder_org.pk).order_by("pk").first()
    outsider_user = outsider_holder_org.memberships.first().user

    def technology(org, status):
        return Technology.objects.filter(organization=org, status=status).order_by("pk").first()

    need_draft = Need.objects.filter(organization=enterprise_org, status="draft").first()
    outsider_need = Need.objects.get(pk=need_draft.pk)
    outsider_need.pk = None
    outsider_need.organization = outsider_buyer_org
    outsider_need.created_by = outsider_user
    outsider_need.save()

    negotiation = Deal.objects.filter(stage="negotiation").order_by("pk").first()
    outsider_deal = Deal.objects.get(pk=negotiation.pk)
    outsider_deal.pk = None
    outsider_deal.need = None
    outsider_deal.proposal = None
    outsider_deal.introduction = None
    outsider_deal.broker = None
    outsider_deal.seller = outsider_holder_org
    outsider_deal.buyer = outsider_buyer_org
    outsider_deal.technology = technology(outsider_holder_org, "published")
    outsider_deal.save()

    document = DealDocument.objects.order_by("pk").first()
    outsider_document = DealDocument.objects.get(pk=document.pk)
    outsider_document.pk = None
    outsider_document.deal = outsider_deal
    outsider_document.save()

    ids = {
        "org_holder": holder_org.pk,
        "org_enterprise": enterprise_org.pk,
        "org_outsider": outsider_holder_org.pk,
        "tech_published": technology(holder_org, "published").pk,
        "tech_draft": technology(holder_org, "draft").pk,
        "tech_outsider_published": technology(outsider_holder_org, "published").pk,
        "tech_outsider_private": Technology.objects.filter(organization=outsider_holder_org)
        .exclude(status="published")
        .order_by("pk")
        .first()
        .pk,
        "need_published": Need.objects.filter(organization=enterprise_org, status="published")
        .order_by("pk")
        .first()
        .pk,
        "need_draft": need_draft.pk,
        "need_outsider_draft": outsider_need.pk,
        "deal": negotiation.pk,
        "deal_brokered": Deal.objects.filter(broker__isnull=False).order_by("pk").first().pk,
        "deal_completed": Deal.objects.filter(stage="completed").order_by("pk").first().pk,
        "deal_outsider": outsider_deal.pk,
        "document": document.pk,
        "document_deal": document.deal_id,
        "document_outsider": outsider_document.pk,
        "proposal": Proposal.objects.order_by("pk").first().pk,
        "match": Match.objects.order_by("pk").first().pk,
        "product": FinancingProduct.objects.filter(status="published").order_by("pk").first().pk,
        "application_holder": FinancingApplication.objects.filter(applicant=holder_org)
        .order_by("pk")
        .first()
        .pk,
        "application_enterprise": FinancingApplication.objects.filter(applicant=enterprise_org)
        .order_by("pk")
        .first()
        .pk,
        "valuation": Valuation.objects.order_by("pk").first().pk,
        "voucher": Voucher.objects.order_by("pk").first().pk,
        "role_grant": RoleGrant.objects.get(user__email="broker@demo.example", role="broker").pk,
        "programme": SupportProgramme.objects.order_by("pk").first().pk,
        "money_request": MoneyRequest.objects.filter(status="pending").order_by("pk").first().pk,
        "milestone": negotiation.milestones.order_by("pk").first().pk
        if negotiation.milestones.exists()
        else 0,
        "certificate_number": getattr(
            Deal.objects.filter(stage="completed").order_by("pk").first().certificate, "number", ""
        ),
    }
    # --- reward ---
    from finance.models import RewardPolicy, RewardSplit

    ids["reward_policy"] = RewardPolicy.objects.order_by("pk").first().pk
    ids["reward_split"] = RewardSplit.objects.order_by("pk").first().pk
    ids["duplicate_flag"] = _seed_duplicate_flag(
        technology_id=ids["tech_outsider_published"], candidate_id=ids["tech_published"]
    )
    with mock.patch("celery.app.task.Task.apply_async"):
        ids |= _seed_programmes(
            holder=holder,
            outsider_user=outsider_user,
            outsider_technology_id=ids["tech_outsider_published"],
        )
    ids["notification_holder"] = _holder_notification(holder)
    ids |= _seed_trl_assessments(
        holder=holder,
        outsider_user=outsider_user,
        technology_id=ids["tech_published"],
        outsider_technology_id=ids["tech_outsider_private"],
    )
    # --- licence ---
    ids |= _seed_licensing(
        enterprise=enterprise,
        outsider_user=outsider_user,
        outsider_technology_id=ids["tech_outsider_published"],
    )
    # --- facility ---
    ids |= _seed_facilities(holder=holder, outsider_user=outsider_user)
    # --- scenes ---
    ids |= _seed_scenarios()
    # --- records ---
    ids |= _seed_contract_records(outsider_deal_id=ids["deal_outsider"])
    # --- currencies ---
    from currencies.models import ExchangeRate

    ids["exchange_rate"] = ExchangeRate.objects.order_by("pk").first().pk
    # --- centres --- (the demo's referral between its two centres, none of them a demo role's)
    from centres.models import Referral

    referral = Referral.objects.order_by("pk").first()
    ids["referral"] = referral.pk
    ids["transfer_centre"] = referral.to_centre_id
    return ids


def _seed_contract_records(*, outsider_deal_id: int) -> dict[str, int]:
    """The record of the demo's completed deal (the holder sells, the enterprise buys, the
    broker brokered it) and the draft record of a completed deal between two outsiders."""
    from exchange.models import Deal
    from registry.models import ContractRecord
    from registry.services import record_create_for_deal

    completed = Deal.objects.filter(stage="completed").order_by("pk").first()
    outsider_completed = Deal.objects.get(pk=outsider_deal_id)
    outsider_completed.pk = None
    outsider_completed.stage = "completed"
    outsider_completed.save()
    outsider_record, _created = record_create_for_deal(deal=outsider_completed)
    return {
        "contract_record": ContractRecord.objects.get(deal=completed).pk,
        "contract_record_outsider": outsider_record.pk,
    }


def _seed_licensing(*, enterprise, outsider_user, outsider_technology_id: int) -> dict[str, int]:
    """The demo's open offer with the enterprise's licence awaiting payment, and an outsider's
    withdrawn offer (private: its holder and reviewers only)."""
    from catalog.models import Technology, TechnologyPatent
    from catalog.validators import patent_check_character
    from licensing import services
    from licensing.models import OpenLicenceOffer

    open_offer = OpenLicenceOffer.objects.filter(status="open").order_by("pk").first()
    licence = services.licence_accept(offer=open_offer, user=enterprise)
    technology = Technology.objects.get(pk=outsider_technology_id)
    digits = "201819999999"
    patent = TechnologyPatent.objects.create(
        technology=technology,
        number=f"ZL{digits}.{patent_check_character(digits)}",
        kind="invention_patent",
        status="granted",
    )
    if technology.transaction_modes and "license" not in technology.transaction_modes:
        technology.transaction_modes = [*technology.transaction_modes, "license"]
        technology.save(update_fields=["transaction_modes"])
    withdrawn = services.offer_create(
        user=outsider_user,
        technology=technology,
        patent=patent,
        fee_kind="lump_sum",
        fixed_fee=10000,
        currency="CNY",
        term_years=3,
        field_of_use="x",
        territory="x",
    )
    services.offer_withdraw(offer=withdrawn, user=outsider_user)
    return {
        "open_licence_offer": open_offer.pk,
        "open_licence_offer_outsider_withdrawn": withdrawn.pk,
        "open_licence_enterprise": licence.pk,
    }


def _seed_facilities(*, holder, outsider_user) -> dict[str, int]:
    """The demo's published pilot line and its requested booking, and a draft facility of an
    organisation no demo role belongs to."""
    from facilities.models import Facility

    facility = Facility.objects.filter(provider__memberships__user=holder).order_by("pk").first()
    outsider_draft = Facility.objects.create(
        provider=outsider_user.memberships.first().organization,
        kind="instrument",
        title_zh="外部机构的草稿仪器",
        capabilities="ICP-MS",
        capacity="20 samples/day",
        region="CN-SH",
        price="500.00",
        price_unit="sample",
    )
    return {
        "facility": facility.pk,
        "facility_booking": facility.bookings.order_by("pk").first().pk,
        "facility_outsider_draft": outsider_draft.pk,
    }


def _seed_scenarios() -> dict[str, int]:
    """The demo's published scenario list next to a draft scenario of the operator."""
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from programmes.models import ScenarioList
    from programmes.services import scenarios as scenario_services

    operator = User.objects.get(email="operator@demo.example")
    scenario_list = ScenarioList.objects.order_by("pk").first()
    now = timezone.now()
    draft = scenario_services.scenario_create(
        user=operator,
        title="Draft scenario",
        site="A plant",
        problem="Not published yet.",
        capacity="One line",
        criteria="Cost",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=30),
    )
    return {
        "scenario_list": scenario_list.pk,
        "scenario_published": scenario_list.scenarios.order_by("pk").first().pk,
        "scenario_draft": draft.pk,
    }


def _seed_duplicate_flag(*, technology_id: int, candidate_id: int) -> int:
    """An open pair of look-alike listings of two organisations (the reviewers' business)."""
    from django.db.models import Q

    from catalog.models import DuplicateFlag

    pair = Q(technology_id=technology_id, candidate_id=candidate_id) | Q(
        technology_id=candidate_id, candidate_id=technology_id
    )
    # The demo's submissions may have found this pair already.
    DuplicateFlag.objects.filter(pair).delete()
    return DuplicateFlag.objects.create(
        technology_id=technology_id,
        candidate_id=candidate_id,
        same_organization=False,
        score=0.8,
        title_score=0.8,
        text_score=0.8,
        shared_terms=["废水"],
        source="submit",
    ).pk


def _holder_notification(holder) -> int:
    """A notification of the demo holder: the other roles must get 404 for it."""
    from django.utils.translation import gettext_lazy

    from notifications.messages import Message
    from notifications.services import notify_users

    with mock.patch("celery.app.task.Task.apply_async"):
        (notification,) = notify_users(
            users=[holder], title=Message(gettext_lazy("A technology awaits review"))
        )
    return notification.pk


def _seed_trl_assessments(
    *, holder, outsider_user, technology_id: int, outsider_technology_id: int
) -> dict[str, int]:
    """A claimed readiness level with a PDF report on the holder's published listing and one on
    an outsider's private listing."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import services
    from catalog.models import Technology

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

    def claim(user, pk):
        return services.trl_claim(
            user=user,
            technology=Technology.objects.get(pk=pk),
            level=7,
            application_context="municipal wastewater, 500 t/d",
            assessed_on=datetime.date(2026, 5, 4),
            files=[SimpleUploadedFile("pilot-report.pdf", pdf, content_type="application/pdf")],
        )

    own, outsider = claim(holder, technology_id), claim(outsider_user, outsider_technology_id)
    return {
        "trl_claim": own.pk,
        "trl_evidence": own.evidence.get().pk,
        "trl_claim_outsider": outsider.pk,
        "trl_evidence_outsider": outsider.evidence.get().pk,
    }


def _seed_programmes(*, holder, outsider_user, outsider_technology_id: int) -> dict[str, int]:
    """Next to the demo's public programme objects: private ones of the holder, of the broker and
    of organisations no demo role belongs to (drafts, a pending expert, open evaluations)."""
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from catalog.models import Category, Technology
    from exchange.models import Need
    from programmes.models import (
        Challenge,
        ChallengeSubmission,
        Evaluation,
        Event,
        ExpertProfile,
        Meeting,
        Programme,
    )
    from programmes.services import challenges as challenge_services
    from programmes.services import evaluations as evaluation_services
    from programmes.services import events as event_services
    from programmes.services import experts as expert_services
    from programmes.services import screening as screening_services

    operator = User.objects.get(email="operator@demo.example")
    reviewer = User.objects.get(email="reviewer@demo.example")
    broker = User.objects.get(email="broker@demo.example")
    holder_org_id = holder.memberships.get().organization_id
    pending_expert = expert_services.expert_profile_create(
        user=outsider_user,
        name="Pending Expert",
        title="Engineer",
        bio="Waiting for a reviewer.",
        organization_name="Independent",
        languages=["zh"],
        fields=Category.objects.filter(code="2"),
    )
    unevaluated = (
        Technology.objects.filter(organization_id=holder_org_id, status="published")
        .exclude(evaluations__isnull=False)
        .order_by("pk")
        .first()
    )
    holder_evaluation = evaluation_services.evaluation_request(user=holder, technology=unevaluated)
    outsider_evaluation = evaluation_services.evaluation_request(
        user=reviewer, technology=Technology.objects.get(pk=outsider_technology_id)
    )
    outsider_programme = screening_services.programme_create(
        user=operator,
        name="Draft screening programme",
        positioning="Industrial wastewater treatment for chemical parks.",
        categories=Category.objects.filter(code="2"),
    )
    start = timezone.now() + datetime.timedelta(days=30)
    event_fields = dict(
        kind="roadshow",
        description="A draft",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        registration_closes_at=start - datetime.timedelta(days=1),
        venue="Suzhou",
        capacity=20,
        languages=["zh"],
        slot_minutes=20,
        meetings_per_participant=2,
    )
    operator_event = event_services.event_create(
        user=operator, title="Draft roadshow of the park", **event_fields
    )
    broker_event = event_services.event_create(
        user=broker, title="Draft roadshow of the broker", **event_fields
    )
    priority_need = Need.objects.filter(status="published").order_by("pk").first()
    draft_challenge = challenge_services.challenge_create(
        user=operator,
        title="Draft challenge",
        description="Not published yet.",
        closes_at=start,
        region=priority_need.region,
        needs=[priority_need],
    )
    fair = Event.objects.filter(status="open").order_by("pk").first()
    challenge = Challenge.objects.filter(status="open").order_by("pk").first()
    # The demo programme invited the holder: its shortlist is partly the holder's own.
    screening = Programme.objects.exclude(pk=outsider_programme.pk).order_by("pk").first()
    completed = Evaluation.objects.filter(
        status="completed", technology__organization_id=holder_org_id
    ).order_by("pk")
    return {
        "expert_verified": ExpertProfile.objects.get(user__email="expert-water@demo.example").pk,
        "expert_pending": pending_expert.pk,
        "evaluation_completed": completed.first().pk,
        "evaluation_holder": holder_evaluation.pk,
        "evaluation_outsider": outsider_evaluation.pk,
        "screening": screening.pk,
        "screening_outsider": outsider_programme.pk,
        "entry_technology_holder": screening.entries.filter(
            holder_invited_at__isnull=False, technology__organization_id=holder_org_id
        )
        .order_by("pk")
        .first()
        .technology_id,
        "entry_technology_outsider": screening.entries.exclude(
            technology__organization_id=holder_org_id
        )
        .order_by("pk")
        .first()
        .technology_id,
        "event": fair.pk,
        "event_draft": operator_event.pk,
        "event_broker": broker_event.pk,
        "meeting": Meeting.objects.filter(event=fair).order_by("pk").first().pk,
        "challenge": challenge.pk,
        "challenge_draft": draft_challenge.pk,
        "submission": ChallengeSubmission.objects.filter(challenge=challenge)
        .order_by("pk")
        .first()
        .pk,
    }


def demo_user(role: str):
    from accounts.models import User

    if role == "anonymous":
        return None
    return User.objects.get(email=f"{role}@demo.example")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The seeded world for one test module; the database is emptied again afterwards."""
    with django_db_blocker.unblock():
        ids = seed_world()
        yield ids
        # Leave the test database as empty as the other tests expect it.
        call_command("flush", interactive=False, verbosity=0)
