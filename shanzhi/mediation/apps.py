from django.apps import AppConfig


class MediationConfig(AppConfig):
    """矛盾纠纷多元化解 (domain.md M1–M6): organisations and mediators, intake, the eight steps, documents, archive, risk."""

    name = "shanzhi.mediation"
    label = "mediation"
    verbose_name = "矛盾纠纷调解"

    def ready(self) -> None:
        from shanzhi.core import home
        from shanzhi.files.selectors import register_owner

        from . import selectors, workflow  # noqa: F401  (workflow.py registers the 纠纷案件 workflow)

        home.register(selectors.home_items)
        # Scans in a case file are seen by whoever may see the case.
        register_owner("mediation.Case", lambda user: selectors.cases_visible(user=user))
        from shanzhi.demo.registry import register

        from . import bulk, demo, risk_card  # noqa: F401  (risk_card adds the disputes section to the grid risk card)

        register("mediation", demo.load, order=40)
        register("mediation_bulk", bulk.load, order=46)  # county scale only: a year of ~10,000 cases
