"""How the contracts entries of the audit log read (registered in the app's `ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from klynge.audit.presentation import describe, short_hash


def register() -> None:
    describe(
        "contracts.contractdocument",
        labels={"sha256": gettext_lazy("SHA-256")},
        values={"sha256": short_hash},
    )
