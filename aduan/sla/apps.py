from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "aduan.sla"
    label = "sla"
