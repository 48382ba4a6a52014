"""
Session lifetime (renew the idle expiry at most once a minute, end it after 12
hours), the login's second step (a code, or adding an app, before any page), and
the security log of refused requests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from klynge.accounts.security_log import security_event
from klynge.accounts.signals import LOGIN_AT_KEY
from klynge.accounts.two_factor import LOGIN_STEP_KEY, LoginStep, login_step


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


def pending_step(request: HttpRequest) -> LoginStep | None:
    """
    What the request's logged-in session still owes its login, or None.

    The step is decided when the password is accepted (`signals`) and kept in
    the session, so a request of a user without two factors asks nothing
    more. A session verified by a code asks django-otp's middleware, which
    loads the device; a session with no step on record (one made before this
    step existed, or whose device was removed) gets one decided now.
    """
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return None
    stored = session.get(LOGIN_STEP_KEY)
    if stored == LoginStep.NONE:
        return None
    if getattr(user, "is_verified", lambda: False)():
        return None
    try:
        step = LoginStep(stored)
    except ValueError:
        step = login_step(user)
        session[LOGIN_STEP_KEY] = step.value
    return None if step == LoginStep.NONE else step


# What a session that owes a step may still open, besides the public pages.
STEP_PAGES = {LoginStep.CODE: "login-code", LoginStep.ENROL: "two-factor-setup"}
ALWAYS_OPEN = frozenset({"logout", "set-language"})


class TwoFactorMiddleware:
    """
    Send a session whose login is not complete to its missing step, before any page.

    A user with an authenticator app gives its code (the login's second step);
    a user who must have two factors (KLYNGE_REQUIRE_2FA) and has none adds an
    app first. Until then only that step's page, logout, the language switch
    and the public pages (login_not_required) open; anything else redirects
    there, a GET with `next` so the user lands where it was going. Goes after
    LoginRequiredMiddleware, so anonymous users are sent to the login first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        step = pending_step(request)
        if step is None:
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in ALWAYS_OPEN or name == STEP_PAGES[step]:
            return None
        target = reverse(STEP_PAGES[step])
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


class SecurityEventMiddleware:
    """Log every refused request (a view's PermissionDenied, HTTP 403) as a security event."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            security_event("access_denied", request, level=logging.WARNING)
