"""The administrative tree (domain.md F1): province → … → village → villager group / grid → micro-grid."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager

from .choices import Level


class Place(models.Model):
    """行政区划/网格: a node of the tree. ``path`` is the code's significant prefix, so "this place and
    everything under it" is ``path__startswith`` (domain.md F1: the code is the path)."""

    code = models.CharField(_("代码"), max_length=24, unique=True, help_text=_("12位统计用区划代码，或村以下的扩展代码"))
    path = models.CharField(_("路径"), max_length=24, unique=True, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    pinyin = models.CharField(_("拼音"), max_length=200, blank=True, db_index=True)
    initials = models.CharField(_("拼音首字母"), max_length=60, blank=True, db_index=True)
    is_synthetic = models.BooleanField(_("演示合成"), default=False, help_text=_("演示数据合成的村/网格，不是真实区划"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("区划/网格")
        verbose_name_plural = _("区划/网格")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "path"], name="place_parent_path"),
            models.Index(fields=["level", "path"], name="place_level_path"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        from .choices import ORDER

        return ORDER.index(Level(self.level))

    def is_within(self, other: Place) -> bool:
        return self.path.startswith(other.path)


def path_prefixes(path: str) -> list[str]:
    """All ancestor-or-self paths: 2, 4, 6, 9, 12 digits, then one per segment below the village
    (村民小组 ``Z01``, 网格 ``W001``, 微网格 ``01``)."""
    out = [path[:n] for n in (2, 4, 6, 9, 12) if n <= len(path)]
    pos = 12
    while pos < len(path):
        pos += {"Z": 3, "W": 4}.get(path[pos], 2)
        out.append(path[:pos])
    return out
