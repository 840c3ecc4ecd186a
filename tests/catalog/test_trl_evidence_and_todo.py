"""TRL evidence pictures are stored and hashed without their metadata (EXIF, GPS); pending
claims are a to-do on the workspace of the reviewers and experts who may decide them."""

import datetime
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.workspace import workspace_todos
from catalog import services
from catalog.choices import TechnologyStatus
from catalog.models import TrlEvidence
from tests.catalog.conftest import make_technology
from tests.catalog.test_trl_assessments import PDF, make_expert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ARTIST = 0x013B


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def geotagged_jpeg() -> bytes:
    image = Image.new("RGB", (80, 60), (30, 140, 70))
    exif = Image.Exif()
    exif[ARTIST] = "Site engineer Li"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 29.0, 0.0), 3: "E", 4: (120.0, 18.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def claim_with(owner, technology, files):
    return services.trl_claim(
        user=owner,
        technology=technology,
        level=7,
        application_context="municipal wastewater, 500 t/d",
        assessed_on=datetime.date(2026, 5, 4),
        files=files,
    )


def test_an_evidence_photo_loses_its_exif_and_gps_and_is_hashed_after(owner):
    # given a site photo with its author and GPS position in the EXIF
    original = geotagged_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get(GPS_IFD)
    technology = make_technology(owner)
    # when it is attached to a claim
    claim_with(owner, technology, [SimpleUploadedFile("site.jpg", original, "image/jpeg")])
    # then the stored picture has no metadata, and its hash is the stored file's
    evidence = TrlEvidence.objects.get()
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    kept = Image.open(io.BytesIO(stored))
    assert kept.size == (80, 60) and not kept.getexif()
    assert b"Site engineer Li" not in stored
    assert (
        evidence.sha256
        == hashlib.sha256(stored).hexdigest()
        != hashlib.sha256(original).hexdigest()
    )
    assert evidence.size == len(stored) and evidence.content_type == "image/jpeg"


def test_a_pdf_report_is_stored_as_sent(owner):
    technology = make_technology(owner)
    claim_with(owner, technology, [SimpleUploadedFile("report.pdf", PDF, "application/pdf")])
    evidence = TrlEvidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_broken_picture_is_refused_and_nothing_is_stored(owner):
    technology = make_technology(owner)
    broken = geotagged_jpeg()[:200]
    with pytest.raises(Exception) as refused:
        claim_with(owner, technology, [SimpleUploadedFile("site.jpg", broken, "image/jpeg")])
    assert "files" in getattr(refused.value, "message_dict", {"files": []})
    assert not TrlEvidence.objects.exists()
    assert not technology.trl_assessments.exists()


def _todo(user):
    return {item["key"]: item for item in workspace_todos(user=user)}.get("trl_claims_to_confirm")


def test_pending_claims_are_a_to_do_for_reviewers_and_outside_experts_only(owner, reviewer, client):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    claim_with(owner, technology, [])
    # a reviewer and an outside expert see one claim waiting, linking to the queue
    expert = make_expert()
    for user in (reviewer, expert):
        item = _todo(user)
        assert item["count"] == 1 and item["url"] == "/technologies/trl-assessments/"
        assert item["waiting_since"] is not None
    # the holder, another holder and an expert of the holder's organisation have no such to-do
    own_expert = make_expert(organization=owner.memberships.first().organization)
    assert _todo(own_expert)["count"] == 0
    for user in (owner, UserFactory(roles=["holder"])):
        assert _todo(user) is None
    # and the workspace page shows it to the reviewer
    client.force_login(reviewer)
    page = client.get("/me/workspace/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Readiness level claims to confirm" in page
