"""公示 (domain.md F7): snapshots published to a village's public board for a period, and the objections
(异议) villagers file against them during that period.

A publication is immutable once published: its content, the canonical text and the fingerprint never
change; a correction is a new publication that supersedes the old one. Only the status moves forward
(published → closed / withdrawn / superseded), through the services.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from shanzhi.core.identity import mask_name, mask_phone
from shanzhi.core.scoping import ScopedManager

from . import clock
from .choices import ObjectionStatus, Phase, PublicationKind, PublicationStatus
from .fingerprint import fingerprint_of, grouped


class Publication(models.Model):
    """公示: a masked snapshot (columns and rows) of a place (village or below), shown on the village's
    public board from ``starts_on`` to ``ends_on`` inclusive; objections may be filed in that window."""

    public_id = models.CharField(_("公开编号"), max_length=16, unique=True, editable=False,
                                 help_text=_("公开页面地址中的随机编号，不可猜测"))
    kind = models.CharField(_("类型"), max_length=32, choices=PublicationKind.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("公示范围"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("公示栏所在村"))
    columns = models.JSONField(_("列"), default=list)
    rows = models.JSONField(_("行"), default=list)
    canonical_text = models.TextField(_("规范文本"), help_text=_("计算指纹所用的规范化 JSON 文本"))
    fingerprint = models.CharField(_("内容指纹（SHA-256）"), max_length=64, db_index=True)
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示截止日期"))
    contact = models.CharField(_("异议受理联系方式"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PublicationStatus.choices,
                              default=PublicationStatus.PUBLISHED, db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"))
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name=_("更正的原公示"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("撤回人"))
    withdraw_reason = models.CharField(_("撤回/更正原因"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("期满关闭时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["village", "status", "ends_on"], name="publication_board"),
            models.Index(fields=["place_path", "published_at"], name="publication_path_at"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publication_detail", args=[self.pk])

    @cached_property
    def content(self) -> dict[str, Any]:
        """The fingerprinted content itself: public pages and the notice render from this, so what people
        see is exactly what the fingerprint covers."""
        return json.loads(self.canonical_text)

    def integrity_ok(self) -> bool:
        """The stored text still hashes to the fingerprint, and the structured copy agrees with it."""
        return (fingerprint_of(self.canonical_text) == self.fingerprint
                and self.content.get("columns") == self.columns and self.content.get("rows") == self.rows)

    def phase(self, today: dt.date | None = None) -> str:
        if self.status == PublicationStatus.WITHDRAWN:
            return Phase.WITHDRAWN
        if self.status == PublicationStatus.SUPERSEDED:
            return Phase.SUPERSEDED
        today = today or clock.today()
        if today < self.starts_on:
            return Phase.SCHEDULED
        if self.status == PublicationStatus.CLOSED or today > self.ends_on:
            return Phase.ENDED
        return Phase.OPEN

    @property
    def phase_now(self) -> str:
        return self.phase()

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase()).label)

    @property
    def is_open(self) -> bool:
        return self.phase() == Phase.OPEN

    @property
    def is_live(self) -> bool:
        """Content is shown publicly unless withdrawn or replaced by a correction."""
        return self.status in (PublicationStatus.PUBLISHED, PublicationStatus.CLOSED)

    @property
    def place_label(self) -> str:
        """The place as published (snapshot name), with its village unless the name already says it."""
        name = self.content.get("place_name", "")
        village = self.village.name
        return name if name.startswith(village) else f"{village} {name}"

    @property
    def fingerprint_grouped(self) -> str:
        return grouped(self.fingerprint)

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def get_public_path(self) -> str:
        return reverse("publication_public", args=[self.public_id])

    def get_public_url(self) -> str:
        return settings.SITE_URL + self.get_public_path()


class Objection(models.Model):
    """异议: filed by anyone (no login) during the publication's window, handled by the publisher or
    anyone holding the publish permission at the place, with a reply (upheld or rejected)."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="objections",
                                    verbose_name=_("公示"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    receipt = models.CharField(_("回执号"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=11)
    text = models.TextField(_("异议内容"))
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING, db_index=True)
    reply = models.TextField(_("答复"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "place_path"], name="objection_status_path"),
            models.Index(fields=["publication", "phone"], name="objection_pub_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.name_masked}"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
