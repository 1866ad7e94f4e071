from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "shanzhi.events"
    label = "events"
    verbose_name = "事件办理"

    def ready(self) -> None:
        from shanzhi.core import home

        from . import selectors, workflow  # noqa: F401  (workflow.py registers the 事件 workflow for the sweeper)

        home.register(selectors.home_items)
