from django.apps import AppConfig


class AffairsConfig(AppConfig):
    """村务决策与议事 (domain.md A2, A5): the 四议两公开 decision procedure with meetings, quorum and votes; deliberation and online voting."""

    name = "shanzhi.affairs"
    label = "affairs"
    verbose_name = "村务决策与议事"

    def ready(self) -> None:
        from shanzhi.access.roles import Perm
        from shanzhi.core import home as core_home
        from shanzhi.demo.registry import register as demo_register
        from shanzhi.files.selectors import register_owner

        from . import home, workflow  # noqa: F401  (workflow.py registers the decision and topic workflows)
        from .demo import load_demo
        from .models import Meeting

        core_home.register(home.home_items)
        # A meeting's sign-in sheets and minutes are seen by whoever may see the decision.
        register_owner("affairs.Meeting", lambda user: Meeting.objects.visible_to(user, Perm.AFFAIRS_VIEW))
        demo_register("affairs", load_demo, order=50)
