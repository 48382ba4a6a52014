"""Session lifetime: renew the idle expiry at most once a minute, end it after 12 hours."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from klynge.accounts.signals import LOGIN_AT_KEY


class SessionCapMiddleware:
    """
    Log out a session older than SESSION_ABSOLUTE_MAX_AGE seconds.

    The inactivity timeout is Django's own (SESSION_COOKIE_AGE, renewed by
    SessionRefreshMiddleware); this adds the absolute cap. A session
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


REFRESHED_AT_KEY = "klynge_refreshed_at"


class SessionRefreshMiddleware:
    """
    Renew a logged-in session's expiry at most once per SESSION_REFRESH_INTERVAL seconds.

    Django saves a session (a database write, and a new cookie) only when it
    changed. Stamping the time of the last renewal changes it when the stamp
    is older than the interval, so the session and its cookie expire
    SESSION_COOKIE_AGE after a renewal: an active user stays logged in, and an
    idle session ends between SESSION_COOKIE_AGE - interval and
    SESSION_COOKIE_AGE after the last request, without a write per request.
    Anonymous sessions are never created or renewed here. Goes right after
    SessionMiddleware, so it sees the session as the view left it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        if session.is_empty() or session.get(SESSION_KEY) is None:
            return response
        now = int(time.time())
        stale = now - session.get(REFRESHED_AT_KEY, 0) >= settings.SESSION_REFRESH_INTERVAL
        if stale or session.modified:
            session[REFRESHED_AT_KEY] = now
        return response
