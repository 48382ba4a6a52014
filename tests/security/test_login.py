"""Login, lockout, sessions, CSRF and the security headers."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klynge.accounts.signals import LOGIN_AT_KEY
from klynge.demo.services import DEMO_PASSWORD
from klynge.financing.models import AllocationRun

pytestmark = pytest.mark.django_db

LOGIN = "/log-ind/"


def _login(client: Client, password: str, ip: str = "10.0.0.1", username: str = "greve"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_right_password_logs_in_and_lands_on_the_start_page(demo) -> None:
    client = Client()

    response = _login(client, DEMO_PASSWORD)

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert AccessLog.objects.filter(username="greve").exists()  # the success is logged


def test_wrong_password_is_refused_with_a_danish_message(demo) -> None:
    response = _login(Client(), "forkert")

    assert response.status_code == 200
    assert "Brugernavn eller adgangskode er forkert" in response.content.decode()


def test_five_failures_lock_the_username_and_ip_even_with_the_right_password(demo) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "forkert")

    locked = _login(client, DEMO_PASSWORD)

    assert locked.status_code == 429
    assert "15 minutter" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username="greve").count() >= 5  # every try kept


def test_a_locked_username_can_still_log_in_from_another_ip(demo) -> None:
    attacker = Client()
    for _ in range(6):
        _login(attacker, "forkert", ip="10.6.6.6")

    response = _login(Client(), DEMO_PASSWORD, ip="10.0.0.2")

    assert response.status_code == 302


def test_four_failures_do_not_lock(demo) -> None:
    client = Client()
    for _ in range(4):
        _login(client, "forkert")

    assert _login(client, DEMO_PASSWORD).status_code == 302


def test_lockout_lasts_fifteen_minutes() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_a_post_without_or_with_a_forged_csrf_token_is_refused(demo) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="sekretariat"))
    url = reverse("allocation-save", args=[2024])

    assert client.post(url).status_code == 403
    assert client.post(url, {"csrfmiddlewaretoken": "forged" * 8}).status_code == 403
    assert not AllocationRun.objects.exists()


def test_sessions_end_after_30_minutes_of_inactivity() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_INTERVAL <= 60  # renewed at most once a minute
    assert settings.SESSION_ABSOLUTE_MAX_AGE == 12 * 60 * 60


def test_an_expired_session_is_sent_to_the_login_page(login_as) -> None:
    client = login_as("greve")
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))

    response = client.get(reverse("overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_older_than_12_hours_is_ended_however_active(demo) -> None:
    client = Client()
    _login(client, DEMO_PASSWORD)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 12 * 60 * 60 - 1
    session.save()

    response = client.get(reverse("overview"), follow=True)

    assert response.redirect_chain[0][1] == 302
    assert response.request["PATH_INFO"] == reverse("login")
    assert "Din session er udløbet" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_younger_than_12_hours_goes_on(demo) -> None:
    client = Client()
    _login(client, DEMO_PASSWORD)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 11 * 60 * 60
    session.save()

    assert client.get(reverse("overview")).status_code == 200


@pytest.mark.parametrize("url", ["/log-ind/", "/overblik/", "/tilgaengelighed/", "/findes-ikke/"])
def test_every_response_carries_the_security_headers(login_as, url: str) -> None:
    response = login_as("laeser").get(url)

    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]
