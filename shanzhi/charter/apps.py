from django.apps import AppConfig


class CharterConfig(AppConfig):
    """权力清单与村规民约 (domain.md A1, A6) and the village notice board (A4): the village's power lists and its
    rules, with versions adopted by a decision; the public board and the township's disclosure overview."""

    name = "shanzhi.charter"
    label = "charter"
    verbose_name = "权力清单与村规民约"

    def ready(self) -> None:
        from shanzhi.affairs import api as affairs
        from shanzhi.core import home
        from shanzhi.demo import registry

        from .board import home_items
        from .demo import load_demo
        from .services import DECISION_SOURCE, on_rules_decided

        affairs.on_decided(DECISION_SOURCE, on_rules_decided)
        home.register(home_items)
        registry.register("charter", load_demo, order=55)
