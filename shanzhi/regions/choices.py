from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Levels of the administrative tree (domain.md F1), top to bottom."""

    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/区")
    TOWNSHIP = "township", _("乡/镇/街道")
    VILLAGE = "village", _("村/社区")
    GROUP = "group", _("村民小组")
    GRID = "grid", _("网格")
    MICROGRID = "microgrid", _("微网格")


ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP, Level.GRID, Level.MICROGRID]
# Significant digits of the 12-digit statistical code at each level (2+2+2+3+3).
SIGNIFICANT = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
# Which level may sit under which (a county may hang directly under a province: 济源, municipalities).
ALLOWED_PARENTS = {
    Level.PROVINCE: set(),
    Level.CITY: {Level.PROVINCE},
    Level.COUNTY: {Level.CITY, Level.PROVINCE},
    Level.TOWNSHIP: {Level.COUNTY},
    Level.VILLAGE: {Level.TOWNSHIP},
    Level.GROUP: {Level.VILLAGE},
    Level.GRID: {Level.VILLAGE},
    Level.MICROGRID: {Level.GRID},
}
# Below a village the path grows by a marker and a sequence: 村民小组 Z01, 网格 W001, 微网格 01.
CHILD_SEGMENT = {Level.GROUP: ("Z", 2), Level.GRID: ("W", 3), Level.MICROGRID: ("", 2)}
