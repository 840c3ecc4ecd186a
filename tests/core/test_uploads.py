import contextlib
import io
import zipfile
from typing import ClassVar

import boto3
import moto
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import OFFICE_DOCUMENTS, PDF_AND_IMAGES, checked_content_type, upload_content_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_real_pdf_passes():
    assert (
        checked_content_type(
            name="a.pdf", head=b"%PDF-1.7\n%\xe2\xe3", size=100, allowed=PDF_AND_IMAGES
        )
        == "application/pdf"
    )


def test_renamed_png_is_refused_by_its_content():
    # given a PNG whose name says PDF
    # when it is checked
    with pytest.raises(ValidationError) as error:
        checked_content_type(name="a.pdf", head=PNG, size=100, allowed=PDF_AND_IMAGES)
    # then the message says the content is not what the name says
    assert error.value.code == "upload_content"


@pytest.mark.parametrize(
    ("name", "head", "size", "code"),
    [
        ("a.exe", b"MZ", 100, "upload_type"),
        ("a.png", PNG, 11 * 1024 * 1024, "upload_size"),
        ("a.png", b"", 0, "upload_empty"),
    ],
)
def test_refusals_name_the_rule(name, head, size, code):
    with pytest.raises(ValidationError) as error:
        checked_content_type(name=name, head=head, size=size, allowed=PDF_AND_IMAGES)
    assert error.value.code == code


def test_word_documents_only_where_accepted():
    upload = SimpleUploadedFile("contract.docx", docx_bytes())
    assert upload_content_type(upload, allowed=OFFICE_DOCUMENTS).endswith(
        "wordprocessingml.document"
    )
    assert upload.tell() == 0
    with pytest.raises(ValidationError):
        upload_content_type(upload, allowed=PDF_AND_IMAGES)


# --- storage: uploads go through the storage API only ---------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ObjectStorage(Storage):
    """Named blobs with no local path, like an S3 bucket: Storage.path() raises
    NotImplementedError, as django-storages' S3Storage does. Shared by every instance."""

    objects: ClassVar[dict[str, bytes]] = {}

    def _save(self, name, content):
        content.seek(0)
        self.objects[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.objects[name], name=name)

    def exists(self, name):
        return name in self.objects

    def delete(self, name):
        self.objects.pop(name, None)

    def size(self, name):
        return len(self.objects[name])

    def url(self, name):
        raise NotImplementedError("objects are private: downloads go through the views")


# django-storages' S3 backend with the options config/settings.py gives it for a bucket.
S3_BACKEND = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": "gte-media",
        "region_name": "us-east-1",
        "default_acl": None,
        "querystring_auth": False,
        "file_overwrite": False,
        "signature_version": "s3v4",
    },
}


@contextlib.contextmanager
def _s3_bucket(monkeypatch):
    """An S3 bucket emulated in this process (moto): the real S3Storage, no network."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="gte-media")
        yield


@pytest.fixture(params=["no-local-path", "s3"])
def object_storage(request, settings, tmp_path, monkeypatch):
    """The default storage is an object store, as for several web replicas: code that asked for a
    filesystem path (`.path`, MEDIA_ROOT) instead of the storage API would fail. Once with a
    store whose path() raises, once with django-storages' S3 backend on an emulated bucket."""
    with contextlib.ExitStack() as stack:
        if request.param == "s3":
            stack.enter_context(_s3_bucket(monkeypatch))
            backend = S3_BACKEND
        else:
            ObjectStorage.objects = {}
            backend = {"BACKEND": "tests.core.test_uploads.ObjectStorage"}
        settings.STORAGES = {**settings.STORAGES, "default": backend}
        settings.MEDIA_ROOT = tmp_path / "media"
        from django.core.files.storage import default_storage

        yield default_storage
    # nothing reached the local disk
    assert not (tmp_path / "media").exists()


def _stored(storage, name: str) -> bytes:
    with storage.open(name, "rb") as stored:
        return stored.read()


