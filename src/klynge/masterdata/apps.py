from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "klynge.masterdata"
    verbose_name = "Register"
