from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "klynge.web"
    verbose_name = "Web"
