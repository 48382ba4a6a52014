"""
Security events on the `klynge.security` logger, one line each (ASVS 16.2, 16.3).

Each line is `event=NAME user=ID ip=ADDRESS path=PATH key=value ...`; text
values are written with `repr`, so a username with a newline or a terminal
escape cannot forge another line (16.4.1). No password, code or token is ever
logged, and a username is logged only for a failed login, where there is no
user id. Where the log goes is the operator's (settings LOGGING).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from klynge.accounts.lockout import client_ip

log = logging.getLogger("klynge.security")


def _value(value: object) -> str:
    return str(value) if isinstance(value, int) else repr(str(value)[:200])


def security_event(
    name: str, request: HttpRequest | None, *, level: int = logging.INFO, **fields: Any
) -> None:
    """Log one security event with who, from where and on what path."""
    parts = [f"event={name}"]
    if request is not None:
        user = getattr(request, "user", None)
        if "user" not in fields and user is not None and user.is_authenticated:
            parts.append(f"user={user.pk}")
        parts.append(f"ip={_value(client_ip(request))}")
        parts.append(f"path={_value(request.path)}")
    parts.extend(f"{key}={_value(value)}" for key, value in fields.items())
    log.log(level, " ".join(parts))
