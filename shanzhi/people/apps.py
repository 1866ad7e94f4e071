from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shanzhi.people"
    label = "people"
    verbose_name = "人口台账"

    def ready(self) -> None:
        from shanzhi.core import home

        from . import moves, workflow  # noqa: F401  (workflow.py registers the 户迁移 workflow)

        home.register(moves.home_items)
