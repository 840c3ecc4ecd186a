import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import override

from core.workflow import TransitionNotAllowed
from exchange import selectors, services
from exchange.certificates import number_is_authentic
from exchange.models import Deal, DealEvent, DealReview
from notifications.models import Notification
from tests.exchange.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def _attach_contract(deal, user, contract_upload):
    services.deal_message_post(
        deal=deal, user=user, body="合同终稿", upload=contract_upload, kind="contract"
    )


def test_buyer_opens_an_inquiry_and_the_seller_is_told(enterprise, holder, technology):
    # when the enterprise opens an inquiry for a published technology
    deal = services.deal_open(
        user=enterprise, technology=technology, deal_type="license", price=Decimal("1")
    )
    # then its organisation is the buyer, the holder the seller, and the holder is notified
    assert deal.stage == "inquiry"
    assert deal.buyer == enterprise.memberships.get().organization
    assert deal.seller == technology.organization
    assert Notification.objects.filter(recipient=holder).exists()
    assert list(deal.events.values_list("action", flat=True)) == ["open"]


def test_open_refuses_own_technology_and_unoffered_mode(holder, technology, enterprise):
    with pytest.raises(ValidationError) as own:
        services.deal_open(user=holder, technology=technology, deal_type="license")
    assert "technology" in own.value.message_dict
    with pytest.raises(ValidationError) as mode:
        services.deal_open(user=enterprise, technology=technology, deal_type="equity")
    assert "deal_type" in mode.value.message_dict
    assert Deal.objects.count() == 0


def test_allowed_actions_depend_on_the_role(make_deal, enterprise, holder, reviewer, stranger):
    deal = make_deal()
    assert services.deal_allowed_actions(deal=deal, user=holder) == ["start_negotiation", "cancel"]
    assert services.deal_allowed_actions(deal=deal, user=enterprise) == ["cancel"]
    assert services.deal_allowed_actions(deal=deal, user=reviewer) == []
    assert services.deal_allowed_actions(deal=deal, user=stranger) == []


def test_missing_data_is_named_and_nothing_changes(make_deal, holder):
    deal = make_deal(stage="negotiation", price=None)
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    assert set(error.value.message_dict) == {"price", "payment_terms"}
    deal.refresh_from_db()
    assert deal.stage == "negotiation"
    assert not DealEvent.objects.filter(deal=deal).exists()


def test_submit_for_review_needs_the_contract(make_deal, holder, contract_upload):
    deal = make_deal(stage="agreement_drafted", payment_terms="签约后 30 日内一次付清")
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=holder, action="submit_for_review")
    assert "contract" in error.value.message_dict
    _attach_contract(deal, holder, contract_upload)
    deal = services.deal_transition(deal=deal, user=holder, action="submit_for_review")
    assert deal.stage == "submitted_for_review"


def test_buyer_cannot_approve_its_own_deal(make_deal, enterprise):
    deal = make_deal(stage="submitted_for_review")
    with pytest.raises(TransitionNotAllowed):
        services.deal_transition(deal=deal, user=enterprise, action="approve")
    deal.refresh_from_db()
    assert deal.stage == "submitted_for_review"


def test_reviewer_who_is_a_party_does_not_review(make_deal, enterprise):
    enterprise.roles = ["enterprise", "reviewer"]
    enterprise.save()
    deal = make_deal(stage="submitted_for_review")
    assert "approve" not in services.deal_allowed_actions(deal=deal, user=enterprise)


def test_completing_an_unsigned_deal_is_refused(make_deal, enterprise):
    deal = make_deal(stage="approved")
    with pytest.raises(TransitionNotAllowed):
        services.deal_transition(deal=deal, user=enterprise, action="complete")
    deal.refresh_from_db()
    assert deal.stage == "approved"


