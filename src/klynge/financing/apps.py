from django.apps import AppConfig


class FinancingConfig(AppConfig):
    name = "klynge.financing"
    verbose_name = "Finansiering"

    def ready(self) -> None:
        from klynge.financing import history

        history.register()
