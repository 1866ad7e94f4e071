from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """村级财务与村务公开 (domain.md A3, A4): accounts, entries and approval chains, monthly statements, the notice board."""

    name = "shanzhi.finance"
    label = "finance"
    verbose_name = "村级财务与村务公开"