def _downloaded(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_technology_attachments_are_stored_and_served_without_a_local_path(
    client, owner, stranger, object_storage
):
    from django.urls import reverse

    from catalog.choices import TechnologyStatus
    from tests.catalog.conftest import make_technology

    # given
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client.force_login(owner)
    with pytest.raises(NotImplementedError):
        object_storage.path("anything")
    # when the holder uploads a confidential document through the page
    response = client.post(
        reverse("catalog:attachment_upload", args=[technology.pk]),
        {"file": SimpleUploadedFile("report.pdf", PDF), "confidential": "on"},
    )
    # then it is in the storage, and the holder downloads it through the checked view
    assert response.status_code == 302
    attachment = technology.attachments.get()
    assert _stored(object_storage, attachment.file.name) == PDF
    url = reverse("catalog:attachment_download", args=[attachment.pk])
    assert _downloaded(client.get(url)) == PDF
    # and a second upload of the same name keeps the first
    client.post(
        reverse("catalog:attachment_upload", args=[technology.pk]),
        {"file": SimpleUploadedFile("report.pdf", PDF + b"% revised\n")},
    )
    second = technology.attachments.exclude(pk=attachment.pk).get()
    assert second.file.name != attachment.file.name
    assert _downloaded(client.get(url)) == PDF
    second_url = reverse("catalog:attachment_download", args=[second.pk])
    assert _downloaded(client.get(second_url)) == PDF + b"% revised\n"
    # and the permission check still applies
    client.force_login(stranger)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_deal_documents_are_stored_and_served_without_a_local_path(client, object_storage):
    from django.urls import reverse

    from catalog.choices import TechnologyStatus
    from exchange.models import Deal
    from tests.catalog.conftest import make_technology
    from tests.factories import OrganizationFactory, UserFactory

    # given a deal between a holder and an enterprise
    seller = OrganizationFactory(kind="university")
    buyer = OrganizationFactory(kind="enterprise")
    holder = UserFactory(roles=["holder"], organization=seller)
    buyer_user = UserFactory(roles=["enterprise"], organization=buyer)
    technology = make_technology(holder, status=TechnologyStatus.PUBLISHED)
    deal = Deal.objects.create(
        technology=technology,
        seller=seller,
        buyer=buyer,
        stage="negotiation",
        opened_by=buyer_user,
        deal_type="license",
        price="800000.00",
        currency="CNY",
    )
    # when the holder posts the contract in the deal room
    client.force_login(holder)
    client.post(
        reverse("exchange:deal_message", args=[deal.pk]),
        {"body": "合同终稿", "kind": "contract", "file": SimpleUploadedFile("contract.pdf", PDF)},
    )
    # then the buyer downloads it from the storage through the checked view
    document = deal.documents.get()
    assert _stored(object_storage, document.file.name) == PDF
    client.force_login(buyer_user)
    url = reverse("exchange:deal_document_download", args=[deal.pk, document.pk])
    assert _downloaded(client.get(url)) == PDF


@pytest.mark.django_db
def test_financing_documents_are_stored_and_served_without_a_local_path(
    api_client_for, client, object_storage
):
    from decimal import Decimal

    from accounts.choices import OrganizationType
    from finance.choices import CreditGrade
    from finance.models import CreditAssessment
    from tests.factories import OrganizationFactory, UserFactory
    from tests.finance.conftest import make_product

    # given an enterprise's draft application for a bank's product
    enterprise = OrganizationFactory(kind=OrganizationType.ENTERPRISE, region="CN-ZJ")
    CreditAssessment.objects.create(
        organization=enterprise,
        grade=CreditGrade.A,
        employee_count=80,
        annual_revenue=Decimal("30000000"),
    )
    applicant = UserFactory(roles=["enterprise"], organization=enterprise)
    product = make_product(OrganizationFactory(kind=OrganizationType.FINANCIAL))
    api = api_client_for(applicant)
    url = "/api/v1/finance/applications/"
    draft = api.post(
        url,
        {"product": product.pk, "requested_amount": "800000.00", "tenor_months": 24},
        format="json",
    )
    assert draft.status_code == 201, draft.data
    # when the applicant uploads a document through the API
    uploaded = api.post(
        f"{url}{draft.data['id']}/documents/",
        {"title": "营业执照", "file": SimpleUploadedFile("licence.pdf", PDF)},
        format="multipart",
    )
    # then it is downloaded from the storage through the API and the page
    assert uploaded.status_code == 201, uploaded.data
    document_id = uploaded.data["id"]
    api_download = api.get(f"{url}{draft.data['id']}/documents/{document_id}/download/")
    assert _downloaded(api_download) == PDF
    client.force_login(applicant)
    assert _downloaded(client.get(uploaded.data["download_url"])) == PDF
