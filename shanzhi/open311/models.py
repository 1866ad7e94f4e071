"""Open311 GeoReport v2 (../shared/specs/open311/): the API keys of the client systems and, for every service
request a client submitted, what the standard carries beyond the event itself (the requester's contact and the
media URL). The event is the platform's own record (domain.md G3); this app is only an adapter in front of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager


class ApiKey(models.Model):
    """Open311 接口密钥: one client system (a 12345 hotline, a WeChat mini-program, a county app) and the Shanzhi
    account it acts as. The account's roles decide everything — where it may report (event.report) and which
    requests it may read (the events selector's scope) — so a key never grants more than its account has.

    Only the SHA-256 digest of the key is kept (the key is 256 random bits, so a plain digest is enough and a
    look-up costs one indexed query); the key itself is shown once, when it is created. Keys are revoked, never
    deleted, so the audit trail and the submissions keep pointing at them (domain.md F4, F5)."""

    name = models.CharField(_("客户端系统名称"), max_length=100)
    prefix = models.CharField(_("密钥前缀"), max_length=12, help_text=_("用于辨认密钥，不能用来调用接口"))
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("代表的账号")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("吊销人"),
    )

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Submission(models.Model):
    """Open311 提交记录: a service request received through Open311 — the event it made, the key that sent it,
    and the fields of GeoReport v2 the event has no place for. The requester's name, phone, e-mail and the
    client's device and account ids are personal data: they are kept for the call-back (回访) and never
    returned by the GET methods. Scoped like the event (``place_path``)."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.PROTECT, related_name="+", verbose_name=_("事件")
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("接口密钥")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    email = models.EmailField(_("报告人邮箱"), max_length=254, blank=True)
    phone = models.CharField(_("报告人电话"), max_length=30, blank=True)
    first_name = models.CharField(_("报告人名"), max_length=50, blank=True)
    last_name = models.CharField(_("报告人姓"), max_length=50, blank=True)
    device_id = models.CharField(_("设备编号"), max_length=100, blank=True)
    account_id = models.CharField(_("客户端账号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("接收时间"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("Open311 提交记录")
        verbose_name_plural = _("Open311 提交记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Open311 {self.event}"
