"""A reviewer imports on behalf of a verified organisation (page and API); nobody else may name
another organisation."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import VerificationStatus
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from imports.choices import ImportKind, RunStatus
from imports.models import ImportRun, ImportSource
from tests.factories import OrganizationFactory, UserFactory
from tests.imports import realistic

pytestmark = pytest.mark.django_db


def _file(count=6, name="export.csv"):
    rows, _expected = realistic.realistic_rows(count)
    return SimpleUploadedFile(name, realistic.csv_bytes(rows[1:]))


@pytest.fixture
def reviewer(db):
    return UserFactory(roles=["reviewer"])


def test_a_reviewer_imports_on_behalf_of_an_organisation_in_the_browser(
    client,
    reviewer,
    holder,
    holder_organization,
    run_tasks_eagerly,
    django_capture_on_commit_callbacks,
):
    client.force_login(reviewer)
    # given the upload page offers the reviewer the organisations to import for
    page = client.get("/imports/new/").content.decode()
    assert 'name="owner_organisation"' in page and holder_organization.display_name in page
    # when the reviewer uploads for the holder's organisation and starts the run
    response = client.post(
        "/imports/new/",
        {
            "owner_organisation": holder_organization.pk,
            "kind": ImportKind.TECHNOLOGIES,
            "new_source_name": "WIPO GREEN",
            "file": _file(),
        },
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/mapping/"
    assert run.organization == holder_organization and run.created_by == reviewer
    assert run.on_behalf and run.source.organization == holder_organization
    post = {f"column-{i}": realistic.MAPPING.get(c, "") for i, c in enumerate(run.columns)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{run.pk}/mapping/", {**post, "action": "start"})
    assert response.status_code == 302
    # then the listings are drafts of the organisation, made by the reviewer
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.created_count == 4
    made = Technology.objects.filter(organization=holder_organization)
    assert made.count() == 4 and {t.status for t in made} == {TechnologyStatus.DRAFT}
    # the run says who imported and for whom, to the reviewer and to the organisation
    detail = client.get(f"/imports/{run.pk}/").content.decode()
    assert str(reviewer) in detail and holder_organization.display_name in detail
    assert 'data-testid="count-created">4<' in detail
    assert client.get(f"/imports/{run.pk}/progress/").status_code == 200
    assert f"/imports/{run.pk}/" in client.get("/imports/").content.decode()
    client.force_login(holder)
    assert client.get(f"/imports/{run.pk}/").status_code == 200
    # and a re-import of the same file by the reviewer changes nothing
    client.force_login(reviewer)
    client.post(
        "/imports/new/",
        {
            "owner_organisation": holder_organization.pk,
            "kind": ImportKind.TECHNOLOGIES,
            "source": run.source_id,
            "file": _file(),
        },
    )
    again = ImportRun.objects.exclude(pk=run.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{again.pk}/mapping/", {**post, "action": "start"})
    again.refresh_from_db()
    assert again.created_count == 0 and again.skipped_count == 4
    assert made.count() == 4


def test_the_upload_form_offers_no_owner_choice_to_a_holder(client, holder, holder_organization):
    other = OrganizationFactory()
    client.force_login(holder)
    page = client.get("/imports/new/").content.decode()
    assert 'name="owner_organisation"' not in page
    # a forged field is ignored: the run is the holder's own organisation's
    client.post(
        "/imports/new/",
        {
            "owner_organisation": other.pk,
            "kind": ImportKind.TECHNOLOGIES,
            "new_source_name": "x",
            "file": _file(),
        },
    )
    assert ImportRun.objects.get().organization == holder_organization
    assert not ImportSource.objects.filter(organization=other).exists()


def test_a_reviewer_may_not_import_for_an_unverified_organisation(client, reviewer):
    unverified = OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED)
    client.force_login(reviewer)
    response = client.post(
        "/imports/new/",
        {
            "owner_organisation": unverified.pk,
            "kind": ImportKind.TECHNOLOGIES,
            "new_source_name": "x",
            "file": _file(),
        },
    )
    assert response.status_code == 200
    assert "owner_organisation" in response.context["form"].errors
    assert not ImportRun.objects.exists() and not ImportSource.objects.exists()


def test_a_source_of_another_organisation_is_refused_on_the_page(
    client, reviewer, holder_organization
):
    other = OrganizationFactory()
    foreign = ImportSource.objects.create(
        organization=other, name="theirs", kind=ImportKind.TECHNOLOGIES
    )
    client.force_login(reviewer)
    response = client.post(
        "/imports/new/",
        {
            "owner_organisation": holder_organization.pk,
            "kind": ImportKind.TECHNOLOGIES,
            "source": foreign.pk,
            "file": _file(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["source"]
    assert not ImportRun.objects.exists()


def test_a_reviewer_imports_on_behalf_through_the_api(
    reviewer,
    holder_organization,
    api_client_for,
    run_tasks_eagerly,
    django_capture_on_commit_callbacks,
):
    client = api_client_for(reviewer)
    source = client.post(
        "/api/v1/import-sources/",
        {"name": "WIPO", "kind": "technologies", "owner_organisation": holder_organization.pk},
        format="json",
    )
    assert source.status_code == 201, source.content
    assert source.json()["organization"] == holder_organization.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {
                "file": _file(),
                "kind": "technologies",
                "source": source.json()["id"],
                "owner_organisation": holder_organization.pk,
                "mapping": json.dumps(realistic.MAPPING),
            },
            format="multipart",
        )
    assert response.status_code == 201, response.content
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert body["status"] == "completed" and body["counts"]["created"] == 4
    assert body["organization"] == holder_organization.pk and body["on_behalf"] is True
    assert body["imported_by"] == str(reviewer)
    assert [run["id"] for run in client.get("/api/v1/imports/").json()["results"]] == [body["id"]]
    assert Technology.objects.filter(organization=holder_organization).count() == 4


def test_a_holder_naming_another_organisation_is_refused_with_a_400(
    holder, holder_organization, api_client_for
):
    # given a holder and another organisation with a source of its own
    other = OrganizationFactory()
    theirs = ImportSource.objects.create(
        organization=other, name="theirs", kind=ImportKind.TECHNOLOGIES
    )
    client = api_client_for(holder)
    # when the holder names the other organisation as owner
    response = client.post(
        "/api/v1/imports/",
        {
            "file": _file(),
            "kind": "technologies",
            "source": theirs.pk,
            "owner_organisation": other.pk,
            "mapping": json.dumps(realistic.MAPPING),
        },
        format="multipart",
    )
    # then it is refused with the field named and nothing is stored
    assert response.status_code == 400 and "owner_organisation" in response.json()
    source = client.post(
        "/api/v1/import-sources/",
        {"name": "WIPO", "kind": "technologies", "owner_organisation": other.pk},
        format="json",
    )
    assert source.status_code == 400 and "owner_organisation" in source.json()
    assert not ImportRun.objects.exists()
    assert list(ImportSource.objects.all()) == [theirs]
    # naming their own organisation is allowed
    own = client.post(
        "/api/v1/import-sources/",
        {"name": "Mine", "kind": "technologies", "owner_organisation": holder_organization.pk},
        format="json",
    )
    assert own.status_code == 201


def test_a_reviewers_run_is_not_seen_by_another_organisation_or_anonymous(
    client, reviewer, holder_organization, other_holder, api_client_for
):
    client.force_login(reviewer)
    client.post(
        "/imports/new/",
        {
            "owner_organisation": holder_organization.pk,
            "kind": ImportKind.TECHNOLOGIES,
            "new_source_name": "x",
            "file": _file(),
        },
    )
    run = ImportRun.objects.get()
    client.force_login(other_holder)
    for url in ("", "mapping/", "progress/", "report.csv"):
        assert client.get(f"/imports/{run.pk}/{url}").status_code == 404, url
    assert client.post(f"/imports/{run.pk}/mapping/", {"action": "start"}).status_code == 404
    assert api_client_for(other_holder).get(f"/api/v1/imports/{run.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/imports/{run.pk}/").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.MAPPING
