from django.apps import AppConfig


class FinancingConfig(AppConfig):
    name = "klynge.financing"
    verbose_name = "Finansiering"
