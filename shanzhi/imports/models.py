"""导入记录: who imported which file when, and what came of it (domain.md F8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ImportKind, ImportStatus


class ImportJob(models.Model):
    """导入任务: one uploaded Excel file. All or nothing: if any row is bad, ``errors`` lists every bad row
    (Excel row number, column, reason) and nothing was written; otherwise the counts say what changed.
    The file itself is not kept (it holds identity numbers); its SHA-256 identifies it."""

    kind = models.CharField(_("类型"), max_length=20, choices=ImportKind.choices, default=ImportKind.PEOPLE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_jobs", verbose_name=_("导入人")
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    place_path = models.CharField(_("区划路径"), max_length=24, blank=True, db_index=True,
                                  help_text=_("本次导入涉及的区划的共同上级"))
    status = models.CharField(_("结果"), max_length=12, choices=ImportStatus.choices)
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    households_created = models.PositiveIntegerField(_("新增户"), default=0)
    persons_created = models.PositiveIntegerField(_("新增人员"), default=0)
    persons_updated = models.PositiveIntegerField(_("更新人员"), default=0)
    persons_unchanged = models.PositiveIntegerField(_("无变化人员"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True, help_text=_("[{row, column, message}]"))

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_user_created")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def succeeded(self) -> bool:
        return self.status == ImportStatus.IMPORTED
