"""
Who calls: a personal API token (`Authorization: Bearer kl_...`), or the web session.

A token acts as its user with the user's role, so every operation asks the
same `user.has_perm` as the web; a read token cannot write. A session must
have finished its login (the second factor included) and passes Django's
CSRF check on writes, exactly as a form does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from klynge.accounts.middleware import pending_step
from klynge.accounts.models import ApiToken, TokenScope
from klynge.accounts.services.tokens import token_authenticate
from klynge.api.errors import ApiError, forbidden, not_found
from klynge.audit.services import Actor

T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """The authenticated user, and the token it came with (None for a session)."""

    user: Any  # the User model (django-stubs: has_perm, get_username)
    token: ApiToken | None

    @property
    def actor(self) -> Actor:
        """The audit's actor: the user, naming the token when one was used."""
        name = self.user.get_username()
        label = f"{name} (API {self.token.prefix})" if self.token else name
        return Actor(self.user, label[:150])


class TokenAuth(HttpBearer):
    """A personal token; a present but unusable one is refused outright (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        found = token_authenticate(token.strip())
        if found is None:
            raise ApiError(401, "bad_token", _("The API token is unknown, revoked or expired."))
        request.user = found.user
        return Caller(found.user, found)


class SessionCsrfAuth(SessionAuth):
    """The browser's session, once its login is complete; CSRF checked on writes."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated or pending_step(request) is not None:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller:
        return Caller(request.user, None)  # __call__ let only a finished login through


def caller(request: HttpRequest) -> Caller:
    found: Caller = request.auth  # type: ignore[attr-defined]
    return found


def writer(request: HttpRequest) -> Caller:
    """The caller of a write: a read token is refused with 403."""
    found = caller(request)
    if found.token is not None and found.token.scope != TokenScope.WRITE:
        raise ApiError(403, "read_only_token", _("This API token may only read."))
    return found


def has_perm(request: HttpRequest, perm: str, obj: Any = None) -> bool:
    return bool(caller(request).user.has_perm(perm, obj))


def visible(request: HttpRequest, found: T | None, perm: str) -> T:
    """
    `found` if the caller may see it under `perm`; else 404, the same answer as
    for a missing object, so another tenant's object does not reveal it exists.
    """
    if found is None or not has_perm(request, perm, found):
        raise not_found()
    return found


def permitted(request: HttpRequest, rows: Iterable[T], perm: str) -> list[T]:
    """The rows the caller may see under `perm` (each asked as the web asks)."""
    user = caller(request).user
    return [row for row in rows if user.has_perm(perm, row)]


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    """:raises ApiError: 403 unless the caller has `perm` (on `obj`)"""
    if not has_perm(request, perm, obj):
        raise forbidden()


AUTH = [TokenAuth(), SessionCsrfAuth()]
