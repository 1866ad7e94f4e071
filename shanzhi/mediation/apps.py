from django.apps import AppConfig


class MediationConfig(AppConfig):
    """矛盾纠纷多元化解 (domain.md M1–M6): organisations and mediators, intake, the eight steps, documents, archive, risk."""

    name = "shanzhi.mediation"
    label = "mediation"
    verbose_name = "矛盾纠纷调解"
