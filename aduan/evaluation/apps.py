from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "aduan.evaluation"
    label = "evaluation"
