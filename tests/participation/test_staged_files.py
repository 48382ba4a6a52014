"""
An uploaded file is kept only while its batch is checked (issue 12, item 11).

A batch that ends (stored, refused, discarded) keeps no file; a store the
command does not finish (refused, interrupted) discards its batch; a checked
batch nobody stores or discards is discarded by `klynge purge` after
KLYNGE_STAGED_FILE_HOURS.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.utils import timezone
from tests.participation.files import FILE, csv_bytes, row

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.common.purge import purge_steps
from klynge.masterdata.models import ClusterOffice
from klynge.participation.models import ImportBatch, ImportStatus, Participant
from klynge.participation.services import BatchError, import_check

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
COMMAND = importlib.import_module("klynge.participation.management.commands.import")


@pytest.fixture
def office(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


def files_kept() -> list[int]:
    """The batches that still hold an uploaded file or its plan."""
    return list(ImportBatch.objects.exclude(content=b"", plan=b"").values_list("pk", flat=True))


@pytest.mark.parametrize("failure", [KeyboardInterrupt, BatchError])
def test_a_store_the_command_does_not_finish_leaves_no_file(
    office, run_command, tmp_path, monkeypatch, failure
) -> None:
    def fail(**_kwargs):
        raise failure("afbrudt")

    monkeypatch.setattr(COMMAND, "import_commit", fail)
    path = tmp_path / "deltagere.csv"
    path.write_bytes(csv_bytes(FILE))

    if failure is KeyboardInterrupt:
        with pytest.raises(KeyboardInterrupt):
            run_command("import", "participations", str(path), "--office", office.name)
    else:
        code, _out, err = run_command(
            "import", "participations", str(path), "--office", office.name
        )
        assert code == 1 and "intet er gemt" in err

    assert files_kept() == []
    assert ImportBatch.objects.get().status == ImportStatus.DISCARDED
    assert not Participant.objects.exists()


def test_refused_stored_and_dry_run_batches_keep_no_file(office, run_command, tmp_path) -> None:
    path = tmp_path / "deltagere.csv"
    args = ("import", "participations", str(path), "--office", office.name)
    path.write_bytes(csv_bytes([row(**{"CVR-nummer": "1"})]))
    assert run_command(*args)[0] == 1
    path.write_bytes(csv_bytes(FILE))
    assert run_command(*args, "--dry-run")[0] == 0
    assert run_command(*args)[0] == 0

    assert sorted(ImportBatch.objects.values_list("status", flat=True)) == sorted(
        [ImportStatus.REFUSED, ImportStatus.DISCARDED, ImportStatus.COMMITTED]
    )
    assert files_kept() == []


def test_purge_discards_abandoned_checked_batches_and_keeps_fresh_ones(office, run_command) -> None:
    abandoned = import_check(actor=ACTOR, office=office, file_name="gammel.csv",
                             data=csv_bytes(FILE))  # fmt: skip
    fresh = import_check(actor=ACTOR, office=office, file_name="ny.csv", data=csv_bytes(FILE))
    old = timezone.now() - dt.timedelta(hours=25)
    ImportBatch.objects.filter(pk=abandoned.pk).update(created_at=old)
    assert sorted(files_kept()) == sorted([abandoned.pk, fresh.pk])

    code, out, _err = run_command("purge", "--dry-run")
    assert code == 0 and "efterladte deltagerfiler: 1 ville blive slettet" in out
    assert "intet er slettet" in out and sorted(files_kept()) == sorted([abandoned.pk, fresh.pk])

    code, out, _err = run_command("purge")
    assert code == 0 and "efterladte deltagerfiler: 1 slettet" in out
    assert files_kept() == [fresh.pk]
    abandoned.refresh_from_db()
    assert abandoned.status == ImportStatus.DISCARDED
    assert AuditEntry.objects.filter(object_pk=abandoned.pk, actor_label="purge").exists()
    assert "efterladte deltagerfiler: 0 slettet" in run_command("purge")[1]


def test_purge_is_a_list_of_steps_others_can_extend(run_command, db) -> None:
    assert "import-files" in [step.key for step in purge_steps()]
    code, _out, err = run_command("purge", "--only", "nonsens")
    assert code == 1 and "Ukendt trin: nonsens" in err
    assert run_command("purge", "--only", "import-files", "--dry-run")[0] == 0


def test_purge_runs_the_retention_steps_of_login_records_and_refused_values(
    office, run_command
) -> None:
    from axes.models import AccessFailureLog

    refused = import_check(actor=ACTOR, office=office, file_name="fejl.csv",
                           data=csv_bytes([row(**{"CVR-nummer": "1"})]))  # fmt: skip
    ImportBatch.objects.filter(pk=refused.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="x",
                                    http_accept="x", path_info="/log-ind/")  # fmt: skip
    AccessFailureLog.objects.update(attempt_time=timezone.now() - dt.timedelta(days=91))

    assert [step.key for step in purge_steps()] == [
        "login-records", "import-files", "refused-values",
    ]  # fmt: skip
    code, out, _err = run_command("purge")

    assert code == 0
    assert "loginregistreringer: 1 slettet" in out
    assert "celleværdier i afviste deltagerfiler: 1 slettet" in out
    refused.refresh_from_db()
    assert not AccessFailureLog.objects.exists()
    assert all(problem["value"] == "" for problem in refused.problems)
