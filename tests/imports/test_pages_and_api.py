import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Technology
from imports.choices import ImportKind, RunStatus
from imports.models import ImportRun, ImportSource
from tests.imports import realistic

pytestmark = pytest.mark.django_db


def _file(count=6, name="export.csv"):
    rows, _expected = realistic.realistic_rows(count)
    return SimpleUploadedFile(name, realistic.csv_bytes(rows[1:]))


def test_the_browser_flow_uploads_maps_runs_and_reports(
    client, holder, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    client.force_login(holder)
    # given an upload
    response = client.post(
        "/imports/new/",
        {"kind": ImportKind.TECHNOLOGIES, "new_source_name": "WIPO GREEN", "file": _file()},
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/mapping/"
    # the mapping page shows the detected columns, the first rows and the values to map
    page = client.get(f"/imports/{run.pk}/mapping/").content.decode()
    assert 'data-testid="column-mapping"' in page and "Sector" in page
    assert 'data-testid="value-mapping"' in page and "Under R&amp;D" in page
    # when the mapping is posted with a value mapped
    post = {f"column-{i}": realistic.MAPPING.get(c, "") for i, c in enumerate(run.columns)}
    sector_values = run.column_values["Sector"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/imports/{run.pk}/mapping/",
            {**post, "action": "start", "save_to_source": "1"},
        )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.created_count == 4
    assert ImportSource.objects.get().column_mapping["Sector"] == "category"
    assert sector_values
    # then the run page shows the counts and the report lists the refused row
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'data-testid="count-created">4<' in page
    report = client.get(f"/imports/{run.pk}/report.csv")
    assert report.status_code == 200 and "text/csv" in report["Content-Type"]
    assert "Blue economy (unknown)" in report.content.decode("utf-8-sig")
    assert client.get(f"/imports/{run.pk}/progress/").status_code == 200


def test_a_mapping_without_a_required_field_is_shown_on_the_page(client, holder):
    client.force_login(holder)
    client.post(
        "/imports/new/",
        {"kind": ImportKind.TECHNOLOGIES, "new_source_name": "x", "file": _file()},
    )
    run = ImportRun.objects.get()
    response = client.post(
        f"/imports/{run.pk}/mapping/", {"column-0": "source_id", "action": "start"}
    )
    assert response.status_code == 200
    assert 'data-testid="mapping-errors"' in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.MAPPING


def test_a_bad_file_is_a_form_error_not_a_500(client, holder, settings):
    client.force_login(holder)
    settings.IMPORT_MAX_BYTES = 100
    response = client.post(
        "/imports/new/",
        {"kind": ImportKind.TECHNOLOGIES, "new_source_name": "x", "file": _file()},
    )
    assert response.status_code == 200 and "MB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_api_imports_and_reports_rows(
    holder, api_client_for, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    client = api_client_for(holder)
    source = client.post(
        "/api/v1/import-sources/", {"name": "WIPO", "kind": "technologies"}, format="json"
    )
    assert source.status_code == 201, source.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {
                "file": _file(),
                "kind": "technologies",
                "source": source.json()["id"],
                "mapping": json.dumps(realistic.MAPPING),
            },
            format="multipart",
        )
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    body = client.get(f"/api/v1/imports/{run_id}/").json()
    assert body["status"] == "completed"
    assert body["counts"] == {"created": 4, "updated": 0, "skipped": 0, "failed": 1}
    assert body["progress"]["processed"] == body["progress"]["total"] == 5
    rows = client.get(f"/api/v1/imports/{run_id}/rows/?outcome=failed").json()
    assert [row["row_number"] for row in rows["results"]] == [4]
    assert Technology.objects.filter(organization__memberships__user=holder).count() == 4


def test_the_api_refuses_a_bad_mapping_with_a_400_and_keeps_nothing(holder, api_client_for):
    client = api_client_for(holder)
    source = client.post(
        "/api/v1/import-sources/", {"name": "WIPO", "kind": "technologies"}, format="json"
    ).json()
    response = client.post(
        "/api/v1/imports/",
        {
            "file": _file(),
            "kind": "technologies",
            "source": source["id"],
            "mapping": json.dumps({"Title": "title"}),
        },
        format="multipart",
    )
    assert response.status_code == 400 and "mapping" in response.json()
    assert not ImportRun.objects.exists()


def test_another_organisations_run_is_not_found(
    client, holder, other_holder, api_client_for, run_tasks_eagerly
):
    client.force_login(holder)
    client.post(
        "/imports/new/",
        {"kind": ImportKind.TECHNOLOGIES, "new_source_name": "x", "file": _file()},
    )
    run = ImportRun.objects.get()
    client.force_login(other_holder)
    for url in ("", "mapping/", "progress/", "report.csv"):
        assert client.get(f"/imports/{run.pk}/{url}").status_code == 404, url
    assert client.post(f"/imports/{run.pk}/mapping/", {"action": "start"}).status_code == 404
    api = api_client_for(other_holder)
    assert api.get(f"/api/v1/imports/{run.pk}/").status_code == 404
    assert api.get(f"/api/v1/imports/{run.pk}/rows/").status_code == 404
    assert api.get(f"/api/v1/import-sources/{run.source_id}/").status_code == 404
    assert (
        api.patch(
            f"/api/v1/import-sources/{run.source_id}/", {"name": "mine"}, format="json"
        ).status_code
        == 404
    )
    run.refresh_from_db()
    assert run.status == RunStatus.MAPPING and run.source.name == "x"


def test_the_old_import_page_still_answers_and_links_the_new_flow(client, holder):
    client.force_login(holder)
    response = client.get("/technologies/import/")
    assert response.status_code == 200 and "/imports/new/" in response.content.decode()


def test_a_200_mb_upload_is_refused_before_its_body_is_read(client, holder, api_client_for):
    # given a request that declares a 200 MB body (the body itself is never read)
    client.force_login(holder)
    declared = {"CONTENT_LENGTH": str(200 * 1024 * 1024)}
    # when it is posted to the page and to the API
    page = client.post("/imports/new/", {"kind": "technologies", "file": _file()}, **declared)
    api = api_client_for(holder).post(
        "/api/v1/imports/",
        {"kind": "technologies", "file": _file()},
        format="multipart",
        **declared,
    )
    # then both refuse it clearly, and nothing is stored
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")
    assert api.status_code == 413 and api.json()["code"] == "request_too_large"
    assert not ImportRun.objects.exists() and not ImportSource.objects.exists()
