"""Shared fixtures: the loaded register, the demo data and a logged-in client."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from klynge.demo.services import DEMO_PASSWORD, DEMO_USERNAME, demo_load
from klynge.financing.models import Agreement
from klynge.financing.services import agreement_load
from klynge.masterdata.services import register_load


@pytest.fixture
def register(db: None) -> Agreement:
    """The shipped Sjælland register and agreement, facts only."""
    register_load()
    return agreement_load()


@pytest.fixture
def demo(register: Agreement) -> Agreement:
    """The register plus the labelled demo data and the demo user."""
    demo_load()
    return register


@pytest.fixture
def staff_client(demo: Agreement) -> Client:
    client = Client()
    assert client.login(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    return client


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
