"""Attachments (domain.md F8): photos and documents as evidence, checked before they are kept.

A file is accepted only if its content is what it claims: the type is sniffed from the first bytes
(the client's name and Content-Type are ignored), images are opened and decoded with Pillow, PDFs are
recognised by their header. Public pages never show the original photo: ``public_image`` re-encodes
it without EXIF, because phone photos carry the GPS position of whoever took them (F7: personal data
on public pages is minimised)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.timezone import now as timezone_now
from PIL import Image, ImageOps

from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import ValidationFailed

from .choices import AttachmentKind
from .models import Attachment, public_path

logger = logging.getLogger("shanzhi.files")

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF = "application/pdf"
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; more is a decompression bomb, not evidence
PUBLIC_MAX_SIDE = 2048
KIND_NAMES = {AttachmentKind.IMAGE: "图片（JPEG、PNG、WebP）", AttachmentKind.DOCUMENT: "PDF 文档"}


def sniff_type(head: bytes) -> str:
    """The MIME type the first bytes announce, or "" if none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return PDF
    return ""


def _allowed_text(kinds: Iterable[str]) -> str:
    return "或".join(KIND_NAMES[AttachmentKind(k)] for k in kinds)


def _check_image(data: bytes, mime_type: str) -> tuple[int, int]:
    """Open and fully decode the image; (width, height). Anything Pillow cannot read is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                if IMAGE_FORMATS.get(im.format or "") != mime_type:
                    raise ValueError("format does not match the header")
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.load()  # verify() checks structure only; decoding finds truncated or corrupt data
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(f"图片尺寸过大：像素不能超过 {MAX_PIXELS // 1_000_000} 百万。", code="file_image_too_big")
    except Exception:  # Pillow raises many kinds for a bad file; to the person they are all one thing
        raise ValidationFailed("文件不是有效的图片：图片已损坏，或只是改了扩展名。请上传 JPEG、PNG 或 WebP 图片。",
                               code="file_not_image")
    return width, height


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return "".join(ch for ch in base if ch.isprintable()).strip()[:200] or "附件"


@transaction.atomic
def attachment_create(
    *, acting_user: Any, file: Any, place_path: str, obj: models.Model | None = None,
    kinds: Iterable[str] = (AttachmentKind.IMAGE, AttachmentKind.DOCUMENT),
) -> Attachment:
    """Keep an uploaded file as an attachment of ``obj`` at ``place_path``.

    The calling service has already decided that ``acting_user`` may attach to ``obj`` (a villager may
    attach photos to the event they report); this service checks the file itself: size
    (settings.UPLOAD_MAX_BYTES), type from content, images decoded. Nothing is stored if a check fails."""
    kinds = tuple(AttachmentKind(k) for k in kinds)
    if not kinds:
        raise ValidationFailed("未指定允许的附件类别。")
    if not place_path:
        raise ValidationFailed("附件须属于某个区划。", code="file_place")
    if obj is not None and obj.pk is None:
        raise ValidationFailed("附件所属的记录尚未保存。", code="file_object")
    limit = settings.UPLOAD_MAX_BYTES
    too_big = ValidationFailed(f"文件过大：单个文件不能超过 {limit / 1024 / 1024:.0f} MB。", code="file_too_large")
    declared = getattr(file, "size", None)
    if declared is not None and declared > limit:
        raise too_big
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ValidationFailed("文件是空的。", code="file_empty")

    mime_type = sniff_type(data[:16])
    kind = AttachmentKind.IMAGE if mime_type.startswith("image/") else AttachmentKind.DOCUMENT if mime_type else None
    if kind is None or kind not in kinds:
        if kinds == (AttachmentKind.IMAGE,):
            raise ValidationFailed("文件不是图片：只能上传 JPEG、PNG 或 WebP 图片。", code="file_not_image")
        raise ValidationFailed(f"不支持的文件类型：只能上传{_allowed_text(kinds)}。", code="file_type")
    width = height = None
    if kind == AttachmentKind.IMAGE:
        width, height = _check_image(data, mime_type)

    attachment = Attachment(
        original_name=_clean_name(getattr(file, "name", "")), mime_type=mime_type, kind=kind, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), width=width, height=height, place_path=place_path,
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    if obj is not None:
        attachment.object_type = ContentType.objects.get_for_model(obj)
        attachment.object_id = obj.pk
    attachment.file.save(attachment.original_name, ContentFile(data), save=False)
    try:
        attachment.save()
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="attachment_create", obj=attachment,
                     after={**snapshot(attachment, ["original_name", "mime_type", "size", "sha256"]),
                            "object": f"{attachment.object_type_id}:{attachment.object_id}" if obj is not None else ""})
    except Exception:
        attachment.file.delete(save=False)
        raise
    # If an outer transaction rolls back later, the stored file is left without a row; the storage
    # folder is dated, and ``orphan_files_sweep`` (a periodic task) deletes such orphans after a day.
    return attachment


def strip_image(data: bytes, mime_type: str) -> bytes:
    """Re-encode an image with none of the original's metadata (EXIF incl. GPS, XMP, comments, text
    chunks), turned upright first (EXIF orientation would otherwise be lost), at most 2048 px a side."""
    fmt = next(f for f, m in IMAGE_FORMATS.items() if m == mime_type)
    with Image.open(io.BytesIO(data)) as original:
        im = ImageOps.exif_transpose(original)
    im.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    icc_profile = im.info.get("icc_profile")
    im.info = {}
    params: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "JPEG":
        if im.mode not in ("RGB", "L", "CMYK"):
            im = im.convert("RGB")
        params.update(quality=85, optimize=True)
    elif fmt == "WEBP":
        params.update(quality=85)
    else:
        params.update(optimize=True)
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def public_image(attachment: Attachment) -> bytes:
    """The image as public pages may show it: EXIF stripped (``strip_image``), made once and kept as a
    derived file beside the original."""
    if not attachment.is_image:
        raise ValidationFailed("只有图片才有公开版本。", code="file_not_image")
    cached = attachment.public_file.name
    if cached:
        try:
            with attachment.public_file.open("rb") as fh:
                return fh.read()
        except FileNotFoundError:
            pass  # the derived file was lost; make it again
    with attachment.file.open("rb") as fh:
        data = strip_image(fh.read(), attachment.mime_type)
    storage = attachment.public_file.storage
    saved = storage.save(public_path(attachment, ""), ContentFile(data))
    # Two requests may race to make it; the first one's file is kept and the other's removed.
    if Attachment.objects.filter(pk=attachment.pk, public_file=cached).update(public_file=saved):
        attachment.public_file.name = saved
    else:
        storage.delete(saved)
    return data


ORPHAN_MIN_AGE = dt.timedelta(days=1)
STORED_FOLDERS = ("attachments",)  # where ``models._stored_name`` puts files (the public variants below it)


def _stored_names(storage: Any, folder: str) -> Iterator[str]:
    """Every file under ``folder`` of the storage, walked depth first."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(dirs):
        yield from _stored_names(storage, f"{folder}/{sub}")


