import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from registry.choices import RecordAction, RecordStatus
from registry.models import ContractRecord
from registry.services import record_transition

URL = "/api/v1/contract-records/"


def _snapshot(record):
    return (
        list(ContractRecord.objects.filter(pk=record.pk).values()),
        record.events.count(),
    )


def test_the_parties_list_their_record_with_what_is_missing(api_client_for, record, buyer):
    # when
    response = api_client_for(buyer).get(URL)
    # then
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == record.pk
    assert row["contract_type"] == "licence"
    assert row["seller"]["region_code"] == "320000"
    assert row["seller"]["country"] == "CN"
    assert row["missing"] == []
    assert row["allowed_actions"] == []
    assert row["tax"]["vat_treatment"] == "exempt"


def test_a_stranger_neither_lists_nor_reads_a_record(api_client_for, record, stranger):
    client = api_client_for(stranger)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{record.pk}/").status_code == 404
    assert client.get(f"{URL}{record.pk}/export/?format=csv").status_code == 404


def test_anonymous_is_refused(api_client, record):
    assert api_client.get(URL).status_code in (401, 403)


def test_the_seller_patches_a_draft(api_client_for, record, seller):
    response = api_client_for(seller).patch(
        f"{URL}{record.pk}/",
        {"contract_type": "transfer", "technology_income": "900000.00", "note": "含培训"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["contract_type"] == "transfer"
    assert response.json()["technology_income"] == "900000.00"
    assert response.json()["tax"]["shows_seller_year"] is True


def test_income_above_the_amount_is_a_400_on_the_field(api_client_for, record, seller):
    before = _snapshot(record)
    response = api_client_for(seller).patch(
        f"{URL}{record.pk}/", {"technology_income": "99999999.00"}, format="json"
    )
    assert response.status_code == 400
    assert "technology_income" in response.json()
    assert _snapshot(record) == before


def test_the_buyer_may_not_edit_the_sellers_record(api_client_for, record, buyer):
    before = _snapshot(record)
    response = api_client_for(buyer).patch(
        f"{URL}{record.pk}/", {"technology_income": "1.00"}, format="json"
    )
    assert response.status_code == 409
    assert _snapshot(record) == before


def test_the_buyer_does_not_see_the_sellers_yearly_income(api_client_for, record, buyer):
    tax = api_client_for(buyer).get(f"{URL}{record.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["tax"]
    assert tax["shows_seller_year"] is False
    assert tax["yearly_transfer_income_cny"] is None
    assert "not tax or legal advice" in tax["disclaimer"]


def test_submit_then_a_reviewer_registers(api_client_for, record, seller, reviewer):
    response = api_client_for(seller).post(f"{URL}{record.pk}/submit/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["allowed_actions"] == []
    client = api_client_for(reviewer)
    assert client.get(f"{URL}{record.pk}/").json()["allowed_actions"] == ["register", "return"]
    response = client.post(
        f"{URL}{record.pk}/register/", {"registration_number": "2026320100001"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "registered"
    assert response.json()["registration_number"] == "2026320100001"


def test_the_seller_may_not_register_its_own_record(api_client_for, record, seller):
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    before = _snapshot(record)
    response = api_client_for(seller).post(
        f"{URL}{record.pk}/register/", {"registration_number": "FORGED-1"}, format="json"
    )
    assert response.status_code == 409
    assert _snapshot(record) == before


def test_a_reviewer_may_not_submit_and_return_needs_a_reason(
    api_client_for, record, seller, reviewer
):
    client = api_client_for(reviewer)
    assert client.post(f"{URL}{record.pk}/submit/", {}, format="json").status_code == 409
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    response = client.post(f"{URL}{record.pk}/return/", {}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    response = client.post(f"{URL}{record.pk}/return/", {"note": "缺少附件"}, format="json")
    assert response.json()["status"] == RecordStatus.RETURNED


def test_register_without_a_number_is_a_400(api_client_for, record, seller, reviewer):
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    response = api_client_for(reviewer).post(
        f"{URL}{record.pk}/register/", {"registration_number": "   "}, format="json"
    )
    assert response.status_code == 400
    assert "registration_number" in response.json()


def test_submit_with_a_missing_code_names_the_party(api_client_for, record, seller, buyer_org):
    type(buyer_org).objects.filter(pk=buyer_org.pk).update(credit_code="")
    response = api_client_for(seller).post(f"{URL}{record.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "buyer_credit_code" in response.json()


def test_the_export_of_one_record_in_csv_and_xlsx(api_client_for, record, seller):
    client = api_client_for(seller)
    response = client.get(f"{URL}{record.pk}/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "320000" in text and record.deal.seller.credit_code in text
    response = client.get(f"{URL}{record.pk}/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
    assert client.get(f"{URL}{record.pk}/export/?format=pdf").status_code == 400


def test_the_batch_export_filters_and_neutralises_formulas(
    api_client_for, make_record, reviewer, technology
):
    # given
    technology.title_zh = '=HYPERLINK("http://evil")'
    technology.save()
    make_record()
    make_record(deal_type="consulting")
    # when
    response = api_client_for(reviewer).get(f"{URL}export/?format=csv&contract_type=consulting")
    # then
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1]
    response = api_client_for(reviewer).get(f"{URL}export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    cell = sheet.cell(row=2, column=5)
    assert cell.value.startswith("'=") and cell.data_type == "s"
    bad = api_client_for(reviewer).get(f"{URL}export/?format=csv&completed_from=yesterday")
    assert bad.status_code == 400


def test_the_income_is_a_number_cell_in_excel(api_client_for, record, seller):
    response = api_client_for(seller).get(f"{URL}{record.pk}/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    amount, currency, income = (sheet.cell(row=2, column=column).value for column in (14, 15, 16))
    assert currency == "CNY"
    assert Decimal(str(amount)) == Decimal(str(income)) == Decimal("1200000")


@pytest.mark.parametrize("stage_user", ["buyer", "broker", "stranger"])
def test_no_one_but_a_reviewer_returns(api_client_for, record, seller, request, stage_user):
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    before = _snapshot(record)
    response = api_client_for(request.getfixturevalue(stage_user)).post(
        f"{URL}{record.pk}/return/", {"note": "x"}, format="json"
    )
    assert response.status_code in (404, 409)
    assert _snapshot(record) == before
