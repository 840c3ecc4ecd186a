import pytest

from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def holder_organization(db):
    return OrganizationFactory(region="CN-JS")


@pytest.fixture
def holder(holder_organization):
    return UserFactory(roles=["holder"], organization=holder_organization)


@pytest.fixture
def other_holder(db):
    return UserFactory(roles=["holder"], organization=OrganizationFactory())


@pytest.fixture
def run_tasks_eagerly(monkeypatch, django_capture_on_commit_callbacks):
    """Queued import runs are processed in this process when their transaction commits."""
    from imports.tasks import process_import_run

    monkeypatch.setattr(
        process_import_run, "delay", lambda run_id: process_import_run.apply(args=(run_id,))
    )
