"""Login, lockout, sessions, CSRF and the security headers."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher, check_password
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


def _spray(ip: str, count: int) -> None:
    """`count` failed logins from `ip`, each with another username (4 tries at most each)."""
    for n in range(count):
        _login(Client(), "forkert", ip=ip, username=f"bruger{n}")


def test_a_password_spray_from_one_ip_locks_that_ip_for_every_username(demo) -> None:
    _spray("10.7.7.7", settings.KLYNGE_LOGIN_IP_FAILURE_LIMIT)

    locked = _login(Client(), DEMO_PASSWORD, ip="10.7.7.7")

    assert locked.status_code == 429
    assert "netværksadresse" in locked.content.decode()
    assert _login(Client(), DEMO_PASSWORD, ip="10.7.7.8").status_code == 302  # other IPs log in


def test_failures_below_the_ip_limit_do_not_lock_the_ip(demo) -> None:
    _spray("10.7.7.7", settings.KLYNGE_LOGIN_IP_FAILURE_LIMIT - 1)

    assert _login(Client(), DEMO_PASSWORD, ip="10.7.7.7").status_code == 302


def test_a_successful_login_does_not_reset_the_ip_s_count(demo) -> None:
    limit = settings.KLYNGE_LOGIN_IP_FAILURE_LIMIT
    _spray("10.7.7.7", limit - 2)
    assert _login(Client(), DEMO_PASSWORD, ip="10.7.7.7").status_code == 302  # a valid account

    _login(Client(), "forkert", ip="10.7.7.7", username="endnu-en")
    _login(Client(), "forkert", ip="10.7.7.7", username="og-en-til")

    assert _login(Client(), DEMO_PASSWORD, ip="10.7.7.7").status_code == 429


def test_a_locked_ip_is_refused_before_the_password_hasher_runs(demo) -> None:
    verify, encode = MD5PasswordHasher.verify, MD5PasswordHasher.encode
    with (
        mock.patch.object(MD5PasswordHasher, "verify", autospec=True, side_effect=verify) as v,
        mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=encode) as e,
        mock.patch("django.contrib.auth.base_user.check_password", wraps=check_password) as c,
    ):
        _login(Client(), "forkert", ip="10.7.7.6")  # an open IP: the hasher runs
        assert v.call_count + e.call_count >= 1 and c.call_count == 1
        _spray("10.7.7.7", settings.KLYNGE_LOGIN_IP_FAILURE_LIMIT)
        v.reset_mock(), e.reset_mock(), c.reset_mock()

        for username in ["greve", "sekretariat", "findes-ikke"]:
            assert _login(Client(), DEMO_PASSWORD, ip="10.7.7.7", username=username).status_code
        assert _login(Client(), "forkert", ip="10.7.7.7", username="greve").status_code == 429

        assert (v.call_count, e.call_count, c.call_count) == (0, 0, 0)


def test_lockout_lasts_fifteen_minutes_per_username_and_ip_and_per_ip() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.KLYNGE_LOGIN_IP_FAILURE_LIMIT == 50
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]


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


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.9"),  # no proxy: X-Forwarded-For is the client's to forge
        (1, "10.5.5.5", "10.5.5.5"),
        (1, "1.2.3.4, 10.5.5.5", "10.5.5.5"),  # a forged hop on the left is never read
        (2, "1.2.3.4, 10.5.5.5, 10.0.0.8", "10.5.5.5"),
        (2, "10.0.0.8", "10.0.0.9"),  # fewer hops than proxies: the direct peer
    ],
)
def test_the_lockout_counts_the_client_s_address_behind_trusted_proxies(
    rf, settings, proxies: int, forwarded: str, expected: str
) -> None:
    from klynge.accounts.lockout import client_ip

    settings.KLYNGE_TRUSTED_PROXY_COUNT = proxies
    request = rf.post(LOGIN, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
