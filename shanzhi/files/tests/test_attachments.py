"""Attachments (F8): type from content, size limit, public images without EXIF, scoped serving."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import ValidationFailed
from shanzhi.files.models import Attachment
from shanzhi.files.selectors import attachment_list, public_url
from shanzhi.files.services import attachment_create, public_image

GPS = {1: "N", 2: (35.0, 5.0, 30.0), 3: "E", 4: (112.0, 36.0, 0.0)}


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), gps: bool = True) -> bytes:
    """A phone-like photo: camera make, orientation "rotate 90°" and, if asked, a GPS position."""
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "VillagePhone"
    exif[ExifTags.Base.Orientation] = 6
    if gps:
        exif[ExifTags.IFD.GPSInfo] = GPS
    buf = io.BytesIO()
    img.save(buf, fmt, exif=exif)
    return buf.getvalue()


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def cadre(tree, make_user):
    return make_user("village_cadre", tree.v1)


@pytest.fixture
def household(cadre, tree, make_household):
    return make_household(cadre, tree.g1)


def attach(user, household, data: bytes, name: str = "现场照片.jpg", **kwargs) -> Attachment:
    upload = SimpleUploadedFile(name, data, content_type="text/plain")  # the client's type is never trusted
    return attachment_create(acting_user=user, file=upload, place_path=household.place_path, obj=household, **kwargs)


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_public_variant_of_a_gps_photo_has_no_exif(media, cadre, household, fmt, mime):
    original = photo(fmt)
    att = attach(cadre, household, original)
    assert (att.mime_type, att.kind, att.size, att.width, att.height) == (mime, "image", len(original), 64, 48)
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)", att.file.name)
    assert att.original_name == "现场照片.jpg" and att.content_object == household
    with att.file.open("rb") as fh:
        assert Image.open(fh).getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS  # the evidence itself is untouched

    public = public_image(att)
    im = Image.open(io.BytesIO(public))
    assert im.format == fmt
    assert len(im.getexif()) == 0 and "exif" not in im.info and "xmp" not in im.info
    assert b"VillagePhone" not in public and b"Exif\x00\x00" not in public
    assert im.size == (48, 64)  # turned upright before the orientation tag went away

    att.refresh_from_db()
    assert att.public_file.name.startswith("attachments/public/")
    files = stored_files(media)
    assert public_image(att) == public  # cached: made once
    assert stored_files(media) == files and len(files) == 2


def test_public_link_is_signed_and_needs_no_login(client, media, cadre, household):
    att = attach(cadre, household, photo())
    url = public_url(att)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert len(Image.open(io.BytesIO(response.content)).getexif()) == 0
    assert client.get(f"/files/public/{att.pk}/").status_code == 404
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_original_is_served_in_scope_only(client, media, tree, cadre, household, make_user):
    villager = make_user("villager", tree.v1)
    data = photo()
    att = attach(villager, household, data)
    url = f"/files/{att.pk}/"
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(cadre)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/jpeg" and "inline" in response["Content-Disposition"]

    client.force_login(villager)  # the uploader sees their own upload
    assert client.get(url).status_code == 200
    client.force_login(make_user("village_cadre", tree.v3))  # another township
    assert client.get(url).status_code == 404
    client.force_login(make_user("villager", tree.v1))
    assert client.get(url).status_code == 404


def test_oversized_upload_is_refused_and_nothing_stored(settings, media, cadre, household):
    settings.UPLOAD_MAX_BYTES = 1000
    big = photo(size=(400, 400)) + b"\x00" * 2000
    with pytest.raises(ValidationFailed, match="文件过大") as exc:
        attach(cadre, household, big)
    assert exc.value.code == "file_too_large"
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert not AuditEntry.objects.filter(event="attachment_create").exists()


def test_fake_images_are_refused_and_nothing_stored(media, cadre, household):
    with pytest.raises(ValidationFailed, match="文件不是图片"):
        attach(cadre, household, b"just some text, renamed", name="photo.jpg", kinds=("image",))
    with pytest.raises(ValidationFailed, match="文件不是有效的图片"):
        attach(cadre, household, b"\xff\xd8\xff\xe0" + b"\x00" * 500, name="photo.jpg")
    truncated = photo(size=(300, 300))[:400]
    with pytest.raises(ValidationFailed, match="文件不是有效的图片"):
        attach(cadre, household, truncated, name="photo.jpg")
    with pytest.raises(ValidationFailed, match="文件不是图片"):
        attach(cadre, household, b"%PDF-1.4\n%%EOF\n", name="scan.pdf", kinds=("image",))
    with pytest.raises(ValidationFailed, match="不支持的文件类型"):
        attach(cadre, household, b"PK\x03\x04 a word document", name="申请.docx")
    with pytest.raises(ValidationFailed, match="文件是空的"):
        attach(cadre, household, b"", name="empty.png")
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_pdf_is_kept_as_a_document_and_audited(media, cadre, household):
    att = attach(cadre, household, b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", name="调解协议.pdf")
    assert (att.kind, att.mime_type) == ("document", "application/pdf") and att.file.name.endswith(".pdf")
    entry = AuditEntry.objects.get(event="attachment_create")
    assert entry.after["original_name"] == "调解协议.pdf" and entry.place_path == household.place_path
    with pytest.raises(ValidationFailed):
        public_image(att)
    with pytest.raises(ValueError):
        public_url(att)


def test_attachment_list_of_a_record(media, tree, cadre, household, make_user, make_household):
    first = attach(cadre, household, photo(gps=False))
    second = attach(cadre, household, b"%PDF-1.4\n%%EOF\n", name="a.pdf")
    attach(cadre, make_household(cadre, tree.g1), photo(gps=False))
    assert list(attachment_list(user=cadre, obj=household)) == [first, second]
    assert list(attachment_list(user=make_user("village_cadre", tree.v3), obj=household)) == []
