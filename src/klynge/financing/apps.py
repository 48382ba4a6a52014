from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "klynge.financing"
    verbose_name = _("Financing")

    def ready(self) -> None:
        from klynge.audit.registry import audited
        from klynge.financing import history

        history.register()
        audited(
            "financing.Agreement", "financing.AgreementYear", "financing.FinancedOffice",
            "financing.OfficeLead", "financing.Participation", "financing.CustomWeight",
            "financing.AllocationRun", "financing.AllocationLine", "financing.Scenario",
        )  # fmt: skip
