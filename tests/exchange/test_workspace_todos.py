"""The workspace opens with what waits for the user, each count linked to its queue and equal to
that queue's length (#14, defect 7d and item 13)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleGrant
from catalog.models import Technology
from exchange.models import DealMilestone, Introduction
from programmes.models import ExpertProfile
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def todos(page: str) -> dict[str, tuple[int, str]]:
    """key -> (count, link) of the workspace's to-do items."""
    items = {}
    for key, body in re.findall(r'data-todo="([a-z_]+)">(.*?)</li>', page, re.S):
        link = re.search(r'href="([^"]+)"', body).group(1)
        count = int(re.search(r'data-testid="todo-count">(\d+)<', body).group(1))
        items[key] = (count, link)
    return items


@pytest.fixture
def reviewer_user(db):
    return UserFactory(roles=["reviewer"])


@pytest.fixture
def mixed_queue(make_technology, make_need, make_deal, holder_org):
    """Eleven items of six kinds wait for review."""
    for number in range(3):
        OrganizationFactory(verification_status="pending", name_en=f"Pending {number}")
    applicant = UserFactory(organization=OrganizationFactory(kind="intermediary"))
    RoleGrant.objects.create(
        user=applicant, role="broker", organization=applicant.memberships.first().organization
    )
    for number in range(2):
        make_technology(status="submitted", title_zh=f"待审核技术{number}")
    make_technology(status="published", title_zh="已发布技术")
    make_need(status="submitted")
    make_need(status="submitted", title_zh="另一个待审核需求")
    make_deal(stage="submitted_for_review")
    expert_user = UserFactory()
    ExpertProfile.objects.create(
        user=expert_user, name="李专家", organization=holder_org, title="研究员", status="pending"
    )
    Technology.objects.filter(status="submitted").update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )


def test_the_reviewer_counts_every_kind_of_waiting_item_as_its_queue_lists_it(
    client, reviewer_user, mixed_queue
):
    # when the reviewer opens the workspace
    client.force_login(reviewer_user)
    page = client.get(reverse("accounts:workspace")).content.decode()
    items = todos(page)
    # then every queue is counted: 3 + 1 + 2 + 0 + 2 + 1 + 1 = 10 (+ 1 published, not counted)
    counts = {key: count for key, (count, _) in items.items()}
    assert counts["organizations_to_verify"] == 3
    assert counts["role_requests_to_decide"] == 1
    assert counts["technologies_to_review"] == 2
    assert counts["technology_changes_to_review"] == 0
    assert counts["needs_to_review"] == 2
    assert counts["deals_to_review"] == 1
    assert counts["experts_to_verify"] == 1
    # and each count equals the length of the queue its link opens
    lists = {
        "organizations_to_verify": 'data-testid="verification-item"',
        "technologies_to_review": 'data-testid="review-item"',
        "needs_to_review": 'data-testid="need-review-item"',
        "deals_to_review": 'data-testid="deal-review-item"',
    }
    for key, marker in lists.items():
        count, link = items[key]
        queue = client.get(link.split("#")[0]).content.decode()
        assert queue.count(marker) == count, key
    # and the oldest listing has waited three days
    assert "3" in re.search(r'data-todo="technologies_to_review">.*?</li>', page, re.S).group(0)
    assert "0 个机构" not in page and "0 organisations" not in page


def test_a_holder_and_an_enterprise_see_what_waits_for_their_answer(
    client, holder, enterprise, technology, make_deal
):
    # given an introduction neither side has answered and a deal in execution
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    Introduction.objects.create(
        broker=broker,
        technology=technology,
        enterprise=enterprise.memberships.first().organization,
        deal_type="license",
    )
    deal = make_deal(stage="in_execution")
    due = datetime.date(2027, 3, 1)
    DealMilestone.objects.create(deal=deal, kind="payment", title="首付款", due_date=due)
    DealMilestone.objects.create(deal=deal, kind="delivery", title="交付", due_date=due)
    DealMilestone.objects.create(deal=deal, kind="delivery", title="培训", due_date=due)
    # when the holder opens the workspace
    client.force_login(holder)
    items = todos(client.get(reverse("accounts:workspace")).content.decode())
    # then the introduction and the payment (the seller's to confirm) wait for it
    assert items["introductions_to_answer"][0] == 1
    assert items["milestones_to_confirm"][0] == 1
    assert "technologies_to_review" not in items
    # and the enterprise must answer the introduction and confirm the two deliveries
    client.force_login(enterprise)
    items = todos(client.get(reverse("accounts:workspace")).content.decode())
    assert items["introductions_to_answer"][0] == 1
    assert items["milestones_to_confirm"][0] == 2
    assert items["milestones_to_confirm"][1].endswith("?stage=in_execution")


