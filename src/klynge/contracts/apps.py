from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "klynge.contracts"
    verbose_name = _("Result contracts")

    def ready(self) -> None:
        from klynge.audit.registry import audited
        from klynge.contracts import history

        history.register()

        audited(
            "contracts.Contract",
            "contracts.ContractDocument",
            "contracts.Indicator",
            "contracts.IndicatorTarget",
            "contracts.FollowUpRound",
            "contracts.OfficeReport",
            "contracts.KpiResult",
            "contracts.ReminderSent",
        )
