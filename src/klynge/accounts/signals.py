"""At login: stamp the time on the session (12-hour cap) and decide the second step."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

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
