"""Fresh planner statistics after an import or an undo (PostgreSQL), harmless elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection, models
from tests.participation.files import FILE, csv_bytes

from klynge.audit.services import Actor
from klynge.common.db import analyze
from klynge.masterdata.models import ClusterOffice
from klynge.participation.models import ActivityParticipation, Participant
from klynge.participation.services import import_check, import_commit, import_undo

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE runs on PostgreSQL only")


def _reltuples(model: type[models.Model]) -> float:
    """The planner's row estimate for the table: -1 (or stale) until it is analysed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
        )
        return float(cursor.fetchone()[0])


def test_analyze_waits_for_the_commit_and_does_nothing_on_sqlite(
    django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        analyze(Participant, Participant, ActivityParticipation)
    if connection.vendor != "postgresql":
        assert callbacks == []
        return
    assert len(callbacks) == 1
    with django_assert_num_queries(2):  # each table once
        callbacks[0]()


def test_an_import_and_its_undo_analyse_the_tables_once_committed(
    register, django_capture_on_commit_callbacks
) -> None:
    _postgres()
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    with django_capture_on_commit_callbacks() as callbacks:
        batch = import_check(actor=ACTOR, office=office, file_name="d.csv", data=csv_bytes(FILE))
        batch = import_commit(actor=ACTOR, batch=batch)
    assert ActivityParticipation.objects.count() == 4
    assert _reltuples(ActivityParticipation) != 4  # not before the commit
    for callback in callbacks:
        callback()
    assert _reltuples(ActivityParticipation) == 4
    assert _reltuples(Participant) == Participant.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        import_undo(actor=ACTOR, batch=batch)
    assert _reltuples(ActivityParticipation) == 0
    assert _reltuples(Participant) == 0
