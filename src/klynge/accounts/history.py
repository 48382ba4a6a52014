"""How the user entries of the audit log read (registered in `AccountsConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from klynge.audit.presentation import describe


def register() -> None:
    describe(
        "accounts.profile",
        labels={
            "user_id": gettext_lazy("user"),
            "username": gettext_lazy("username"),
            "email": gettext_lazy("email"),
            "full_name": gettext_lazy("full name"),
            "is_active": gettext_lazy("active"),
        },
    )
