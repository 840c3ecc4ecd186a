"""One check for every uploaded file: what its content is (libmagic), that its name agrees, and
its size. Apps choose which kinds they accept; uploads are stored in the default storage
(MEDIA_ROOT, or the S3-compatible object store) and served only through permission-checked views,
which read them with the storage API (`field.open()`), never a local path."""

from collections.abc import Collection
from dataclasses import dataclass

import magic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class UploadKind:
    content_types: tuple[str, ...]
    extensions: tuple[str, ...]
    label: str


UPLOAD_KINDS = {
    "pdf": UploadKind(("application/pdf",), ("pdf",), "PDF"),
    "png": UploadKind(("image/png",), ("png",), "PNG"),
    "jpeg": UploadKind(("image/jpeg",), ("jpg", "jpeg"), "JPEG"),
    "gif": UploadKind(("image/gif",), ("gif",), "GIF"),
    "webp": UploadKind(("image/webp",), ("webp",), "WebP"),
    "docx": UploadKind(
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
        ("docx",),
        "Word (.docx)",
    ),
    "xlsx": UploadKind(
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
        ("xlsx",),
        "Excel (.xlsx)",
    ),
}
IMAGES = ("png", "jpeg", "gif", "webp")
PDF_AND_IMAGES = ("pdf", *IMAGES)
OFFICE_DOCUMENTS = ("pdf", "png", "jpeg", "docx", "xlsx")


def sniff(head: bytes) -> str:
    return magic.from_buffer(head, mime=True)


def checked_content_type(
    *,
    name: str,
    head: bytes,
    size: int,
    allowed: Collection[str],
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> str:
    """The content type of an upload whose first bytes are `head`; ValidationError otherwise."""
    kinds = [UPLOAD_KINDS[kind] for kind in allowed]
    labels = ", ".join(kind.label for kind in kinds)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = [kind for kind in kinds if extension in kind.extensions]
    if not expected:
        raise ValidationError(
            _("This kind of file cannot be uploaded here. Accepted: %(labels)s.")
            % {"labels": labels},
            code="upload_type",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="upload_empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large: %(size)s MB, at most %(limit)s MB are allowed.")
            % {"size": round(size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024},
            code="upload_size",
        )
    content_type = sniff(head)
    if content_type not in expected[0].content_types:
        raise ValidationError(
            _("The file “%(name)s” is not what its name says: its content is not a %(kind)s file.")
            % {"name": name, "kind": expected[0].label},
            code="upload_content",
        )
    return content_type


def upload_content_type(upload, *, allowed: Collection[str]) -> str:
    """Check a Django UploadedFile and rewind it."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return checked_content_type(name=upload.name, head=head, size=upload.size, allowed=allowed)
