from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "shanzhi.events"
    label = "events"
    verbose_name = "事件办理"

    def ready(self) -> None:
        from shanzhi.core import home

        from . import selectors, workflow  # noqa: F401  (workflow.py registers the 事件 workflow for the sweeper)

        home.register(selectors.home_items)
        from shanzhi.files.selectors import register_owner

        # An event's photos are seen by whoever may see the event (the handling department, the reporter).
        register_owner("events.Event", lambda user: selectors.events_visible(user=user))
        from shanzhi.core import periodic

        from .classifier import WEEK_SECONDS, retrain_classifier

        periodic.register(retrain_classifier, every_seconds=WEEK_SECONDS)  # the triage classifier, weekly
        from . import riskcard  # noqa: F401  (registers open events on the grid risk card and map)
