"""How the participation entries of the audit log read (registered in the app's `ready`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, ngettext

from klynge.audit.presentation import Lookup, describe, plain_text, short_hash
from klynge.core.money import group_thousands
from klynge.participation.summary import summary_lines


def batch_summary(value: Any, _lookup: Lookup) -> str:
    """A batch's counts as the import page says them: '1.314 new participants; …'."""
    if not isinstance(value, dict):
        return plain_text("summary", value)
    return "; ".join(summary_lines(value))


def contacts_counted(value: Any, _lookup: Lookup) -> str:
    """A GDPR export's contacts (ids: no names in the log) by their number."""
    if not isinstance(value, list):
        return plain_text("", value)
    return ngettext("%(count)s contact person", "%(count)s contact persons", len(value)) % {
        "count": group_thousands(len(value))
    }


def batches_counted(value: Any, _lookup: Lookup) -> str:
    """A GDPR export's import batches by their number."""
    if not isinstance(value, list):
        return plain_text("", value)
    return ngettext("%(count)s import file", "%(count)s import files", len(value)) % {
        "count": group_thousands(len(value))
    }


GDPR_LABELS = {
    "export": gettext_lazy("data exported (GDPR)"),
    "contacts": gettext_lazy("contact persons"),
    "import_batches": gettext_lazy("import files"),
}
GDPR_VALUES = {"contacts": contacts_counted, "import_batches": batches_counted}


def register() -> None:
    describe(
        "participation.importbatch",
        labels={**GDPR_LABELS, "rows": gettext_lazy("rows"), "sha256": gettext_lazy("SHA-256")},
        values={**GDPR_VALUES, "summary": batch_summary, "sha256": short_hash},
    )
    describe("participation.contactperson", labels=GDPR_LABELS, values=GDPR_VALUES)
