from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "shanzhi.workflow"
    label = "workflow"
    verbose_name = "流程内核"

    def ready(self) -> None:
        from shanzhi.core import periodic

        from .tasks import sweep_overdue_cases

        periodic.register(sweep_overdue_cases, every_seconds=300)
