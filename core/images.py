"""Uploaded pictures: Pillow decodes the whole file (a renamed executable or a truncated file is
refused), the picture is re-encoded without its metadata (EXIF: camera, GPS position, owner) and
upright, and a small thumbnail is made beside it. core.uploads has checked the name, size and
content type before; this module only deals with the pixels."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_WIDTH = 320
# Larger pictures are refused before decoding (a small file can expand to gigabytes of pixels).
MAX_PIXELS = 40_000_000
# Content types core.uploads accepts that become gallery pictures, with Pillow's format name.
PICTURE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int


def _not_a_picture(name: str) -> ValidationError:
    return ValidationError(
        _("The file “%(name)s” is not a picture that can be shown (damaged or not an image).")
        % {"name": name},
        code="upload_image",
    )


def _decoded(upload, name: str) -> Image.Image:
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _(
                        "The picture is too large: %(width)s × %(height)s pixels; at most "
                        "%(limit)s million pixels are allowed."
                    )
                    % {"width": width, "height": height, "limit": MAX_PIXELS // 1_000_000},
                    code="upload_image_pixels",
                )
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_a_picture(name) from None
    finally:
        upload.seek(0)
    return image


def _encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=88)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _pixels_only(upload) -> Image.Image:
    image = _decoded(upload, getattr(upload, "name", ""))
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    # A fresh image holds only the pixels: no EXIF, XMP, ICC comments or PNG text chunks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def picture_without_metadata(upload, *, content_type: str) -> bytes:
    """The picture of `upload` (checked by core.uploads) re-encoded in its own format without
    its metadata (camera, GPS position, owner): what is stored and hashed."""
    return _encoded(_pixels_only(upload), PICTURE_FORMATS[content_type])


def picture_process(upload, *, content_type: str) -> ProcessedImage:
    """The picture of `upload` (checked by core.uploads) re-encoded without metadata, and its
    WebP thumbnail THUMBNAIL_WIDTH pixels wide (smaller pictures keep their width)."""
    image_format = PICTURE_FORMATS[content_type]
    clean = _pixels_only(upload)
    thumbnail = clean.copy()
    if thumbnail.width > THUMBNAIL_WIDTH:
        height = max(1, round(thumbnail.height * THUMBNAIL_WIDTH / thumbnail.width))
        thumbnail = thumbnail.resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
    return ProcessedImage(
        content=_encoded(clean, image_format),
        thumbnail=_encoded(thumbnail, "WEBP"),
        width=clean.width,
        height=clean.height,
    )


def is_picture(content_type: str) -> bool:
    return content_type in PICTURE_FORMATS
