from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "klynge.reports"
    verbose_name = _("Annual reports")

    def ready(self) -> None:
        from klynge.audit.registry import audited

        audited("reports.PublishedReport")
