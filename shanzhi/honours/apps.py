from django.apps import AppConfig


class HonoursConfig(AppConfig):
    """积分结果 (domain.md P4): quarterly stars, year-end titles and awards, the black list with its path back."""

    name = "shanzhi.honours"
    label = "honours"
    verbose_name = "星级、表彰与黑榜"
