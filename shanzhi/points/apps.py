from django.apps import AppConfig


class PointsConfig(AppConfig):
    """积分制 (domain.md P1–P4): schemes, recording, review, quarterly publication, rankings, stars and the black list."""

    name = "shanzhi.points"
    label = "points"
    verbose_name = "积分制"

    def ready(self) -> None:
        from shanzhi.core import home
        from shanzhi.files.selectors import register_owner

        from . import home as points_home
        from .selectors import entries_visible

        register_owner("points.Entry", entries_visible)
        home.register(points_home.action_items)
        try:
            from shanzhi.demo import registry

            from .demo import load

            registry.register("points", load, order=10)
        except ImportError:  # the demo loader is optional in a stripped deployment
            pass
