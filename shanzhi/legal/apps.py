from django.apps import AppConfig


class LegalConfig(AppConfig):
    """公共法律服务 (domain.md M7): legal consultation, legal-aid and notarisation applications, the library of cases and laws."""

    name = "shanzhi.legal"
    label = "legal"
    verbose_name = "公共法律服务"

    def ready(self) -> None:
        from shanzhi.core import home
        from shanzhi.demo.registry import register
        from shanzhi.files.selectors import register_owner

        from . import demo, selectors

        home.register(selectors.home_items)
        # A question's photos are seen by whoever may see the question (the asker, the advisers in scope).
        register_owner("legal.Consultation", lambda user: selectors.consultations_visible(user=user))
        register("legal", demo.load, order=45)
