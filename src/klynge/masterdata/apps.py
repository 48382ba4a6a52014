"""The register app; its audit entries read with translated labels."""

import re
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from klynge.core.money import group_thousands


def _note_text(value: Any, _lookup: Any) -> str:
    """A source note as read: numbers of five digits or more grouped (849857 → 849.857)."""
    return re.sub(r"(?<![\d.,])\d{5,}(?![\d.,])", lambda m: group_thousands(int(m[0])), str(value))


class MasterdataConfig(AppConfig):
    name = "klynge.masterdata"
    verbose_name = _("The register")

    def ready(self) -> None:
        from klynge.audit.presentation import describe
        from klynge.audit.registry import audited

        audited("masterdata.PopulationFigure", "masterdata.PopulationFetch")

        describe(
            "masterdata.populationfigure",
            labels={
                "municipality_id": _("Municipality"),
                "reference_date": _("Reference date"),
                "population": _("Population"),
                "source": _("Full source note"),
                "source_label": _("Source"),
                "source_url": _("Link to the source"),
                "source_read_on": _("Date read"),
                "origin": _("Origin"),
                "basis": _("Basis"),
            },
            values={"source": _note_text},
        )
        describe(
            "masterdata.populationfetch",
            labels={
                "table": _("Table"),
                "quarter": _("Quarter"),
                "reference_date": _("Reference date"),
                "partnership_id": _("Partnership"),
                "fetched_at": _("Fetched"),
                "fetched_by": _("Fetched by"),
                "request_url": _("Request"),
                "request_body": _("Request body"),
                "response_sha256": _("SHA-256 of the answer"),
                "response_text": _("Answer"),
                "figures": _("Figures"),
                "status": _("Status"),
                "stored_at": _("Stored"),
                "stored_by": _("Stored by"),
            },
        )
