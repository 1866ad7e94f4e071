from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "shanzhi.workflow"
    label = "workflow"
    verbose_name = "流程内核"
