"""Every finance workflow step writes one TransitionEvent row: products, applications and
two-key money requests; a refused step writes none. Pages read the rows' labels, never codes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.models import TransitionEvent
from core.workflow import TransitionNotAllowed
from finance import services
from finance.choices import (
    ApplicationAction,
    ApplicationStatus,
    MoneyRequestAction,
    MoneyRequestStatus,
    ProductAction,
    ProductStatus,
    ProgrammeKind,
)
from finance.models import ApplicationEvent, MoneyRequestEvent, ProductEvent
from tests.finance.conftest import make_product

pytestmark = pytest.mark.django_db


def test_the_finance_event_tables_are_transition_events():
    # given / when / then: one event model for every workflow
    for model in (ProductEvent, ApplicationEvent, MoneyRequestEvent):
        assert issubclass(model, TransitionEvent)
        assert model.status_choices is not None and model.action_labels


def test_creating_publishing_and_withdrawing_a_product_write_one_event_each(bank, financier):
    # given: a draft product made through the service
    product = services.product_create(
        user=financier,
        institution=bank,
        kind="green_loan",
        name_zh="绿色贷款",
        currency="CNY",
        amount_min=Decimal("100000"),
        amount_max=Decimal("500000"),
    )
    # when: it is published, then withdrawn
    services.product_transition(product=product, user=financier, action="publish")
    services.product_transition(product=product, user=financier, action="withdraw")
    # then: three rows, who and from/to each time
    rows = list(product.events.order_by("pk").values_list("action", "from_status", "to_status"))
    assert rows == [
        (ProductAction.CREATE, "", ProductStatus.DRAFT),
        (ProductAction.PUBLISH, ProductStatus.DRAFT, ProductStatus.PUBLISHED),
        (ProductAction.WITHDRAW, ProductStatus.PUBLISHED, ProductStatus.WITHDRAWN),
    ]
    assert {event.actor for event in product.events.all()} == {financier}


def test_a_refused_product_transition_writes_no_event(bank, financier, applicant):
    # given: a published product and someone who is not its financier
    product = make_product(bank)
    # when: they try to withdraw it
    with pytest.raises(TransitionNotAllowed):
        services.product_transition(product=product, user=applicant, action="withdraw")
    # then: nothing changed, no event
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert not ProductEvent.objects.filter(product=product).exists()


def test_application_events_read_as_translated_labels(product, applicant):
    # given: an application created and submitted at once
    application = services.application_create(
        user=applicant, product=product, requested_amount=Decimal("200000"), submit=True
    )
    # when: the history is read in Chinese
    events = list(application.events.order_by("pk"))
    with translation.override("zh-hans"):
        labels = [(event.action_label, event.to_status_label) for event in events]
    # then: created, then submitted, each with its label and never the code
    assert [event.action for event in events] == [
        ApplicationAction.CREATE,
        ApplicationAction.SUBMIT,
    ]
    assert events[1].to_status == ApplicationStatus.SUBMITTED
    assert labels[1][0] == "申请已提交"
    assert all("_" not in label and label for pair in labels for label in pair)


def test_opening_and_deciding_a_money_request_write_one_event_each(
    operator, operator_colleague, operator_org
):
    # given: a programme with a budget request
    programme = services.programme_create(
        user=operator, operator=operator_org, kind=ProgrammeKind.VOUCHER, name_zh="创新券"
    )
    money_request = services.programme_budget_request(
        programme=programme, user=operator, amount="500000.00"
    )
    # when: a second person approves it
    services.money_request_transition(
        money_request=money_request, user=operator_colleague, action="approve"
    )
    # then: one row for the request, one for the approval
    rows = list(
        MoneyRequestEvent.objects.filter(request=money_request)
        .order_by("pk")
        .values_list("action", "from_status", "to_status", "actor")
    )
    assert rows == [
        (MoneyRequestAction.REQUEST, "", MoneyRequestStatus.PENDING, operator.pk),
        (
            MoneyRequestAction.APPROVE,
            MoneyRequestStatus.PENDING,
            MoneyRequestStatus.APPROVED,
            operator_colleague.pk,
        ),
    ]


def test_a_refused_money_request_opening_writes_nothing(operator, operator_org, applicant):
    # given: a programme and a user who is not its operator
    programme = services.programme_create(
        user=operator, operator=operator_org, kind=ProgrammeKind.VOUCHER, name_zh="创新券"
    )
    # when: they ask for a budget
    with pytest.raises(ValidationError):
        services.programme_budget_request(programme=programme, user=applicant, amount="1000.00")
    # then: no request and no event
    assert not programme.money_requests.exists()
    assert not MoneyRequestEvent.objects.filter(request__programme=programme).exists()


def test_a_retried_request_with_the_same_key_returns_the_first_and_writes_one_event(
    operator, operator_org
):
    # given: a programme
    programme = services.programme_create(
        user=operator, operator=operator_org, kind=ProgrammeKind.VOUCHER, name_zh="创新券"
    )
    # when: the same budget request is sent twice with one Idempotency-Key
    first = services.programme_budget_request(
        programme=programme, user=operator, amount="1000.00", idempotency_key="k-1"
    )
    again = services.programme_budget_request(
        programme=programme, user=operator, amount="1000.00", idempotency_key="k-1"
    )
    # then: one request, one event
    assert again.pk == first.pk
    assert MoneyRequestEvent.objects.filter(request=first).count() == 1