def orphan_files_sweep(*, now: dt.datetime | None = None, min_age: dt.timedelta = ORPHAN_MIN_AGE,
                       batch: int = 500) -> int:
    """Delete stored files that no Attachment row references (as original or public variant) and that are older
    than ``min_age``: the files of uploads whose transaction rolled back after the file was written (see
    ``attachment_create``) or of public variants that lost a race. The age keeps files of uploads still in
    flight (written, row not yet committed). Returns how many were deleted; idempotent."""
    storage = Attachment._meta.get_field("file").storage
    cutoff = (now or timezone_now()) - min_age
    deleted = 0

    def settle(names: list[str]) -> int:
        old = [n for n in names if storage.get_modified_time(n) < cutoff]
        if not old:
            return 0
        known = set(Attachment.objects.filter(file__in=old).values_list("file", flat=True))
        known |= set(Attachment.objects.filter(public_file__in=old).values_list("public_file", flat=True))
        gone = 0
        for name in old:
            if name not in known:
                storage.delete(name)
                gone += 1
        return gone

    for folder in STORED_FOLDERS:
        names: list[str] = []
        for name in _stored_names(storage, folder):
            names.append(name)
            if len(names) >= batch:
                deleted += settle(names)
                names = []
        deleted += settle(names)
    if deleted:
        logger.info("orphan upload sweep: %d files deleted", deleted)
    return deleted
