"""Personal data is kept only as long as it is needed: login records and refused files' values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.utils import timezone
from tests.participation.files import csv_bytes, row

from klynge.accounts.services import login_records_purge
from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.masterdata.models import ClusterOffice
from klynge.participation.models import ImportBatch, ImportStatus
from klynge.participation.services import import_check
from klynge.participation.services.retention import refused_values_purge

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
SECRET = "hemmelig.person-at-example.dk"  # not an e-mail address: refused, with its value


def _refused(office: ClusterOffice, days_ago: int) -> ImportBatch:
    data = csv_bytes(
        [row(**{"Dato": "i går", "E-mail": SECRET, "Kontaktperson": "Hemmelig Person"})]
    )
    batch = import_check(actor=ACTOR, office=office, file_name="f.csv", data=data)
    assert batch.status == ImportStatus.REFUSED
    assert SECRET in {p["value"] for p in batch.problems}
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return batch


def test_a_refused_batch_loses_its_cell_values_after_the_retention_period(demo) -> None:
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    old, recent = _refused(office, 31), _refused(office, 10)
    cutoff = timezone.now() - timedelta(days=30)

    assert refused_values_purge(actor=ACTOR, before=cutoff, dry_run=True) == 1
    assert SECRET in str(ImportBatch.objects.get(pk=old.pk).problems)  # a dry run changes nothing
    assert refused_values_purge(actor=ACTOR, before=cutoff) == 1
    assert refused_values_purge(actor=ACTOR, before=cutoff) == 0  # once is enough

    old.refresh_from_db()
    recent.refresh_from_db()
    assert SECRET not in str(old.problems) and all(p["value"] == "" for p in old.problems)
    # What was wrong, and where, is still shown.
    assert {p["column"] for p in old.problems} >= {"Dato", "E-mail"}
    assert all(p["message"] for p in old.problems)
    assert SECRET in str(recent.problems)
    entries = AuditEntry.objects.filter(model="participation.importbatch", object_pk=str(old.pk))
    entry = entries.order_by("pk").last()
    assert entry.after["values_removed"] is True and SECRET not in str(entry.after)


def test_login_records_are_purged_after_the_retention_period(demo) -> None:
    client = Client()
    for _ in range(2):
        client.post("/log-ind/", {"username": "greve", "password": "forkert"})
    assert AccessFailureLog.objects.count() == 2 and AccessAttempt.objects.count() >= 1
    AccessLog.objects.create(username="greve", ip_address="127.0.0.1", user_agent="x",
                             http_accept="x", path_info="/log-ind/")  # fmt: skip
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.update(attempt_time=timezone.now() - timedelta(days=91))
    client.post("/log-ind/", {"username": "naestved", "password": "forkert"})  # a recent one

    cutoff = timezone.now() - timedelta(days=90)
    expected = 2 + 1 + AccessAttempt.objects.filter(attempt_time__lt=cutoff).count()
    assert login_records_purge(before=cutoff, dry_run=True) == expected
    assert login_records_purge(before=cutoff) == expected

    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["naestved"]
    assert not AccessLog.objects.exists()
    assert set(AccessAttempt.objects.values_list("username", flat=True)) <= {"naestved"}
