"""The suite runs on the database DATABASE_URL names; CI requires PostgreSQL."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_backend_is_the_one_ci_asked_for() -> None:
    if os.environ.get("KLYNGE_REQUIRE_POSTGRES") == "1":
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in {"sqlite", "postgresql"}
