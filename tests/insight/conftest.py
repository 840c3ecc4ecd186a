import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from exchange.models import Deal
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_email_tasks(monkeypatch):
    """Demo seeds notify people; their email tasks run in-process instead of a worker."""
    from notifications.tasks import deliver_notification_email

    monkeypatch.setattr(
        deliver_notification_email,
        "delay",
        lambda notification_id: deliver_notification_email.run(notification_id),
    )


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    """The demo data of the apps the statistics read, then a refresh (as seed_demo does)."""
    from accounts.demo import seed_accounts
    from catalog import demo as catalog_demo
    from exchange import demo as exchange_demo
    from finance import demo as finance_demo
    from insight import demo as insight_demo

    with django_capture_on_commit_callbacks(execute=False):
        users = seed_accounts()
        catalog_demo.seed()
        exchange_demo.seed()
        finance_demo.seed()
        insight_demo.seed()
    return users


@pytest.fixture
def seller(db):
    return OrganizationFactory(region="CN-JS")


@pytest.fixture
def buyer(db):
    return OrganizationFactory(region="CN-ZJ")


@pytest.fixture
def make_technology(seller):
    def make(status=TechnologyStatus.PUBLISHED, **fields) -> Technology:
        values = {
            "title_zh": "内循环厌氧反应器",
            "summary_zh": "高浓度有机废水厌氧处理",
            "category": Category.objects.get(code="2.4"),
            "trl": 7,
            "region": "CN-JS",
            "organization": seller,
            **fields,
        }
        published = timezone.now() if status == TechnologyStatus.PUBLISHED else None
        values.setdefault("published_at", published)
        return Technology.objects.create(status=status, **values)

    return make


@pytest.fixture
def make_deal(make_technology, seller, buyer):
    def make(stage="inquiry", technology=None, **fields) -> Deal:
        values = {
            "deal_type": "license",
            "price": Decimal("800000.00"),
            "currency": "CNY",
            "seller": seller,
            "buyer": buyer,
            **fields,
        }
        now = timezone.now()
        if stage in ("contract_signed", "in_execution", "completed"):
            values.setdefault("signed_at", now)
        if stage == "completed":
            values.setdefault("completed_at", now)
        return Deal.objects.create(
            technology=technology or make_technology(), stage=stage, **values
        )

    return make


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=["admin"])


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