def test_full_deal_with_return_review_signing_milestone_completion_and_certificate(
    make_deal, enterprise, holder, reviewer, contract_upload
):
    # given a negotiated deal with terms and a contract
    deal = make_deal(stage="negotiation")
    services.deal_update(deal=deal, user=holder, payment_terms="分两期支付")
    services.deal_transition(deal=deal, user=enterprise, action="draft_agreement")
    _attach_contract(deal, holder, contract_upload)
    services.deal_transition(deal=deal, user=holder, action="submit_for_review")
    # when the reviewer returns it once, then approves the resubmission
    services.deal_transition(deal=deal, user=reviewer, action="return", note="补充付款节点")
    services.deal_transition(deal=deal, user=enterprise, action="submit_for_review")
    services.deal_transition(deal=deal, user=reviewer, action="approve")
    services.deal_transition(deal=deal, user=holder, action="sign_contract")
    with pytest.raises(ValidationError) as no_milestone:
        services.deal_transition(deal=deal, user=enterprise, action="start_execution")
    assert "milestones" in no_milestone.value.message_dict
    milestone = services.milestone_add(
        deal=deal,
        user=holder,
        kind="payment",
        title="首付款",
        amount=Decimal("400000"),
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    deal = services.deal_transition(deal=deal, user=holder, action="start_execution")
    with pytest.raises(ValidationError) as not_done:
        services.deal_transition(deal=deal, user=enterprise, action="complete")
    assert "milestones" in not_done.value.message_dict
    with pytest.raises(TransitionNotAllowed):
        services.milestone_complete(milestone=milestone, user=enterprise)
    services.milestone_complete(milestone=milestone, user=holder)
    deal = services.deal_transition(deal=deal, user=enterprise, action="complete")
    # then the deal is completed with a genuine certificate and a full timeline
    assert deal.stage == "completed"
    assert number_is_authentic(deal.certificate.number)
    actions = list(deal.events.values_list("action", flat=True))
    assert actions[:2] == ["change", "draft_agreement"]
    assert actions.count("submit_for_review") == 2
    assert [r.decision for r in DealReview.objects.order_by("decided_at")] == ["return", "approve"]
    assert selectors.review_turnaround()["count"] == 2
    # and both sides rate each other once
    services.rating_create(deal=deal, user=enterprise, subject="organization", score=5)
    services.rating_create(deal=deal, user=holder, subject="organization", score=4, comment="好")
    with pytest.raises(TransitionNotAllowed):
        services.rating_create(deal=deal, user=holder, subject="organization", score=1)
    credit = selectors.organization_credit(deal.seller)
    assert credit["completed_deals"] == 1
    assert credit["average_rating"] == 5.0
    assert credit["milestones_on_time"] == credit["milestones_done"] == 1


def test_approval_needs_the_whole_checklist(make_deal, reviewer, holder, contract_upload):
    deal = make_deal(stage="submitted_for_review", payment_terms="一次付清")
    deal.buyer.verification_status = "pending"
    deal.buyer.save()
    with override("en"), pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=reviewer, action="approve")
    messages = " ".join(error.value.messages)
    assert "verified" in messages and "contract" in messages
    deal.refresh_from_db()
    assert deal.stage == "submitted_for_review"


def test_field_changes_are_recorded(make_deal, holder):
    deal = make_deal(stage="negotiation")
    services.deal_update(deal=deal, user=holder, price=Decimal("900000.00"))
    event = deal.events.get(action="change")
    assert event.changes == {"price": ["800000.00", "900000.00"]}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_actors_cannot_both_win(make_deal, holder, enterprise):
    # given a deal in inquiry: the seller starts negotiation while the buyer cancels
    deal = make_deal(stage="inquiry")
    results = []
    barrier = threading.Barrier(2)

    def act(user, action, note):
        try:
            barrier.wait()
            services.deal_transition(
                deal=Deal.objects.get(pk=deal.pk), user=user, action=action, note=note
            )
            results.append(action)
        except TransitionNotAllowed:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(holder, "start_negotiation", "")),
        threading.Thread(target=act, args=(enterprise, "cancel", "不再需要")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one wins and exactly one event was written
    assert sorted(results).count("refused") == 1
    deal.refresh_from_db()
    assert deal.stage in ("negotiation", "cancelled")
    assert DealEvent.objects.filter(deal=deal).count() == 1


def test_deal_room_rejects_a_fake_pdf_and_strangers(make_deal, holder, stranger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    deal = make_deal()
    fake = SimpleUploadedFile(
        "contract.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        services.deal_message_post(deal=deal, user=holder, upload=fake, kind="contract")
    assert "file" in error.value.message_dict
    with pytest.raises(TransitionNotAllowed):
        services.deal_message_post(deal=deal, user=stranger, body="hi")
    assert not deal.messages.exists() and not deal.documents.exists()
    assert PDF_BYTES.startswith(b"%PDF-")


def test_a_refused_attachment_keeps_the_typed_message(client):
    # given: a deal in negotiation and the holder in its room
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from catalog.choices import TechnologyStatus
    from tests.catalog.conftest import make_technology
    from tests.factories import OrganizationFactory, UserFactory

    seller = OrganizationFactory(kind="university")
    buyer = OrganizationFactory(kind="enterprise")
    holder = UserFactory(roles=["holder"], organization=seller)
    buyer_user = UserFactory(roles=["enterprise"], organization=buyer)
    deal = Deal.objects.create(
        technology=make_technology(holder, status=TechnologyStatus.PUBLISHED),
        seller=seller,
        buyer=buyer,
        stage="negotiation",
        opened_by=buyer_user,
        deal_type="license",
        price="800000.00",
        currency="CNY",
    )
    client.force_login(holder)
    typed = "请查收第三版合同，付款节点已按贵方意见调整。"
    # when: the attachment is an executable dressed as a PDF
    response = client.post(
        reverse("exchange:deal_message", args=[deal.pk]),
        {"body": typed, "kind": "contract", "file": SimpleUploadedFile("c.pdf", b"MZ\x90\x00")},
    )
    # then: refused with the reason, the text still in the form, nothing stored
    assert response.status_code == 400
    assert typed in response.content.decode()
    assert not deal.messages.exists() and not deal.documents.exists()
