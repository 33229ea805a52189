from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "aduan.console"
    label = "console"
