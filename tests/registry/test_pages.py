import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from registry.choices import RecordAction, RecordStatus
from registry.models import ContractRecord
from registry.services import record_transition


@pytest.fixture
def client_for():
    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return make


def _snapshot(record):
    return list(ContractRecord.objects.filter(pk=record.pk).values()), record.events.count()


def test_the_deal_page_shows_the_record_and_what_is_missing(client_for, record, buyer, buyer_org):
    # given: the buyer's credit code lost
    type(buyer_org).objects.filter(pk=buyer_org.pk).update(credit_code="")
    # when
    response = client_for(buyer).get(f"/exchange/deals/{record.deal_id}/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="contract-record-panel"' in html
    assert 'data-testid="contract-record-missing"' in html
    assert f"/registry/{record.pk}/" in html


def test_the_seller_completes_and_submits_in_the_browser(client_for, record, seller):
    client = client_for(seller)
    page = client.get(f"/registry/{record.pk}/")
    assert page.status_code == 200
    assert 'data-testid="record-form"' in page.content.decode()
    assert 'data-testid="tax-disclaimer"' in page.content.decode()
    response = client.post(
        f"/registry/{record.pk}/edit/",
        {
            "contract_type": "transfer",
            "technology_income": "800000.00",
            "signed_on": "2026-10-01",
            "note": "",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.contract_type, record.technology_income) == ("transfer", Decimal("800000.00"))
    response = client.post(f"/registry/{record.pk}/transition/", {"action": "submit"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_a_wrong_income_shows_the_form_again_with_the_error(client_for, record, seller):
    before = _snapshot(record)
    response = client_for(seller).post(
        f"/registry/{record.pk}/edit/",
        {"contract_type": "licence", "technology_income": "9999999.00", "signed_on": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html
    assert "9999999.00" in html
    assert _snapshot(record) == before


def test_the_buyer_may_not_edit_in_the_browser(client_for, record, buyer):
    before = _snapshot(record)
    page = client_for(buyer).get(f"/registry/{record.pk}/")
    assert 'data-testid="record-form"' not in page.content.decode()
    response = client_for(buyer).post(
        f"/registry/{record.pk}/edit/",
        {"contract_type": "transfer", "technology_income": "1.00", "signed_on": "2026-10-01"},
    )
    assert response.status_code == 302
    assert _snapshot(record) == before


def test_a_stranger_gets_404(client_for, record, stranger):
    client = client_for(stranger)
    assert client.get(f"/registry/{record.pk}/").status_code == 404
    assert client.get(f"/registry/{record.pk}/export/csv/").status_code == 404
    assert (
        client.post(f"/registry/{record.pk}/transition/", {"action": "submit"}).status_code == 404
    )


def test_the_reviewer_queue_registers_a_submitted_record(client_for, record, seller, reviewer):
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    client = client_for(reviewer)
    queue = client.get("/registry/?status=submitted")
    assert queue.status_code == 200
    assert queue.content.decode().count('data-testid="record-row"') == 1
    response = client.post(
        f"/registry/{record.pk}/transition/",
        {"action": "register", "registration_number": "2026320100009"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.registration_number) == ("registered", "2026320100009")


def test_the_seller_may_not_register_in_the_browser(client_for, record, seller):
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    before = _snapshot(record)
    client_for(seller).post(
        f"/registry/{record.pk}/transition/",
        {"action": "register", "registration_number": "FORGED"},
    )
    assert _snapshot(record) == before


def test_the_batch_export_and_wrong_filters(client_for, make_record, reviewer):
    make_record()
    make_record(deal_type="service")
    client = client_for(reviewer)
    response = client.get("/registry/export/csv/?contract_type=service")
    assert response.status_code == 200
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 2
    assert client.get("/registry/export/xlsx/").status_code == 200
    assert client.get("/registry/export/pdf/").status_code == 404
    assert client.get("/registry/?completed_from=not-a-date").status_code == 400


def test_a_non_cny_record_says_the_tax_figures_are_not_computed(client_for, make_record, seller):
    record = make_record(currency="USD", price="50000.00")
    html = client_for(seller).get(f"/registry/{record.pk}/").content.decode()
    assert 'data-testid="tax-not-computed"' in html
    assert "US$" in html or "USD" in html


def test_the_record_page_reads_in_chinese(record, seller):
    # given: the site's default language
    client = Client()
    client.force_login(seller)
    # when
    html = client.get(f"/registry/{record.pk}/").content.decode()
    # then
    assert "技术合同登记表" in html
    assert "卖方（受托方）" in html
    assert "不构成税务或法律意见" in html


def test_a_deal_not_completed_shows_no_record_panel(client_for, make_deal, buyer):
    deal = make_deal(stage="in_execution")
    html = client_for(buyer).get(f"/exchange/deals/{deal.pk}/").content.decode()
    assert 'data-testid="contract-record-panel"' not in html


def test_a_baht_record_exports_its_yuan_amounts_at_the_rate_fixed_at_signing(
    client_for, make_record, seller
):
    # given a deal priced in baht, signed at a fixed rate
    record = make_record(
        price="4500000.00",
        currency="THB",
        fx_rate=Decimal("0.2051"),
        fx_rate_date=timezone.localdate(),
    )
    # when the seller downloads its record
    response = client_for(seller).get(f"/registry/{record.pk}/export/csv/")
    # then the file gives the baht amount and its yuan value at that rate
    header, row = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    values = dict(zip(header, row, strict=True))
    assert values["Currency"] == "THB"
    assert values["Contract amount in yuan"] == "922950.00"
    assert values["Technology income in yuan"] == "922950.00"
    assert values["Exchange rate fixed at signing (yuan per unit)"].startswith("0.2051")
