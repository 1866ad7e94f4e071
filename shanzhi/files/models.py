"""附件: photos and documents kept as evidence for any record (domain.md F8)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager

from .choices import AttachmentKind

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


def _stored_name(folder: str, mime_type: str) -> str:
    """A dated folder and a random name: the client's file name never reaches the disk."""
    return f"{folder}/{now():%Y/%m/%d}/{secrets.token_hex(16)}{EXTENSIONS.get(mime_type, '')}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return _stored_name("attachments", instance.mime_type)


def public_path(instance: Attachment, filename: str) -> str:
    return _stored_name("attachments/public", instance.mime_type)


class Attachment(models.Model):
    """附件: a file attached to any record (an event, a case, a decision…) at a place.

    The type is sniffed from the content and verified (images are opened with Pillow), never taken
    from the client. ``public_file`` caches the variant safe to show on public pages: re-encoded, with
    EXIF (GPS position, camera, time) stripped."""

    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    kind = models.CharField(_("类别"), max_length=12, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    public_file = models.FileField(_("公开版本"), upload_to=public_path, max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("上传人")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属对象类型")
    )
    object_id = models.PositiveBigIntegerField(_("所属对象编号"), null=True, blank=True)
    content_object = GenericForeignKey("object_type", "object_id")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="attachment_object")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.IMAGE
