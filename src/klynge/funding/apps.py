from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "klynge.funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from klynge.audit.registry import audited

        audited("funding.Grant", "funding.GrantReceipt")
