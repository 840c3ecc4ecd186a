import pytest
from django.urls import reverse

from exchange import services
from exchange.models import Need
from tests.exchange.conftest import NEED_FIELDS, future

pytestmark = pytest.mark.django_db


def test_public_need_list_searches_and_hides_anonymous_companies(client, make_need):
    make_need(status="published", is_anonymous=True)
    make_need(
        status="published",
        title_zh="光伏组件回收",
        description_zh="退役光伏组件回收",
        title_en="",
        description_en="",
    )
    make_need()  # a draft stays private
    response = client.get(reverse("exchange:need_list"), {"q": "有机废水"})
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('data-testid="need-item"') == 1
    assert "浙江绿源化工" not in content


@pytest.mark.parametrize("rows", [5, 50])
def test_need_list_page_query_count_is_constant(
    rows, client, make_need, django_assert_max_num_queries
):
    for _ in range(rows):
        make_need(status="published")
    with django_assert_max_num_queries(8) as captured:
        response = client.get(reverse("exchange:need_list"))
    assert response.status_code == 200
    # count, page, one pass for every facet, and nothing per row
    assert len(captured) == 3


def test_need_form_shows_field_errors_and_saves_nothing(client, enterprise):
    client.force_login(enterprise)
    response = client.post(
        reverse("exchange:need_create"),
        {
            **NEED_FIELDS,
            "organization": enterprise.memberships.get().organization_id,
            "budget_min": "10",
            "budget_max": "1",
            "deadline": "2000-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"budget_max", "deadline"}
    assert not Need.objects.exists()


def test_need_form_creates_a_draft(client, enterprise):
    client.force_login(enterprise)
    response = client.post(
        reverse("exchange:need_create"),
        {
            **NEED_FIELDS,
            "organization": enterprise.memberships.get().organization_id,
            "deadline": future().isoformat(),
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "exchange:need_detail", args=[need.pk]
    )
    assert client.get(reverse("exchange:my_needs")).content.decode().count("my-need") == 1


def test_deal_pages_for_participants_only(client, make_deal, holder, stranger, reviewer):
    deal = make_deal()
    client.force_login(holder)
    page = client.get(reverse("exchange:deal_detail", args=[deal.pk])).content.decode()
    assert 'data-action="start_negotiation"' in page
    assert client.get(reverse("exchange:deal_list")).content.decode().count("deal-row") == 1
    assert client.get(reverse("exchange:contract_draft", args=[deal.pk])).content.startswith(
        b"%PDF"
    )
    client.force_login(stranger)
    assert client.get(reverse("exchange:deal_detail", args=[deal.pk])).status_code == 404
    client.force_login(reviewer)
    assert client.get(reverse("exchange:deal_review_queue")).status_code == 200


def test_deal_page_action_out_of_turn_shows_a_message(client, make_deal, enterprise):
    deal = make_deal(stage="submitted_for_review")
    client.force_login(enterprise)
    response = client.post(
        reverse("exchange:deal_transition", args=[deal.pk]), {"action": "approve"}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    deal.refresh_from_db()
    assert deal.stage == "submitted_for_review"


def test_certificate_page_and_pdf(client, make_deal, holder):
    deal = make_deal(stage="completed")
    certificate = services.certificate_issue(deal=deal)
    genuine = client.get(reverse("exchange:certificate_verify"), {"number": certificate.number})
    assert 'data-verdict="genuine"' in genuine.content.decode()
    forged = client.get(
        reverse("exchange:certificate_verify"), {"number": certificate.number[:-2] + "22"}
    )
    assert 'data-verdict="forged"' in forged.content.decode()
    client.force_login(holder)
    assert client.get(reverse("exchange:certificate_pdf", args=[deal.pk])).content.startswith(
        b"%PDF"
    )


def test_demand_list_publish_and_downloads(client, reviewer, make_need):
    from django.utils import timezone

    make_need(status="published")
    today = timezone.localdate()
    client.force_login(reviewer)
    response = client.post(
        reverse("exchange:demand_list_create"),
        {"title_zh": "2026 年第一季度技术需求清单", "period_start": today, "period_end": today},
    )
    assert response.status_code == 302
    client.logout()
    pk = int(response.url.rstrip("/").split("/")[-1])
    csv = client.get(reverse("exchange:demand_list_download", args=[pk, "csv"]))
    assert "高浓度有机废水" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("exchange:demand_list_download", args=[pk, "xlsx"]))
    assert xlsx.content.startswith(b"PK")
    pdf = client.get(reverse("exchange:demand_list_download", args=[pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")


def test_terms_form_saves_without_a_broker(client, make_deal, enterprise):
    deal = make_deal(stage="negotiation")
    client.force_login(enterprise)
    client.post(
        reverse("exchange:deal_terms", args=[deal.pk]),
        {"price": "800000.00", "currency": "CNY", "payment_terms": "一次付清"},
    )
    deal.refresh_from_db()
    assert deal.payment_terms == "一次付清"
    assert deal.events.get(action="change").changes == {"payment_terms": ["", "一次付清"]}
