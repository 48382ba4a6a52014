"""An office changes only its own data: another office's file is kept as its observation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from tests.participation.files import CVR_A, csv_bytes, row

from klynge.accounts.models import Role
from klynge.accounts.services import Binding, user_create
from klynge.audit.services import Actor, snapshot
from klynge.masterdata.models import ClusterOffice
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    ContactPerson,
    ExporterYear,
    ImportBatch,
    ImportChange,
    ImportStatus,
    Participant,
    ParticipantObservation,
)
from klynge.participation.services import (
    BatchError,
    import_check,
    import_commit,
    import_undo,
    undo_blockers,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")

# Office B's file: the same company (CVR) with another name, address, postal code and
# exporter status in the same year.
OTHER = row(**{"Aktivitets-id": "B-1", "Aktivitet": "Kursus i eksport",
               "Navn": "Test Byg Holding ApS", "Adresse": "Ny vej 2", "Postnummer": "4000",
               "Eksportør": "ja"})  # fmt: skip
KEPT = {
    "row": 2,
    "participant": "Test Byg ApS",
    "cvr": CVR_A,
    "changes": [
        {"column": "Navn", "old": "Test Byg ApS", "new": "Test Byg Holding ApS"},
        {"column": "Adresse", "old": "", "new": "Ny vej 2"},
        {"column": "Postnummer", "old": "4700", "new": "4000"},
        {"column": "Kommunekode", "old": "Næstved (370)", "new": "Roskilde (265)"},
        {"column": "Eksportør 2024", "old": "nej", "new": "ja"},
    ],
    "kept": True,
}


@pytest.fixture
def office_a(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


@pytest.fixture
def office_b(office_a) -> ClusterOffice:
    return ClusterOffice.objects.exclude(pk=office_a.pk).order_by("name").first()


def state() -> dict[str, list[tuple[Any, ...]]]:
    """Every participation table, every column, sorted: two equal states are the same data."""
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (
            Participant,
            Activity,
            ActivityParticipation,
            ContactPerson,
            ExporterYear,
            ParticipantObservation,
        )
    }


def stored(
    office: ClusterOffice, rows: list[dict[str, str]], name: str = "a.csv", *, accept: bool = False
) -> ImportBatch:
    batch = import_check(actor=ACTOR, office=office, file_name=name, data=csv_bytes(rows))
    assert batch.status == ImportStatus.CHECKED, batch.problems
    return import_commit(actor=ACTOR, batch=batch, accept_changes=accept)


def company() -> Participant:
    return Participant.objects.get(cvr=CVR_A)


def a_registered(office_a: ClusterOffice) -> tuple[ImportBatch, dict[str, Any], dict[str, Any]]:
    """Office A's batch, and its company and exporter status as stored."""
    batch = stored(office_a, [row()])
    exporter = ExporterYear.objects.get(participant=company(), year=2024)
    return batch, snapshot(company()), snapshot(exporter)


# --- the service ---------------------------------------------------------------------------


def test_another_offices_file_lists_the_difference_as_kept(office_a, office_b) -> None:
    a_registered(office_a)

    batch = import_check(actor=ACTOR, office=office_b, file_name="b.csv",
                         data=csv_bytes([OTHER]))  # fmt: skip

    assert batch.status == ImportStatus.CHECKED
    assert batch.differences == [{**KEPT, "owner": office_a.name}]
    assert batch.summary["participants_changed"] == 0
    assert batch.summary["exporters_changed"] == 0
    assert batch.summary["observations"] == 1


def test_another_offices_file_changes_nothing_that_office_registered(office_a, office_b) -> None:
    _batch, participant, exporter = a_registered(office_a)

    batch = import_commit(  # kept differences need no acceptance: nothing of A's changes
        actor=ACTOR,
        batch=import_check(actor=ACTOR, office=office_b, file_name="b.csv",
                           data=csv_bytes([OTHER])),
    )  # fmt: skip

    assert batch.status == ImportStatus.COMMITTED
    assert snapshot(company()) == participant
    assert snapshot(ExporterYear.objects.get(participant=company(), year=2024)) == exporter
    observation = ParticipantObservation.objects.get()
    assert (observation.batch, observation.participant) == (batch, company())
    assert observation.values == {"name": "Test Byg Holding ApS", "address": "Ny vej 2",
                                  "postal_code": "4000", "municipality_code": "265"}  # fmt: skip
    assert observation.exporters == {"2024": True}
    assert ActivityParticipation.objects.filter(batch=batch, participant=company()).exists()
    assert not ImportChange.objects.filter(batch=batch, model="participant").exists()


