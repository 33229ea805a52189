from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "aduan.workflow"
    label = "workflow"
