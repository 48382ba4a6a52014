"""Security events reach the `klynge.security` log, one line each, with no secret in them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "klynge-demo"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def events(self) -> list[str]:
        return [line.split()[0].removeprefix("event=") for line in self.lines]


@pytest.fixture
def security_log() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("klynge.security")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_logins_failures_and_logouts_are_logged(demo, security_log: Lines) -> None:
    client = Client()
    client.post("/log-ind/", {"username": "greve\n event=login user=1", "password": "forkert"})
    client.post("/log-ind/", {"username": "greve", "password": PASSWORD})
    client.post("/log-ud/")

    assert security_log.events() == ["login_failed", "login", "logout"]
    failed, login, _logout = security_log.lines
    # The username tried is quoted: a newline in it cannot forge a second line.
    assert "\n" not in failed and "username='greve\\n event=login user=1'" in failed
    assert "forkert" not in " ".join(security_log.lines)
    user = get_user_model().objects.get(username="greve")
    assert f"user={user.pk}" in login and "ip='127.0.0.1'" in login


def test_a_refused_request_is_logged(login_as, security_log: Lines) -> None:
    client = login_as("laeser")
    security_log.lines.clear()  # the login
    response = client.get("/brugere/")

    assert response.status_code == 403
    assert security_log.events() == ["access_denied"]
    assert "path='/brugere/'" in security_log.lines[0]


def test_password_changes_and_resets_are_logged(demo, login_as, security_log: Lines) -> None:
    client = login_as("greve")
    security_log.lines.clear()  # the login
    new = "en-helt-ny-og-lang-adgangskode-2024"
    response = client.post(
        "/konto/adgangskode/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="greve")
    user.email = "greve@example.invalid"
    user.save()

    Client().post("/log-ind/glemt/", {"email": "greve@example.invalid"})

    assert security_log.events() == ["password_changed", "password_reset_requested"]
    assert "greve@example.invalid" not in " ".join(security_log.lines)
    assert len(mail.outbox) == 1
