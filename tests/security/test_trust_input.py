"""Hostile input gets a clean 4xx naming what is wrong, never a 500; every API error is JSON.

Issue "Trust", items 7 (input that caused 500s) and 10 (concurrent accepts of one open call).
"""

import datetime
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


# --- out-of-range numbers in query filters --------------------------------------------------

CATALOG_FILTER_URLS = [
    "/technologies/",
    "/technologies/export.csv",
    "/technologies/export.xlsx",
    "/api/v1/technologies/",
    "/api/v1/technologies/facets/",
]


@pytest.mark.parametrize("url", CATALOG_FILTER_URLS)
@pytest.mark.parametrize(
    ("field", "value"),
    [("trl_max", "-1"), ("trl_min", HUGE), ("trl_min", "0"), ("trl_max", "10")],
)
def test_out_of_range_trl_is_a_400_naming_the_field(client, url, field, value):
    response = client.get(url, {field: value})
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")
        assert field in response.json()
    else:
        assert field.encode() in response.content


def test_valid_trl_range_still_lists(client):
    assert client.get("/technologies/", {"trl_min": "3", "trl_max": "9"}).status_code == 200
    response = client.get("/api/v1/technologies/", {"trl_min": "3", "trl_max": "9"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/api/v1/needs/", "trl", HUGE),
        ("/api/v1/needs/", "trl", "-1"),
        ("/exchange/needs/", "trl", HUGE),
        ("/api/v1/technologies/", "price_max", "1e30"),
        ("/api/v1/technologies/", "price_max", "-5"),
        ("/api/v1/finance/products/", "trl", HUGE),
        ("/api/v1/finance/products/", "institution", HUGE),
        ("/api/v1/finance/products/", "amount", "1e30"),
        ("/finance/products/", "trl", HUGE),
        ("/api/v1/evaluations/", "technology", HUGE),
        ("/api/v1/evaluations/", "technology", "-3"),
    ],
)
def test_out_of_range_filters_in_every_app_are_400(client, url, field, value):
    response = client.get(url, {field: value})
    assert response.status_code == 400, response.content[:300]
    if url.startswith("/api/"):
        assert field in response.json()
    else:
        assert field.encode() in response.content


@pytest.mark.parametrize("page", ["abc", "-1", "0", HUGE, "1e9"])
def test_bad_page_numbers_never_500(client, page):
    api = client.get("/api/v1/technologies/", {"page": page})
    assert api.status_code in (400, 404)
    body = api.json()
    assert "page" in body if api.status_code == 400 else body["code"] == "not_found"
    assert client.get("/technologies/", {"page": page}).status_code == 200
    assert client.get("/exchange/needs/", {"page": page}).status_code == 200


@pytest.mark.parametrize("size", ["abc", "-1", HUGE])
def test_bad_page_size_never_500(client, size):
    response = client.get("/api/v1/technologies/", {"page_size": size})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "page_size" in response.json()


# --- JSON nesting and request size -----------------------------------------------------------


def test_deeply_nested_json_is_a_400_not_a_recursion_error(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_nesting_inside_strings_does_not_count(client):
    body = '{"email": "' + "[" * 1000 + '", "password": "{{{{"}'
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json() or "email" in response.json()


def test_json_nested_just_below_the_limit_parses():
    from io import BytesIO

    from core.api.parsers import MAX_JSON_DEPTH, JSONParser

    data = '{"a": ' * (MAX_JSON_DEPTH - 1) + "1" + "}" * (MAX_JSON_DEPTH - 1)
    parsed = JSONParser().parse(BytesIO(data.encode()))
    assert isinstance(parsed, dict)


def test_json_body_above_the_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"email": "' + "a" * 20_000 + '"}'
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_request_above_the_size_limit_is_refused_before_reading(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = client.post(
        "/api/v1/auth/token/", '{"email": "' + "a" * 2000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    page = client.post("/accounts/login/", {"login": "a" * 2000, "password": "x"})
    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/html")


def test_too_many_form_fields_is_a_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"f{i}": "x" for i in range(50)}
    response = client.post("/accounts/login/", data)
    assert response.status_code == 400


# --- hosts and error formats -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/technologies/", "/api/v1/technologies/"])
def test_host_outside_allowed_hosts_is_a_400(path):
    response = Client(HTTP_HOST="evil.example").get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/technologies/abc/",
        "/api/v1/no-such-endpoint/",
        "/api/nothing",
        f"/api/v1/needs/{HUGE}/",
    ],
)
def test_api_404s_are_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_api_404_speaks_the_users_language(client):
    chinese = client.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"] == "Not found."
    assert chinese["detail"] != english["detail"]