def test_each_office_undoes_its_own_batch_whatever_the_order(office_a, office_b) -> None:
    empty = state()
    a_batch, _participant, _exporter = a_registered(office_a)
    b_batch = stored(office_b, [OTHER], "b.csv")

    assert undo_blockers(a_batch) == [] and undo_blockers(b_batch) == []
    import_undo(actor=ACTOR, batch=a_batch)

    # A's activity and participation are gone; the company stays, for B's participation.
    assert not Activity.objects.filter(office=office_a).exists()
    assert company().office == office_b
    assert ActivityParticipation.objects.filter(batch=b_batch).count() == 1
    import_undo(actor=ACTOR, batch=b_batch)
    assert state() == empty


def test_the_observing_office_can_undo_first_and_the_owner_after(office_a, office_b) -> None:
    empty = state()
    a_batch, participant, exporter = a_registered(office_a)
    b_batch = stored(office_b, [OTHER], "b.csv")

    import_undo(actor=ACTOR, batch=b_batch)

    assert snapshot(company()) == participant
    assert snapshot(ExporterYear.objects.get(participant=company(), year=2024)) == exporter
    assert not ParticipantObservation.objects.exists()
    import_undo(actor=ACTOR, batch=a_batch)
    assert state() == empty


def test_the_owner_still_changes_its_own_participant(office_a, office_b) -> None:
    a_registered(office_a)
    stored(office_b, [OTHER], "b.csv")
    changed = row(**{"Aktivitets-id": "NM-2", "Navn": "Test Byg Holding ApS"})

    batch = import_check(actor=ACTOR, office=office_a, file_name="a2.csv",
                         data=csv_bytes([changed]))  # fmt: skip

    assert [d.get("kept") for d in batch.differences] == [None]
    import_commit(actor=ACTOR, batch=batch, accept_changes=True)
    assert company().name == "Test Byg Holding ApS"


def test_a_blocked_undo_names_the_batch_file_and_date(office_a) -> None:
    first = stored(office_a, [row()], "januar.csv")
    changed = row(**{"Aktivitets-id": "NM-2", "Adresse": "Ny vej 2"})
    second = import_check(actor=ACTOR, office=office_a, file_name="februar.csv",
                          data=csv_bytes([changed]))  # fmt: skip
    second = import_commit(actor=ACTOR, batch=second, accept_changes=True)

    with pytest.raises(BatchError) as refused:
        import_undo(actor=ACTOR, batch=first)

    [blocker] = refused.value.blockers
    assert (blocker.batch_id, blocker.office_id, blocker.file_name) == (
        second.pk, office_a.pk, "februar.csv",
    )  # fmt: skip
    message = str(refused.value)
    assert f"Indlæsning {second.pk} (februar.csv, gemt " in message
    assert str(second.committed_at.year) in message and "fortryd den først" in message


def test_another_offices_blocking_batch_is_named_with_the_office_to_ask(office_a, office_b) -> None:
    first = stored(office_a, [row()], "januar.csv")
    # The company as B's, as before ownership was kept (or after a hand-over).
    Participant.objects.filter(cvr=CVR_A).update(office=office_b)
    other = import_check(actor=ACTOR, office=office_b, file_name="b.csv",
                         data=csv_bytes([OTHER]))  # fmt: skip
    other = import_commit(actor=ACTOR, batch=other, accept_changes=True)

    blockers = undo_blockers(first)

    assert [(b.batch_id, b.office_name) for b in blockers] == [(other.pk, office_b.name)]
    assert f"Indlæsning {other.pk} fra {office_b.name} (b.csv, gemt " in blockers[0].message
    assert f"bed {office_b.name} om at fortryde den først" in blockers[0].message


