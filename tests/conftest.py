"""Shared fixtures: the loaded register, the demo data and a logged-in client."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from klynge.audit.services import Actor
from klynge.demo.services import DEMO_USERNAME, demo_load
from klynge.financing.models import Agreement
from klynge.financing.services import agreement_load
from klynge.funding.services import grants_load
from klynge.masterdata.services import register_load

TEST_ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def _no_statbank_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches Statistics Denmark: without a MockTransport of its own it is offline."""
    import httpx

    from klynge.masterdata import statbank

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network in tests", request=request)

    monkeypatch.setattr(statbank, "TRANSPORT", httpx.MockTransport(offline))
    monkeypatch.setattr(statbank, "SLEEP", lambda seconds: None)


@pytest.fixture
def register(db: None) -> Agreement:
    """The shipped Sjælland register and agreement, facts only."""
    register_load()
    agreement = agreement_load(actor=TEST_ACTOR)
    grants_load(actor=TEST_ACTOR)
    return agreement


@pytest.fixture
def demo(register: Agreement) -> Agreement:
    """The register plus the labelled demo data and the demo user."""
    demo_load()
    return register


@pytest.fixture
def login_as(demo: Agreement):
    """A client logged in as the demo user `username` (one per role)."""
    from django.contrib.auth import get_user_model

    def _login(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


@pytest.fixture
def staff_client(login_as) -> Client:
    """The secretariat's demo user."""
    return login_as(DEMO_USERNAME)


@pytest.fixture
def run_command():
    """Call a management command and return (exit code, stdout, stderr)."""
    import io

    from django.core.management.base import CommandError

    def _run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(*args, stdout=out, stderr=err)
        except CommandError as error:
            return 1, out.getvalue(), str(error)
        return 0, out.getvalue(), err.getvalue()

    return _run


@pytest.fixture
def audit_maintenance(django_db_blocker) -> None:
    """
    Let the test runner's flush delete audit entries on SQLite.

    Transactional tests (the browser suite) end with a flush that DELETEs
    every table; the append-only trigger allows that only while the
    maintenance table holds a row (PostgreSQL's flush TRUNCATEs, which row
    triggers do not see). The row stays: the flush never touches that table.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
