from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "shanzhi.grid"
    label = "grid"
    verbose_name = "网格治理"
