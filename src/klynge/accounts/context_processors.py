"""The logged-in user's role and binding, shown in the header."""

from __future__ import annotations

from django.http import HttpRequest

from klynge.accounts.permissions import profile_of, role_of


def user_role(request: HttpRequest) -> dict[str, object]:
    role = role_of(request.user)
    if role is None:
        return {"user_role_label": ""}
    profile = profile_of(request.user)
    binding = profile and (profile.municipality or profile.office)
    label = f"{role.label} ({binding})" if binding else str(role.label)
    return {"user_role_label": label}
