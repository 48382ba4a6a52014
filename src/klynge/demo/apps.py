from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "klynge.demo"
    verbose_name = "Demodata"
