from django.apps import AppConfig


class CharterConfig(AppConfig):
    """权力清单与村规民约 (domain.md A1, A6): the village's power lists and its rules, with versions."""

    name = "shanzhi.charter"
    label = "charter"
    verbose_name = "权力清单与村规民约"
