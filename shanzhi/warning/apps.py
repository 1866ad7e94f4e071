from django.apps import AppConfig


class WarningConfig(AppConfig):
    """预警 (domain.md G5): three-level warnings on events and places, and the daily zero-report."""

    name = "shanzhi.warning"
    label = "warning"
    verbose_name = "预警与零报告"
