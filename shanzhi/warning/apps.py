from django.apps import AppConfig


class WarningConfig(AppConfig):
    """预警 (domain.md G5): three-level warnings on events and places, and the daily zero-report."""

    name = "shanzhi.warning"
    label = "warning"
    verbose_name = "预警与零报告"

    def ready(self) -> None:
        from shanzhi.core import home, periodic

        from .selectors import home_items
        from .tasks import remind_zero_reports

        home.register(home_items)
        periodic.register(remind_zero_reports, every_seconds=600)
        from . import riskcard  # noqa: F401  (registers the warnings' section of the grid risk card)
