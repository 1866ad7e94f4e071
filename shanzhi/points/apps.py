from django.apps import AppConfig


class PointsConfig(AppConfig):
    """积分制 (domain.md P1–P4): schemes, recording, review, quarterly publication, rankings, stars and the black list."""

    name = "shanzhi.points"
    label = "points"
    verbose_name = "积分制"
