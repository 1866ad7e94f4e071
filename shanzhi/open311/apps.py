from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 over the grid matter list and events (../shared/specs/open311/)."""

    name = "shanzhi.open311"
    label = "open311"
    verbose_name = "Open311 接口"
