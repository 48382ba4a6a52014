"""
Personal API tokens: made, revoked and checked here, for the web and the API.

A token reads `kl_<prefix>_<secret>`. The prefix (10 hex digits) finds the
row and is shown in lists; only the SHA-256 of the whole token is stored, so a
leaked database gives no usable token. The secret has 256 bits of entropy,
so a fast hash is enough (a password would need a slow one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from klynge.accounts.models import ApiToken, TokenScope
from klynge.audit.models import Action
from klynge.audit.services import Actor, record, snapshot
from klynge.core.text import first_control

TOKEN_PATTERN = re.compile(r"^kl_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$")
MAX_TOKEN_LENGTH = 60
NAME_MAX = 100
LAST_USED_EVERY = dt.timedelta(minutes=1)  # at most one write per token and minute


class TokenError(ValueError):
    """A token cannot be made or revoked as asked; the message says why (Danish)."""


def max_days() -> int:
    return int(getattr(settings, "KLYNGE_API_TOKEN_MAX_DAYS", 365))


def max_active() -> int:
    return int(getattr(settings, "KLYNGE_API_TOKEN_MAX_ACTIVE", 10))


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def _state(token: ApiToken) -> dict[str, object]:
    """The audited state: never the hash."""
    state = snapshot(token)
    state.pop("secret_hash", None)
    return state


def is_active(token: ApiToken, now: dt.datetime) -> bool:
    return token.revoked_at is None and token.expires_at > now


def token_create(
    *, actor: Actor, user: Any, name: str, scope: str, days: int
) -> tuple[ApiToken, str]:
    """
    Make a token for `user`; returns the row and the token, shown this once.

    :raises TokenError: for an empty or too long name, an unknown scope, a
        lifetime outside 1..the maximum days, or a user with the maximum
        number of active tokens
    """
    name = name.strip()
    if not name or len(name) > NAME_MAX or first_control(name) is not None:
        raise TokenError(_("Give the token a name of 1 to 100 characters."))
    if scope not in TokenScope.values:
        raise TokenError(_("The scope must be read, or read and write."))
    if not 1 <= days <= max_days():
        raise TokenError(_("A token must expire within 1 to {days} days.").format(days=max_days()))
    now = timezone.now()
    with transaction.atomic():
        # Lock the user, so two requests cannot both pass the limit.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        if sum(is_active(t, now) for t in token_list(user)) >= max_active():
            raise TokenError(
                _("You have {count} active tokens, the most allowed. Revoke one first.").format(
                    count=max_active()
                )
            )
        prefix = secrets.token_hex(5)
        raw = f"kl_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            secret_hash=_hash(raw),
            scope=scope,
            expires_at=now + dt.timedelta(days=days),
        )
        record(actor=actor, action=Action.CREATE, instance=token, before=None, after=_state(token))
    return token, raw


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke `token` from now on (a revoked token stays revoked; revoking twice is a no-op)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        before = _state(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            actor=actor, action=Action.UPDATE, instance=token, before=before, after=_state(token)
        )
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """
    The active token `raw` names, with its user; None for any other string.

    A wrong secret, a revoked or expired token and an inactive user give
    None alike, so an answer reveals nothing about which it was. The last
    use is written at most once a minute.
    """
    if len(raw) > MAX_TOKEN_LENGTH:
        return None
    match = TOKEN_PATTERN.match(raw)
    if match is None:
        return None
    found = ApiToken.objects.select_related("user", "user__profile").filter(prefix=match.group(1))
    token = next(iter(found.order_by()), None)  # the prefix is unique
    now = timezone.now()
    if (
        token is None
        or not hmac.compare_digest(token.secret_hash, _hash(raw))
        or not is_active(token, now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_list(user: Any) -> QuerySet[ApiToken]:
    """The user's tokens, newest first: active, expired and revoked."""
    return ApiToken.objects.filter(user=user)
