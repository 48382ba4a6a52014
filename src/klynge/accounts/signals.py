"""
At login: stamp the time on the session (12-hour cap) and decide the second step.

Logins, failed logins and logouts are security events (`security_log`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from klynge.accounts.security_log import security_event
from klynge.accounts.two_factor import LOGIN_STEP_KEY, login_step

LOGIN_AT_KEY = "klynge_login_at"


@receiver(user_logged_in)
def stamp_login_time(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = int(time.time())


@receiver(user_logged_in)
def decide_second_step(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Keep on the session what the login still asks for: a code, an app, or nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_STEP_KEY] = login_step(user).value


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    security_event("login", request, user=user.pk)


@receiver(user_logged_out)
def log_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    security_event("logout", request, user=getattr(user, "pk", "") or "")


@receiver(user_login_failed)
def log_login_failed(sender: Any, credentials: dict[str, Any], request: Any, **kwargs: Any) -> None:
    """A failed login names the username tried (never the password): there is no user id."""
    username = credentials.get("username", "")
    security_event("login_failed", request, level=logging.WARNING, username=username)
