"""The checked plan kept on a batch: read back exactly, by any process, never trusted blindly."""

from __future__ import annotations

import zlib

import pytest
from tests.participation.files import FILE, csv_bytes, row

from klynge.audit.services import Actor
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation import plan_codec
from klynge.participation.imports import check_file
from klynge.participation.models import ActivityParticipation, ImportBatch, ImportStatus
from klynge.participation.services import (
    contact_anonymise,
    import_check,
    import_commit,
    import_discard,
)
from klynge.participation.services import imports as import_services

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture
def office(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


def test_a_plan_reads_back_equal_to_the_checked_one(register) -> None:
    plan = check_file(csv_bytes(FILE))
    assert not plan.problems and plan.contacts and plan.exporters and len(plan.activities) == 2

    again = plan_codec.decode(plan_codec.encode(plan, register="r"), register="r")

    assert again == plan
    assert {type(v["held_on"]) for v in again.activities.values()} == {
        type(v["held_on"]) for v in plan.activities.values()
    }


def test_a_plan_of_another_register_or_format_or_garbage_is_not_used(register) -> None:
    data = plan_codec.encode(check_file(csv_bytes(FILE)), register="r")

    assert plan_codec.decode(data, register="other") is None
    assert plan_codec.decode(b"", register="r") is None
    assert plan_codec.decode(b"not zlib", register="r") is None
    assert plan_codec.decode(zlib.compress(b"[1, 2"), register="r") is None
    bomb = zlib.compress(b" " * (plan_codec.MAX_BYTES + 1), 9)
    assert plan_codec.decode(bomb, register="r") is None


def test_a_plan_with_problems_is_not_kept(register) -> None:
    plan = check_file(csv_bytes([row(Navn="")]))
    assert plan.problems
    with pytest.raises(ValueError):
        plan_codec.encode(plan, register="r")


def test_another_process_stores_the_batch_without_reading_the_file_again(
    office, monkeypatch
) -> None:
    batch = import_check(actor=ACTOR, office=office, file_name="d.csv", data=csv_bytes(FILE))
    assert batch.plan

    def no_check(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file was checked again")

    # A fresh object from the database, as in another worker, with no checking at hand.
    monkeypatch.setattr(import_services, "check_file", no_check)
    stored = import_commit(actor=ACTOR, batch=ImportBatch.objects.get(pk=batch.pk))

    assert stored.status == ImportStatus.COMMITTED
    assert ActivityParticipation.objects.filter(batch=stored).count() == len(FILE)
    stored.refresh_from_db()
    assert stored.plan == b"" and stored.content == b""


def test_a_changed_register_makes_the_store_check_the_file_again(office, monkeypatch) -> None:
    batch = import_check(actor=ACTOR, office=office, file_name="d.csv", data=csv_bytes(FILE))
    Municipality.objects.filter(code="370").update(name="Næstved (omdøbt)")
    calls: list[bytes] = []
    real = import_services.check_file

    def counting(data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(data)
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(import_services, "check_file", counting)
    stored = import_commit(actor=ACTOR, batch=batch)

    assert calls == [csv_bytes(FILE)]
    assert stored.status == ImportStatus.COMMITTED


def test_discarding_or_anonymising_drops_the_kept_plan(office) -> None:
    first = import_check(actor=ACTOR, office=office, file_name="a.csv", data=csv_bytes(FILE))
    second = import_check(actor=ACTOR, office=office, file_name="b.csv", data=csv_bytes(FILE))

    import_discard(actor=ACTOR, batch=first)
    contact_anonymise(actor=ACTOR, email="test.person@example.dk")

    for batch in (first, second):
        batch.refresh_from_db()
        assert batch.status == ImportStatus.DISCARDED
        assert batch.plan == b"" and batch.content == b""
