"""The idle timeout without a session write per request (SessionRefreshMiddleware)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture
def clock() -> Iterator[list[float]]:
    """Move the wall clock (time.time and timezone.now) on by clock[0] seconds."""
    offset = [0.0]
    real_time = time.time

    def now() -> dt.datetime:
        return dt.datetime.fromtimestamp(real_time() + offset[0], tz=dt.UTC)

    with (
        mock.patch("time.time", lambda: real_time() + offset[0]),
        mock.patch("django.utils.timezone.now", now),
    ):
        yield offset


def _session_writes(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    return status, writes


def test_requests_within_a_minute_do_not_write_the_session(login_as) -> None:
    client = login_as("greve")
    client.get(reverse("overview"))  # renews: the login left no renewal stamp
    expiry = Session.objects.get().expire_date

    for url in ("/tilgaengelighed/", reverse("overview"), "/tilgaengelighed/"):
        status, writes = _session_writes(client, url)
        assert status == 200
        assert writes == []
    assert Session.objects.get().expire_date == expiry


def test_a_request_after_the_interval_renews_the_expiry(login_as, clock) -> None:
    client = login_as("greve")
    client.get("/tilgaengelighed/")
    expiry = Session.objects.get().expire_date

    clock[0] = 61
    status, writes = _session_writes(client, "/tilgaengelighed/")

    assert status == 200
    assert len(writes) == 1
    assert Session.objects.get().expire_date - expiry >= dt.timedelta(seconds=60)


def test_an_active_session_lives_past_30_minutes(login_as, clock) -> None:
    client = login_as("greve")
    for minutes in (0, 20, 40, 60, 80):
        clock[0] = minutes * MINUTE
        assert client.get(reverse("overview")).status_code == 200


def test_an_idle_session_still_ends_30_minutes_after_its_last_request(login_as, clock) -> None:
    client = login_as("greve")
    client.get(reverse("overview"))  # renewed at 0
    clock[0] = 50  # a request without a renewal
    assert client.get(reverse("overview")).status_code == 200

    clock[0] = 50 + 30 * MINUTE  # idle for 30 minutes since the last request
    response = client.get(reverse("overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_anonymous_visit_makes_no_session() -> None:
    response = Client().get("/tilgaengelighed/")

    assert response.status_code == 200
    assert not Session.objects.exists()
