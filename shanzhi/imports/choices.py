from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("户与人员")


class ImportStatus(models.TextChoices):
    """An import is all or nothing (F8): either every row went in, or none did."""

    IMPORTED = "imported", _("已导入")
    REJECTED = "rejected", _("有错误，未导入")
