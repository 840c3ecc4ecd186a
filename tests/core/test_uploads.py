import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
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
