from django.apps import AppConfig


class HonoursConfig(AppConfig):
    """积分结果 (domain.md P4): quarterly stars, year-end titles and awards, the black list with its path back."""

    name = "shanzhi.honours"
    label = "honours"
    verbose_name = "星级、表彰与黑榜"

    def ready(self) -> None:
        from shanzhi.demo.registry import register
        from shanzhi.points import bulk

        # A year of points records for every household at county scale (after the points app's own demo, order 10).
        register("points_year", bulk.demo_load, order=20)
