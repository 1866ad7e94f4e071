from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """村级财务 (domain.md A3): accounts, entries and approval chains, monthly statements, the seven open books.
    The notice board itself (A4) is the charter app's."""

    name = "shanzhi.finance"
    label = "finance"
    verbose_name = "村级财务"

    def ready(self) -> None:
        from shanzhi.core import home
        from shanzhi.files.selectors import register_owner

        from . import selectors

        home.register(selectors.home_items)
        # Voucher photos are seen by whoever may see the entry (the township's signers, the supervisory committee).
        register_owner("finance.Entry", lambda user: selectors.entries_visible(user=user))
        from shanzhi.publication.choices import PublicationKind
        from shanzhi.publication.selectors import register_public_replies

        from .services import SUMMARY_MARK

        # Villagers question an entry (named by its voucher number) on the statement; the answers are shown with it.
        register_public_replies(PublicationKind.FINANCE_STATEMENT,
                                lambda row: row[0] if row and row[0] != SUMMARY_MARK else "")
        register_public_replies(PublicationKind.FINANCE_BOOK,
                                lambda row: row[0] if row and row[0] not in ("合计", SUMMARY_MARK) else "")
        try:
            from shanzhi.affairs import api as affairs
        except ImportError:  # the affairs app's API is being built in parallel
            affairs = None
        if affairs is not None and hasattr(affairs, "on_decided"):
            from .services import DECISION_SOURCE, on_decision_settled

            affairs.on_decided(DECISION_SOURCE, on_decision_settled)
        from shanzhi.demo.registry import register

        from .demo import load_demo

        register("finance", load_demo, order=60)
