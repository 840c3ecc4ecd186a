"""Listing pictures (issue #14 item 10): uploaded through one service (page and API), checked by
Pillow, stored without EXIF, with a thumbnail; public ones in the gallery and the result cards;
a confidential picture never has a thumbnail URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog import services
from catalog.choices import TechnologyStatus
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

GPS_TAG = 0x8825
ARTIST_TAG = 0x013B


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_with_exif(width=1200, height=800) -> bytes:
    image = Image.new("RGB", (width, height), (30, 140, 80))
    exif = Image.Exif()
    exif[ARTIST_TAG] = "Secret Owner"
    exif[GPS_TAG] = {1: "N", 2: (31.0, 14.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png(width=640, height=480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def login(client, user):
    client.login(email=user.email, password=PASSWORD)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_picture_is_stored_without_exif_with_a_320_pixel_webp_thumbnail(owner):
    # given a published listing and a photo carrying an owner's name and a GPS position
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    # when the holder attaches it
    attachment = services.attachment_add(
        user=owner, technology=technology, upload=upload("plant.jpg", jpeg_with_exif())
    )
    # then the stored picture has no EXIF left and a WebP thumbnail 320 px wide sits beside it
    with attachment.file.open("rb") as stored:
        picture = Image.open(io.BytesIO(stored.read()))
        assert picture.format == "JPEG"
        assert not picture.getexif()
        assert b"Secret Owner" not in stored.open("rb").read()
    with attachment.thumbnail.open("rb") as thumbnail:
        small = Image.open(io.BytesIO(thumbnail.read()))
    assert small.format == "WEBP"
    assert small.size == (320, 213)
    assert (attachment.width, attachment.height) == (1200, 800)
    assert attachment.is_image


def test_an_executable_renamed_png_is_refused_with_a_clear_message(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    login(client, owner)
    fake = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500)
    fake.name = "diagram.png"
    response = client.post(
        reverse("catalog:attachment_upload", args=[technology.pk]),
        {"file": fake},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "not what its name says" in response.content.decode()
    assert not technology.attachments.exists()


def test_a_png_header_on_garbage_is_refused_by_pillow(owner):
    # given a file whose first bytes say PNG (so libmagic agrees) but that is no picture
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"garbage" * 200
    # when / then
    with pytest.raises(services.ValidationError) as error:
        services.attachment_add(user=owner, technology=technology, upload=upload("x.png", fake))
    assert "not a picture that can be shown" in " ".join(error.value.messages)
    assert not technology.attachments.exists()


def test_a_picture_over_10_mb_is_refused_in_the_api_with_a_field_error(api_client_for, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    big = SimpleUploadedFile("huge.png", png()[:64] + b"\x00" * (11 * 1024 * 1024))
    response = api_client_for(owner).post(
        f"/api/v1/technologies/{technology.pk}/attachments/",
        {"file": big},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["file"] == ["The file is too large: 11.0 MB, at most 10 MB are allowed."]
    assert not technology.attachments.exists()


def test_a_30_mb_picture_is_refused_before_it_is_read_and_says_so_in_megabytes(client, owner):
    # given a holder on the upload form and a 30 MB picture (over the 12 MB request limit)
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    login(client, owner)
    big = SimpleUploadedFile("huge.png", png()[:64] + b"\x00" * (30 * 1024 * 1024))
    # when it is sent
    response = client.post(
        reverse("catalog:attachment_upload", args=[technology.pk]),
        {"file": big},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then a clear refusal in megabytes, not a byte count or a 500
    assert response.status_code == 413
    text = response.content.decode()
    assert "30.0 MB" in text
    assert "at most 10 MB" in text
    assert not technology.attachments.exists()


def test_api_upload_makes_a_public_thumbnail_url_but_never_for_a_confidential_picture(
    api_client_for, api_client, owner
):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client = api_client_for(owner)
    url = f"/api/v1/technologies/{technology.pk}/attachments/"
    public = client.post(url, {"file": upload("a.png", png())}, format="multipart")
    secret = client.post(
        url, {"file": upload("b.png", png()), "confidential": "true"}, format="multipart"
    )
    assert public.status_code == 201, public.content
    assert public.json()["thumbnail_url"].endswith("/thumbnail/")
    assert public.json()["is_image"] is True
    assert secret.status_code == 201
    assert secret.json()["thumbnail_url"] is None
    # then an anonymous reader gets the public thumbnail and nothing of the confidential one
    assert api_client.get(public.json()["thumbnail_url"]).status_code == 200
    secret_thumbnail = reverse("catalog:attachment_thumbnail", args=[secret.json()["id"]])
    assert api_client.get(secret_thumbnail).status_code == 404
    detail = api_client.get(f"/api/v1/technologies/{technology.pk}/").json()
    assert [a["id"] for a in detail["attachments"]] == [public.json()["id"]]


def test_even_the_holder_gets_no_thumbnail_of_a_confidential_picture(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    secret = services.attachment_add(
        user=owner, technology=technology, upload=upload("s.png", png()), confidential=True
    )
    login(client, owner)
    assert client.get(reverse("catalog:attachment_thumbnail", args=[secret.pk])).status_code == 404
    page = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    assert reverse("catalog:attachment_thumbnail", args=[secret.pk]) not in page
    # the holder still downloads the confidential picture itself as a document
    assert reverse("catalog:attachment_download", args=[secret.pk]) in page


def test_a_stranger_cannot_upload_through_the_api(api_client_for, owner, stranger):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    response = api_client_for(stranger).post(
        f"/api/v1/technologies/{technology.pk}/attachments/",
        {"file": upload("a.png", png())},
        format="multipart",
    )
    assert response.status_code == 403
    assert not technology.attachments.exists()


def test_thumbnail_of_a_draft_picture_is_404_to_others(client, owner, stranger):
    draft = make_technology(owner)
    picture = services.attachment_add(user=owner, technology=draft, upload=upload("d.png", png()))
    login(client, stranger)
    assert client.get(reverse("catalog:attachment_thumbnail", args=[picture.pk])).status_code == 404


def test_gallery_on_the_detail_page_and_first_picture_on_the_result_card(client, owner):
    with_pictures = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    first = services.attachment_add(
        user=owner, technology=with_pictures, upload=upload("first.png", png())
    )
    services.attachment_add(user=owner, technology=with_pictures, upload=upload("two.png", png()))
    make_technology(owner, status=TechnologyStatus.PUBLISHED, title_zh="没有图片的技术")
    detail = client.get(reverse("catalog:technology_detail", args=[with_pictures.pk]))
    page = detail.content.decode()
    assert 'data-testid="gallery"' in page
    assert page.count("/thumbnail/") == 2
    results = client.get(reverse("catalog:technology_list")).content.decode()
    assert results.count('data-testid="card-picture"') == 1
    assert reverse("catalog:attachment_thumbnail", args=[first.pk]) in results
    # the listing without pictures has the neutral placeholder, no <img>
    assert results.count('data-testid="card-placeholder"') == 1


def test_a_listing_without_pictures_shows_the_placeholder_and_no_img(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    page = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    assert 'data-testid="gallery-placeholder"' in page
    assert "/thumbnail/" not in page
