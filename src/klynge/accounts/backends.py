"""Django's model backend, minus the permission names the rules answer, plus the profile."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

KLYNGE_PREFIX = "klynge."


class ModelBackend(DjangoModelBackend):
    """
    Django's ModelBackend, which never loads the permission tables for `klynge.*` names.

    Those names are answered by the rules (klynge.accounts.permissions); no
    app is labelled `klynge`, so no stored Permission can grant one. Django's
    backend would still read two permission queries per request the first
    time a `klynge.*` name is denied (the navigation asks a dozen); this
    answers False at once. Admin permissions (app.codename) are unchanged.

    It also loads the request's user with its profile, municipality and
    office in one query, which `profile_of` then reads without asking again.
    """

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related(
            "profile__municipality", "profile__office"
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm.startswith(KLYNGE_PREFIX):
            return False
        return super().has_perm(user_obj, perm, obj=obj)