# --- the web -------------------------------------------------------------------------------


def _upload(client: Client, office: ClusterOffice, rows: list[dict[str, str]], name: str):
    file = io.BytesIO(csv_bytes(rows))
    file.name = name
    client.post("/deltagelse/indlaesning/", {"office": office.pk, "file": file})
    return ImportBatch.objects.filter(office=office).latest("pk")


@pytest.fixture
def office_b_client(demo, office_b) -> Client:
    user = user_create(actor=ACTOR, username="kontor-b", password=None,
                       binding=Binding(Role.OFFICE, office=office_b))  # fmt: skip
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return client


def test_the_dry_run_page_says_the_other_offices_data_is_not_changed(
    office_a, office_b, login_as, office_b_client
) -> None:
    client_a = login_as("webuild")
    a_batch = _upload(client_a, office_a, [row()], "a.csv")
    client_a.post(f"/deltagelse/indlaesning/{a_batch.pk}/gem/")
    participant = snapshot(company())

    b_batch = _upload(office_b_client, office_b, [OTHER], "b.csv")
    page = office_b_client.get(f"/deltagelse/indlaesning/{b_batch.pk}/").content.decode()

    assert "Afviger fra det registrerede — ændres ikke" in page
    assert office_a.name in page and "Test Byg Holding ApS" in page and "Eksportør 2024" in page
    assert 'name="accept_changes"' not in page  # nothing to accept: nothing changes
    office_b_client.post(f"/deltagelse/indlaesning/{b_batch.pk}/gem/")
    b_batch.refresh_from_db()
    assert b_batch.status == ImportStatus.COMMITTED
    assert snapshot(company()) == participant
    # A's undo is not blocked by B's batch, and B's undo works after it.
    client_a.post(f"/deltagelse/indlaesning/{a_batch.pk}/fortryd/")
    a_batch.refresh_from_db()
    assert a_batch.status == ImportStatus.UNDONE
    office_b_client.post(f"/deltagelse/indlaesning/{b_batch.pk}/fortryd/")
    b_batch.refresh_from_db()
    assert b_batch.status == ImportStatus.UNDONE
    assert not Participant.objects.filter(cvr=CVR_A).exists()


def test_the_secretariat_sees_the_observation_under_data_quality(
    office_a, office_b, staff_client
) -> None:
    stored(office_a, [row()])
    stored(office_b, [OTHER], "b.csv")

    page = staff_client.get("/datakvalitet/").content.decode()

    assert "Kontorers filer, der afviger fra registeret" in page
    assert "Test Byg Holding ApS" in page and "Ny vej 2" in page
    assert office_a.name in page and office_b.name in page


def test_a_blocked_undo_page_links_the_own_batch_and_names_the_other_office(
    office_a, office_b, login_as
) -> None:
    client = login_as("webuild")
    first = _upload(client, office_a, [row()], "januar.csv")
    client.post(f"/deltagelse/indlaesning/{first.pk}/gem/")
    own = _upload(client, office_a, [row(**{"Aktivitets-id": "NM-2", "Adresse": "Ny vej 2"})],
                  "februar.csv")  # fmt: skip
    client.post(f"/deltagelse/indlaesning/{own.pk}/gem/", {"accept_changes": "1"})
    # A batch of office B on the same company, as before ownership was kept.
    Participant.objects.filter(cvr=CVR_A).update(office=office_b)
    other = stored(office_b, [OTHER], "b.csv", accept=True)
    other_change = ImportChange.objects.get(batch=other, model="participant")
    assert other_change.object_pk == company().pk

    response = client.post(f"/deltagelse/indlaesning/{first.pk}/fortryd/")

    page = response.content.decode()
    assert "Indlæsningen kan ikke fortrydes endnu" in page
    assert f'href="/deltagelse/indlaesning/{own.pk}/"' in page and "februar.csv" in page
    assert f'href="/deltagelse/indlaesning/{other.pk}/"' not in page
    assert f"kontakt {office_b.name}" in page
    first.refresh_from_db()
    assert first.status == ImportStatus.COMMITTED