def test_page_404s_stay_html(client):
    response = client.get("/technologies/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_api_405_is_json(client):
    response = client.delete("/api/v1/auth/token/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_api_500_is_json_and_pages_500_html(monkeypatch):
    from catalog import selectors

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "technology_search", broken)
    client = Client(raise_request_exception=False)
    api = client.get("/api/v1/technologies/")
    assert api.status_code == 500
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["code"] == "server_error"
    assert "boom" not in api.content.decode()
    page = client.get("/technologies/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


# --- a deadlock is a conflict, not an unavailable database -----------------------------------


def test_a_deadlock_is_not_reported_as_database_unavailable(rf):
    import psycopg.errors
    from django.db import OperationalError

    from core.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = rf.get("/api/v1/proposals/1/transition/")
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    response = middleware.process_exception(request, deadlock)
    assert response.status_code == 409
    assert json.loads(response.content)["code"] == "conflict"

    unavailable = OperationalError("connection refused")
    assert middleware.process_exception(request, unavailable).status_code == 503


# --- concurrent accepts on one open call -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_on_one_open_call_have_one_winner():
    from catalog.choices import TechnologyStatus
    from catalog.models import Category, Technology
    from exchange import services
    from exchange.models import Deal, Need, Proposal
    from tests.factories import OrganizationFactory, UserFactory

    enterprise_org = OrganizationFactory()
    enterprise = UserFactory(roles=["enterprise"], organization=enterprise_org)
    need = Need.objects.create(
        organization=enterprise_org,
        created_by=enterprise,
        status="published",
        published_at=timezone.now(),
        title_zh="开放征集：废水处理",
        description_zh="征集方案。",
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        is_open_call=True,
        call_closes_on=timezone.localdate() + datetime.timedelta(days=5),
        transaction_modes=["license"],
        region="CN-ZJ",
    )
    proposals = []
    for index in range(8):
        holder_org = OrganizationFactory()
        holder = UserFactory(roles=["holder"], organization=holder_org)
        technology = Technology.objects.create(
            organization=holder_org,
            status=TechnologyStatus.PUBLISHED,
            published_at=timezone.now(),
            title_zh=f"技术 {index}",
            summary_zh="摘要。",
            description_zh="详细。",
            category=Category.objects.get(code="2.4"),
            trl=7,
            transaction_modes=["license"],
            region="CN-JS",
        )
        proposals.append(
            services.proposal_create(
                user=holder,
                need=need,
                technology=technology,
                approach=f"方案 {index}",
                deal_type="license",
                timeline="3 个月",
            )
        )
    connection.close()

    from rest_framework.test import APIClient

    barrier = threading.Barrier(len(proposals))
    statuses: list[int] = []
    refusals: list[dict] = []
    lock = threading.Lock()

    def accept(proposal_id: int) -> None:
        client = APIClient()
        client.force_authenticate(enterprise)
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/proposals/{proposal_id}/transition/",
                {"action": "accept"},
                format="json",
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 409:
                    refusals.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p.pk,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [409] * (len(proposals) - 1)
    # Refused by the workflow (the proposal was declined meanwhile), not by a deadlock the
    # database broke: those would carry no allowed_actions.
    assert all("allowed_actions" in body for body in refusals), refusals
    assert Proposal.objects.filter(need=need, status="accepted").count() == 1
    assert Proposal.objects.filter(need=need, status="declined").count() == len(proposals) - 1
    assert Deal.objects.filter(need=need).count() == 1


# --- imports: size limits before reading, rows streamed up to the limit ----------------------

IMPORT_HEADER = "title_zh,category,trl\n"


def _counting(monkeypatch, name: str) -> list[int]:
    """Wrap catalog.imports.<name> (a row generator) to count the rows it yields."""
    from catalog import imports

    original = getattr(imports, name)
    count = [0]

    def counted(*args, **kwargs):
        for row in original(*args, **kwargs):
            count[0] += 1
            yield row

    monkeypatch.setattr(imports, name, counted)
    return count


def test_import_refuses_a_file_above_the_size_limit_before_reading_it(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import imports

    settings.IMPORT_MAX_BYTES = 1024
    body = (IMPORT_HEADER + "废水处理,2.4,7\n" * 200).encode()
    upload = SimpleUploadedFile("big.csv", body, content_type="text/csv")
    with pytest.raises(imports.ImportFailed) as failure:
        imports._rows_from_upload(upload)
    assert failure.value.errors[0][1] == "file"
    assert "MB" in failure.value.errors[0][2]
    assert upload.file.tell() == 0


def test_csv_import_stops_reading_at_the_row_limit(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 50)
    read = _counting(monkeypatch, "_csv_cells")
    body = (IMPORT_HEADER + "废水处理技术,2.4,7\n" * 50_000).encode()
    upload = SimpleUploadedFile("many.csv", body, content_type="text/csv")
    with pytest.raises(imports.ImportFailed) as failure:
        imports._rows_from_upload(upload)
    [(row, field, message)] = failure.value.errors
    assert (row, field) == (0, "file") and "50" in message
    assert read[0] <= 52  # the header, 50 rows and the one that broke the limit
    assert upload.file.tell() < len(body) // 10


def test_xlsx_import_stops_reading_at_the_row_limit(monkeypatch):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from catalog import imports

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["title_zh", "category", "trl"])
    for index in range(5_000):
        sheet.append([f"技术 {index}", "2.4", 7])
    buffer = io.BytesIO()
    workbook.save(buffer)
    monkeypatch.setattr(imports, "MAX_ROWS", 50)
    read = _counting(monkeypatch, "_xlsx_cells")
    upload = SimpleUploadedFile("many.xlsx", buffer.getvalue())
    with pytest.raises(imports.ImportFailed) as failure:
        imports._rows_from_upload(upload)
    assert "50" in failure.value.errors[0][2]
    assert read[0] <= 52


def test_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(settings, monkeypatch):
    import io
    import zipfile

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import imports

    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"0" * (4 * 1024 * 1024))
    assert len(buffer.getvalue()) < 50_000

    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    upload = SimpleUploadedFile("bomb.xlsx", buffer.getvalue())
    with pytest.raises(imports.ImportFailed) as failure:
        imports._rows_from_upload(upload)
    assert "MB" in failure.value.errors[0][2]


def test_csv_that_turns_out_not_to_be_utf8_is_read_as_gb18030():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import imports
    from core import tabular

    filler = "".join(f"plain ascii title {index:05d},2.4,7\n" for index in range(3_000))
    body = IMPORT_HEADER.encode() + filler.encode() + "高浓度废水,2.4,7\n".encode("gb18030")
    assert len(filler) > tabular.CSV_SNIFF_BYTES
    upload = SimpleUploadedFile("gbk.csv", body, content_type="text/csv")
    with pytest.raises(imports.ImportFailed):  # 3,001 rows is past the limit of 2,000
        imports._rows_from_upload(upload)
    small = IMPORT_HEADER.encode() + "高浓度废水,2.4,7\n".encode("gb18030")
    rows = imports._rows_from_upload(SimpleUploadedFile("gbk.csv", small))
    assert rows == [{"title_zh": "高浓度废水", "category": "2.4", "trl": "7"}]


def test_csv_ascii_start_then_gb18030_is_decoded(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import imports
    from core import tabular

    monkeypatch.setattr(tabular, "CSV_SNIFF_BYTES", 64)
    body = (IMPORT_HEADER + "plain ascii title number one,2.4,7\n").encode() + (
        "高浓度废水,2.4,7\n".encode("gb18030")
    )
    rows = imports._rows_from_upload(SimpleUploadedFile("late.csv", body))
    assert rows[-1] == {"title_zh": "高浓度废水", "category": "2.4", "trl": "7"}


def test_import_page_reports_a_too_large_file(client, owner, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(owner)
    upload = SimpleUploadedFile("big.csv", (IMPORT_HEADER + "x,2.4,7\n" * 500).encode())
    response = client.post("/technologies/import/", {"file": upload})
    assert response.status_code == 200
    assert 'data-testid="import-report"' in response.content.decode()
    assert "MB" in response.content.decode()
