from django.apps import AppConfig


class AffairsConfig(AppConfig):
    """村务决策与议事 (domain.md A2, A5): the 四议两公开 decision procedure with meetings, quorum and votes; deliberation and online voting."""

    name = "shanzhi.affairs"
    label = "affairs"
    verbose_name = "村务决策与议事"
