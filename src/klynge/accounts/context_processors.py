"""The logged-in user's role and binding, shown in the header, and whether the login is done."""

from __future__ import annotations

from django.http import HttpRequest

from klynge.accounts.middleware import pending_step
from klynge.accounts.permissions import profile_of, role_of


def user_role(request: HttpRequest) -> dict[str, object]:
    # A session that still owes the login a code (or an app) gets no menu.
    login_pending = pending_step(request) is not None
    role = role_of(request.user)
    if role is None:
        return {"user_role_label": "", "login_pending": login_pending}
    profile = profile_of(request.user)
    binding = profile and (profile.municipality or profile.office)
    label = f"{role.label} ({binding})" if binding else str(role.label)
    return {"user_role_label": label, "login_pending": login_pending}
