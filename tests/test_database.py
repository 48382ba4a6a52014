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


def test_connections_are_kept_open_with_health_checks() -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] >= 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_a_sqlite_file_runs_in_wal_mode_with_its_pragmas(tmp_path, django_db_blocker) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "k.sqlite3")})
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            pragmas = {
                name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 1,  # NORMAL
            "busy_timeout": 5000,
            "foreign_keys": 1,
        }
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
