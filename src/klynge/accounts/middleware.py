"""End a session 12 hours after login, however active it is."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from klynge.accounts.signals import LOGIN_AT_KEY


class SessionCapMiddleware:
    """
    Log out a session older than SESSION_ABSOLUTE_MAX_AGE seconds.

    The inactivity timeout is Django's own (SESSION_COOKIE_AGE with
    SESSION_SAVE_EVERY_REQUEST); this adds the absolute cap. A session
    without a login stamp (made before this middleware) is capped too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_KEY, 0)
            if time.time() - login_at > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                messages.warning(request, _("Your session has expired. Please log in again."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