def test_each_party_sees_contracts_to_sign_and_the_holder_its_inquiries(
    client, holder, enterprise, technology, make_deal
):
    # given a deal approved by the reviewer (both parties sign) and two new inquiries
    make_deal(stage="approved")
    make_deal(stage="inquiry")
    make_deal(stage="inquiry")
    # when the holder opens the workspace
    client.force_login(holder)
    page = client.get(reverse("accounts:workspace")).content.decode()
    items = todos(page)
    # then the contract and the two inquiries wait for it, each linked to its filtered list
    assert items["contracts_to_sign"] == (1, "/exchange/deals/?stage=approved")
    assert items["inquiries_to_answer"] == (2, "/exchange/deals/?stage=inquiry")
    # and the enterprise has the contract to sign too, but no inquiry to answer
    client.force_login(enterprise)
    items = todos(client.get(reverse("accounts:workspace")).content.decode())
    assert items["contracts_to_sign"][0] == 1
    assert "inquiries_to_answer" not in items


def test_the_holder_sees_its_figures(client, holder, technology, enterprise):
    from catalog.models import Inquiry

    # given a published technology with two inquiries this month
    for _ in range(2):
        Inquiry.objects.create(technology=technology, user=enterprise, message="请联系")
    client.force_login(holder)
    page = client.get(reverse("accounts:workspace")).content.decode()
    figures = dict(
        re.findall(r'data-figure="([a-z_0-9]+)">.*?data-testid="figure-value">([^<]+)<', page, re.S)
    )
    assert figures == {"published_technologies": "1", "inquiries_30_days": "2"}


def test_an_enterprise_sees_the_proposals_to_answer(
    client, enterprise, make_need, make_technology, holder_org, holder
):
    from exchange.models import Proposal

    need = make_need(status="published")
    for number, status in enumerate(("submitted", "shortlisted", "declined")):
        Proposal.objects.create(
            need=need,
            technology=make_technology(title_zh=f"方案技术{number}"),
            organization=holder_org,
            created_by=holder,
            approach="方案",
            timeline="三个月",
            deal_type="license",
            status=status,
        )
    client.force_login(enterprise)
    items = todos(client.get(reverse("accounts:workspace")).content.decode())
    assert items["proposals_to_answer"] == (2, reverse("exchange:my_needs"))


def test_a_broker_sees_its_introductions_waiting_and_its_leads(
    client, broker, technology, make_need, enterprise
):
    from matching.models import Match

    need = make_need(status="published")
    other_need = make_need(status="published", title_zh="第二个需求")
    Introduction.objects.create(
        broker=broker,
        technology=technology,
        need=need,
        enterprise=need.organization,
        deal_type="license",
        status="seller_accepted",
    )
    Match.objects.create(need=other_need, technology=technology, score=99)
    client.force_login(broker)
    items = todos(client.get(reverse("accounts:workspace")).content.decode())
    assert items["introductions_awaiting_parties"] == (1, reverse("exchange:introduction_list"))
    leads_count, leads_link = items["leads_to_introduce"]
    assert leads_link == reverse("matching:lead_board")
    board = client.get(leads_link).content.decode()
    assert board.count('data-testid="lead-row"') == leads_count == 1


def test_the_workspace_query_count_does_not_grow_with_the_queues(
    client, reviewer_user, make_technology, make_need
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def workspace_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:workspace")).status_code == 200
        return len(queries)

    client.force_login(reviewer_user)
    make_technology(status="submitted")
    make_need(status="submitted")
    OrganizationFactory(verification_status="pending")
    few = workspace_queries()
    # when every queue grows tenfold
    for number in range(9):
        make_technology(status="submitted", title_zh=f"技术{number}")
        make_need(status="submitted", title_zh=f"需求{number}")
        OrganizationFactory(verification_status="pending")
    # then the page asks the database as many times: one query per queue, whatever its length
    assert workspace_queries() == few
