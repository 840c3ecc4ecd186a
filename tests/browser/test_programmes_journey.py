"""The "Done when" journeys of experts and programmes in the browser: a technology evaluated by
two experts shows its badge; a district programme ranks and selects technologies; a fair is
created from the selection and an enterprise books two meetings without conflict; a challenge
receives a proposal and announces a winner."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from catalog.models import Category, Technology
from exchange.models import Need
from programmes.models import ExpertProfile, Meeting
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    if not Category.objects.filter(code="2.4").exists():
        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    holder_org = users["holder"].memberships.first().organization
    enterprise_org = users["enterprise"].memberships.first().organization
    other_holder = OrganizationFactory(name_zh="华北资源循环研究院", kind="institute")
    water = Category.objects.get(code="2.4")

    def technology(title, organization, **fields):
        return Technology.objects.create(
            organization=organization,
            title_zh=title,
            summary_zh=fields.pop("summary_zh", "化工园区高浓度有机废水处理与回用。"),
            category=fields.pop("category", water),
            trl=fields.pop("trl", 7),
            transaction_modes=["license", "transfer"],
            region="CN-JS",
            status="published",
            published_at=timezone.now(),
            **fields,
        )

    technologies = [
        technology("内循环厌氧反应器处理高浓度有机废水", holder_org),
        technology("化工废水膜法深度处理回用技术", other_holder),
        technology("含盐废水蒸发结晶分盐技术", holder_org),
    ]
    operator_org = OrganizationFactory(
        name_zh="苏州工业园区管理委员会", kind="government", verification_status="verified"
    )
    operator = UserFactory(
        email="operator@journey.example", roles=["operator"], organization=operator_org
    )
    operator.set_password(DEMO_PASSWORD)
    operator.save()
    experts = []
    for index, name in enumerate(["孙立新", "Anna Weber"]):
        organization = OrganizationFactory(kind="institute")
        user = UserFactory(email=f"expert{index}@journey.example", organization=organization)
        user.set_password(DEMO_PASSWORD)
        user.save()
        expert = ExpertProfile.objects.create(
            user=user,
            name=name,
            organization=organization,
            title="教授",
            languages=["zh", "en"],
            bio="工业废水处理评估。",
            status="verified",
        )
        expert.fields.set([water])
        experts.append(expert)
    need = Need.objects.create(
        organization=enterprise_org,
        created_by=users["enterprise"],
        title_zh="高浓度有机废水厌氧处理技术需求",
        description_zh="每天 800 吨高浓度有机废水，COD 20000 mg/L，寻求厌氧处理技术。",
        category=water,
        transaction_modes=["license", "transfer"],
        region="CN-ZJ",
        deadline=timezone.localdate() + datetime.timedelta(days=90),
        status="published",
        published_at=timezone.now(),
    )
    return {"technologies": technologies, "experts": experts, "need": need}


@pytest.fixture
def open_as(browser):
    contexts = []

    def open_page(base_url: str, email: str | None):
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if email:
            sign_in(page, base_url, email, DEMO_PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_two_experts_evaluate_and_the_listing_shows_the_badge(open_as, live_server, world):
    base = live_server.url
    technology = world["technologies"][0]

    # the holder asks for a paid evaluation of its technology
    holder = open_as(base, "holder@demo.example")
    holder.goto(f"{base}/programmes/evaluations/request/?technology={technology.pk}")
    holder.check("input[name=paid]")
    holder.click("[data-testid=evaluation-request-form] button[type=submit]")
    evaluation_url = holder.url

    # a reviewer assigns the two suggested experts
    reviewer = open_as(base, "reviewer@demo.example")
    reviewer.goto(evaluation_url)
    for expert in world["experts"]:
        reviewer.check(f"[data-testid=assign-form] input[value='{expert.pk}']")
    reviewer.click("[data-testid=assign-form] button[type=submit]")

    # each expert fills the structured form; one score out of range is refused first
    for index, expert in enumerate(world["experts"]):
        page = open_as(base, expert.user.email)
        page.goto(evaluation_url)
        form = page.locator("[data-testid=score-form]")
        for field, value in (
            ("technical_novelty", "8"),
            ("maturity", "12" if index == 0 else "7"),
            ("assessed_trl", "7"),
            ("market_prospects", "9"),
            ("economic_feasibility", "7"),
            ("green_benefit", "9"),
        ):
            form.locator(f"input[name={field}]").fill(value)
        form.locator("textarea[name=comments]").fill("工艺成熟，应用前景好。")
        form.locator("button[type=submit]").click()
        if index == 0:
            assert page.locator(".alert-danger").is_visible()
            page.locator("[data-testid=score-form] input[name=maturity]").fill("8")
            page.locator("[data-testid=score-form] input[name=technical_novelty]").fill("8")
            for field, value in (
                ("assessed_trl", "7"),
                ("market_prospects", "9"),
                ("economic_feasibility", "7"),
                ("green_benefit", "9"),
            ):
                page.locator(f"[data-testid=score-form] input[name={field}]").fill(value)
            page.locator("[data-testid=score-form] textarea[name=comments]").fill("工艺成熟。")
            page.locator("[data-testid=score-form] button[type=submit]").click()
        assert page.locator("[data-testid=score-form]").count() == 0

    # the reviewer completes it; the listing shows the badge to everyone
    reviewer.goto(evaluation_url)
    reviewer.fill("[data-testid=complete-form] textarea[name=summary]", "两位专家一致推荐转化。")
    reviewer.click("[data-testid=complete-form] button[type=submit]")
    # the median of the two experts' averages, 8.2 and 8.0
    assert reviewer.locator("[data-testid=combined-score]").inner_text() == "8.1"
    visitor = open_as(base, None)
    visitor.goto(f"{base}/technologies/{technology.pk}/")
    badge = visitor.locator("[data-testid=evaluation-badge]")
    assert "两位专家一致推荐转化。" in badge.inner_text()

    # the holder sees anonymous labels only
    holder.goto(evaluation_url)
    labels = holder.locator("[data-testid=expert-label]").all_inner_texts()
    assert len(labels) == 2 and "孙立新" not in labels and "Anna Weber" not in labels


def test_programme_to_fair_and_two_meetings(open_as, live_server, world):
    base = live_server.url
    technologies = world["technologies"]

    # the district operator defines the criteria and ranks the technologies
    operator = open_as(base, "operator@journey.example")
    operator.goto(f"{base}/programmes/new/")
    operator.fill("input[name=name]", "园区绿色技术遴选")
    operator.fill(
        "textarea[name=positioning]", "园区以精细化工为主，需要高浓度有机废水处理与回用技术。"
    )
    operator.select_option("select[name=categories]", str(Category.objects.get(code="2").pk))
    operator.click("[data-testid=programme-form] button[type=submit]")
    operator.click("[data-testid=screen]")
    rows = operator.locator("[data-testid=shortlist] tbody tr")
    assert rows.count() == 3
    # ranked best first, each criterion's contribution shown
    totals = [float(rows.nth(i).locator("td").nth(2).inner_text()) for i in range(3)]
    assert totals == sorted(totals, reverse=True)
    assert rows.first.locator("td").nth(3).inner_text().startswith("+")
    operator.click(f"[data-testid=select-{technologies[0].pk}]")
    operator.click(f"[data-testid=select-{technologies[1].pk}]")
    assert operator.locator("[data-testid=shortlist] tr.table-success").count() == 2

    # a fair from the selection
    operator.click("[data-testid=create-fair]")
    day = timezone.localdate() + datetime.timedelta(days=14)
    operator.fill("input[name=starts_at]", f"{day.isoformat()}T09:00")
    operator.fill("input[name=ends_at]", f"{day.isoformat()}T12:00")
    closes = day - datetime.timedelta(days=2)
    operator.fill("input[name=registration_closes_at]", f"{closes.isoformat()}T18:00")
    operator.fill("input[name=venue]", "苏州国际博览中心")
    operator.click("[data-testid=event-form] button[type=submit]")
    featured = operator.locator("[data-testid=featured]").inner_text()
    assert technologies[0].title_zh in featured and technologies[2].title_zh not in featured
    operator.click("[data-testid=event-open]")
    event_url = operator.url

    # the enterprise registers, sees its matches and books two meetings
    enterprise = open_as(base, "enterprise@demo.example")
    enterprise.goto(event_url)
    enterprise.select_option("[data-testid=register-form] select[name=role]", "enterprise")
    enterprise.click("[data-testid=register-form] button[type=submit]")
    assert (
        technologies[0].title_zh in enterprise.locator("[data-testid=event-matches]").inner_text()
    )
    for technology, slot in ((technologies[0], 0), (technologies[1], 1)):
        enterprise.select_option(
            "[data-testid=booking-form] select[name=technology]", str(technology.pk)
        )
        enterprise.select_option("[data-testid=booking-form] select[name=starts_at]", index=slot)
        enterprise.click("[data-testid=book]")
        assert enterprise.locator("[role=alert].alert-success").is_visible()
    # a third booking in an occupied slot is refused with a clear message
    enterprise.select_option(
        "[data-testid=booking-form] select[name=technology]", str(technologies[1].pk)
    )
    enterprise.select_option("[data-testid=booking-form] select[name=starts_at]", index=0)
    enterprise.click("[data-testid=book]")
    assert enterprise.locator("[role=alert].alert-danger").is_visible()
    assert enterprise.locator("[data-testid=meetings] tbody tr").count() == 2
    assert Meeting.objects.count() == 2


def test_challenge_receives_a_proposal_and_announces_a_winner(open_as, live_server, world):
    base = live_server.url
    need = world["need"]
    technology = world["technologies"][0]

    operator = open_as(base, "operator@journey.example")
    operator.goto(f"{base}/programmes/challenges/new/")
    operator.fill("input[name=title]", "浙江化工园区废水治理揭榜挂帅")
    operator.fill("textarea[name=description]", "征集高浓度有机废水处理方案。")
    closes = timezone.localdate() + datetime.timedelta(days=30)
    operator.fill("input[name=closes_at]", f"{closes.isoformat()}T18:00")
    operator.select_option("select[name=region]", "CN-ZJ")
    operator.select_option("select[name=needs]", str(need.pk))
    operator.click("[data-testid=challenge-form] button[type=submit]")
    operator.click("[data-testid=challenge-publish]")
    challenge_url = operator.url

    holder = open_as(base, "holder@demo.example")
    holder.goto(challenge_url)
    form = holder.locator("[data-testid=submission-form]")
    form.locator("select[name=need]").select_option(str(need.pk))
    form.locator("select[name=technology]").select_option(str(technology.pk))
    form.locator("select[name=deal_type]").select_option("license")
    form.locator("textarea[name=approach]").fill("IC 厌氧 + 好氧深度处理，三个月中试。")
    form.locator("input[name=timeline]").fill("6 个月")
    form.locator("button[type=submit]").click()
    assert holder.locator(".alert-success").is_visible()

    operator.goto(challenge_url)
    assert operator.locator("[data-testid=submissions] tbody tr").count() == 1
    operator.click("[data-testid=challenge-close]")
    operator.locator("[data-testid=submissions] input[name=award]").fill("揭榜成功")
    operator.locator("[data-testid=submissions] button[data-testid^=winner-]").click()
    operator.fill("[data-testid=announce-form] textarea[name=note]", "经专家评审，揭榜成功。")
    operator.click("[data-testid=announce-form] button[type=submit]")

    visitor = open_as(base, None)
    visitor.goto(challenge_url)
    winners = visitor.locator("[data-testid=winners]").inner_text()
    assert technology.title_zh in winners and "揭榜成功" in winners
