"""GDPR for contact persons: export everything held on an email, or anonymise it everywhere."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from tests.participation.files import CVR_A, CVR_B, csv_bytes, row, xlsx_bytes

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
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
)
from klynge.participation.services import (
    contact_anonymise,
    contact_export,
    import_check,
    import_commit,
    import_undo,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
EMAIL = "test.person@example.dk"
NAME = "Testa Personsen"
PHONE = "+45 11 22 33 44"
CONTACT = {"Kontaktperson": NAME, "E-mail": EMAIL, "Telefon": PHONE}


# One contact at each of two companies, with the same email.
TWO_CONTACTS = [
    row(**CONTACT),
    row(**{"CVR-nummer": CVR_B, "Navn": "Test Energi A/S", "Postnummer": "4000", **CONTACT}),
]


@pytest.fixture
def office(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


def checked(office: ClusterOffice, data: bytes, name: str = "ny.csv") -> ImportBatch:
    """A batch checked and waiting to be stored (or refused): its file or problems are kept."""
    return import_check(actor=ACTOR, office=office, file_name=name, data=data)


def stored(office: ClusterOffice, data: bytes, name: str = "deltagere.csv") -> ImportBatch:
    batch = checked(office, data, name)
    assert batch.status == ImportStatus.CHECKED, batch.problems
    return import_commit(actor=ACTOR, batch=batch)


def statistics() -> dict[str, list[tuple[Any, ...]]]:
    """Every table a statistic is made from, every column, sorted."""
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (Participant, Activity, ActivityParticipation, ExporterYear)
    }


def personal(text: str) -> bool:
    lowered = text.lower()
    return any(value.lower() in lowered for value in (EMAIL, NAME, PHONE))


def audit_text() -> str:
    return json.dumps(
        list(AuditEntry.objects.values_list("before", "after", "object_repr", "reason")),
        ensure_ascii=False,
    )


def change_text() -> str:
    return json.dumps(
        list(ImportChange.objects.filter(model="contactperson").values_list("before", "after")),
        ensure_ascii=False,
    )


def test_export_returns_the_contacts_data_and_its_batches_whatever_the_case(office) -> None:
    batch = stored(office, csv_bytes(TWO_CONTACTS))
    pending = checked(office, csv_bytes([row(**{"Aktivitets-id": "NM-2", **CONTACT})]))
    other = stored(office, csv_bytes([row(**{"Aktivitets-id": "NM-3"})]), "uden-kontakt.csv")

    export = contact_export(actor=ACTOR, email="  TEST.Person@Example.DK ")

    assert export["email"] == "TEST.Person@Example.DK"
    assert [
        (c["name"], c["email"], c["phone"], c["office"], c["anonymised"])
        for c in export["contacts"]
    ] == [(NAME, EMAIL, PHONE, office.name, False)] * 2
    assert {c["participant"]["cvr"] for c in export["contacts"]} == {CVR_A, CVR_B}
    batches = {b["id"]: b for b in export["import_batches"]}
    assert set(batches) == {batch.pk, pending.pk}
    assert other.pk not in batches
    assert batches[batch.pk]["status"] == ImportStatus.COMMITTED
    assert batches[pending.pk]["file_name"] == "ny.csv"
    json.dumps(export)  # JSON-able as it is
    entry = AuditEntry.objects.latest("pk")
    assert entry.reason == "GDPR" and entry.model == "participation.contactperson"
    assert entry.after == {"export": True, "contacts": [c["id"] for c in export["contacts"]],
                           "import_batches": sorted(batches)}  # fmt: skip
    assert not personal(audit_text())


def test_export_of_an_unknown_email_is_empty_and_not_audited(office) -> None:
    stored(office, csv_bytes(TWO_CONTACTS))
    entries = AuditEntry.objects.count()

    export = contact_export(actor=ACTOR, email="ingen@example.dk")

    assert export == {"email": "ingen@example.dk", "contacts": [], "import_batches": []}
    assert AuditEntry.objects.count() == entries


def test_a_blank_email_matches_nothing_and_is_refused(office) -> None:
    stored(office, csv_bytes([row(**{"Kontaktperson": "Test Uden Mail"})]))

    with pytest.raises(ValueError, match="email"):
        contact_anonymise(actor=ACTOR, email="  ")
    assert ContactPerson.objects.get().name == "Test Uden Mail"


def test_anonymise_removes_the_data_everywhere_and_keeps_the_statistics(office) -> None:
    batch = stored(office, csv_bytes(TWO_CONTACTS))
    other_person = {"Kontaktperson": "Test Anden", "E-mail": "anden@example.dk"}
    others = stored(office, csv_bytes([row(**{"Aktivitets-id": "NM-9", **other_person})]), "a.csv")
    pending_csv = checked(office, csv_bytes([row(**{"Aktivitets-id": "NM-2", **CONTACT})]))
    pending_xlsx = checked(
        office, xlsx_bytes([row(**{"Aktivitets-id": "NM-4", **CONTACT})]), "ny.xlsx"
    )
    refused = checked(
        office, csv_bytes([row(**{**CONTACT, "E-mail": "TEST.PERSON@example.dk nej"})]), "fejl.csv"
    )
    unrelated = checked(office, csv_bytes([row(**{"Aktivitets-id": "NM-5"})]), "andet.csv")
    assert pending_xlsx.status == ImportStatus.CHECKED and EMAIL.encode() not in bytes(
        pending_xlsx.content
    )  # compressed: found only by reading the cells
    assert refused.status == ImportStatus.REFUSED and refused.content == b""
    assert EMAIL in json.dumps(refused.problems).lower()  # the problem quotes the value
    before = statistics()
    entries = AuditEntry.objects.count()
    assert personal(change_text())

    count = contact_anonymise(actor=ACTOR, email=EMAIL.upper())

    assert count == 2
    assert statistics() == before
    assert sorted(ContactPerson.objects.values_list("name", "email", "phone", "anonymised")) == [
        ("Anonymiseret", "", "", True), ("Anonymiseret", "", "", True),
        ("Test Anden", "anden@example.dk", "", False),
    ]  # fmt: skip
    assert not personal(change_text())
    assert "anden@example.dk" in change_text()  # another person's snapshot is left alone
    for pending in (pending_csv, pending_xlsx, refused):
        pending.refresh_from_db()
        assert (pending.status, bytes(pending.content), pending.problems) == (
            ImportStatus.DISCARDED, b"", [],
        )  # fmt: skip
    unrelated.refresh_from_db()
    assert unrelated.status == ImportStatus.CHECKED and bytes(unrelated.content)
    batch.refresh_from_db()
    others.refresh_from_db()
    assert batch.status == others.status == ImportStatus.COMMITTED
    new = AuditEntry.objects.order_by("pk")[entries:]
    contact_entries = [e for e in new if e.model == "participation.contactperson"]
    assert sorted(int(e.object_pk) for e in contact_entries) == sorted(
        ContactPerson.objects.filter(anonymised=True).values_list("pk", flat=True)
    )
    assert {(e.action, json.dumps(e.before), json.dumps(e.after), e.reason, e.object_repr)
            for e in contact_entries} == {
        ("update", '{"anonymised": false}', '{"anonymised": true}', "GDPR", "Anonymiseret")
    }  # fmt: skip
    assert {e.object_pk for e in new if e.model == "participation.importbatch"} == {
        str(pending_csv.pk), str(pending_xlsx.pk), str(refused.pk),
    }  # fmt: skip
    assert not personal(audit_text())


def test_after_anonymising_the_batch_that_made_the_contact_can_still_be_undone(office) -> None:
    batch = stored(office, csv_bytes(TWO_CONTACTS))
    contact_anonymise(actor=ACTOR, email=EMAIL)

    import_undo(actor=ACTOR, batch=batch)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert not ContactPerson.objects.exists()
    assert not Participant.objects.exists()


def test_undoing_a_change_after_anonymising_brings_no_data_back(office) -> None:
    stored(office, csv_bytes([row(**{**CONTACT, "Telefon": ""})]))
    change = stored(office, csv_bytes([row(**CONTACT)]), "telefon.csv")  # adds the phone
    assert change.summary["contacts_changed"] == 1
    contact_anonymise(actor=ACTOR, email=EMAIL)

    import_undo(actor=ACTOR, batch=change)

    contact = ContactPerson.objects.get()
    assert (contact.name, contact.email, contact.phone, contact.anonymised) == (
        "Anonymiseret", "", "", True,
    )  # fmt: skip


def test_the_snapshots_of_an_undone_batch_are_scrubbed_too(office) -> None:
    batch = stored(office, csv_bytes(TWO_CONTACTS))
    import_undo(actor=ACTOR, batch=batch)
    assert personal(change_text())

    assert contact_anonymise(actor=ACTOR, email=EMAIL) == 0

    assert not personal(change_text())
    assert contact_export(actor=ACTOR, email=EMAIL)["import_batches"] == []


def test_no_personal_data_reaches_the_audit_log_or_the_logs(
    office, run_command, tmp_path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in logging.root.manager.loggerDict:
        caplog.set_level(logging.DEBUG, logger=name)
    path = tmp_path / "deltagere.csv"
    path.write_bytes(csv_bytes(TWO_CONTACTS))
    run_command("import", "participations", str(path), "--office", office.name)
    assert ContactPerson.objects.filter(email=EMAIL).count() == 2

    code, out, _err = run_command("gdpr", "export", "--email", EMAIL)
    assert code == 0 and json.loads(out)["contacts"][0]["name"] == NAME
    code, out, err = run_command("gdpr", "anonymise", "--email", EMAIL)

    assert code == 0
    assert out.strip() == (
        "2 kontaktpersoner med denne e-mail er anonymiseret; statistikken er bevaret."
    )
    assert not personal(out + err)
    assert not [r.getMessage() for r in caplog.records if personal(r.getMessage())]
    assert not personal(audit_text())
    assert not ContactPerson.objects.filter(name=NAME).exists()


def test_the_command_writes_the_export_to_a_file(office, run_command, tmp_path) -> None:
    stored(office, csv_bytes(TWO_CONTACTS))
    path = tmp_path / "udtræk.json"

    code, out, _err = run_command("gdpr", "export", "--email", EMAIL, "--output", str(path))

    assert code == 0 and EMAIL not in out and "2 kontaktpersoner" in out
    export = json.loads(path.read_text(encoding="utf-8"))
    assert {c["name"] for c in export["contacts"]} == {NAME}
    assert path.stat().st_mode & 0o077 == 0  # personal data: the owner's only


def test_the_command_says_when_nothing_is_found(office, run_command) -> None:
    stored(office, csv_bytes(TWO_CONTACTS))

    code, out, _err = run_command("gdpr", "export", "--email", "ingen@example.dk")
    assert code == 0 and json.loads(out)["contacts"] == []
    code, out, _err = run_command("gdpr", "anonymise", "--email", "ingen@example.dk")
    assert code == 0 and "Ingen kontaktperson" in out
    assert ContactPerson.objects.filter(name=NAME).count() == 2
    assert run_command("gdpr", "anonymise", "--email", " ")[0] == 1


def test_an_office_user_reaches_only_its_own_offices_contacts(demo, run_command) -> None:
    own = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    other = ClusterOffice.objects.exclude(pk=own.pk).order_by("pk").first()
    assert other is not None
    stored(own, csv_bytes(TWO_CONTACTS[:1]))
    stored(other, csv_bytes([row(**{"Aktivitets-id": "A-1", **TWO_CONTACTS[1]})]))

    code, out, _err = run_command("gdpr", "export", "--email", EMAIL, "--user", "webuild")
    assert code == 0
    assert [c["office"] for c in json.loads(out)["contacts"]] == [own.name]
    code, out, _err = run_command("gdpr", "anonymise", "--email", EMAIL, "--user", "webuild")
    assert code == 0 and out.startswith("1 kontaktperson ")
    assert ContactPerson.objects.get(office=other).name == NAME
    assert run_command("gdpr", "anonymise", "--email", EMAIL, "--user", "sekretariat")[0] == 0
    assert not ContactPerson.objects.filter(name=NAME).exists()


@pytest.mark.parametrize("username", ["laeser", "greve"])
def test_users_who_may_not_see_contacts_are_refused(demo, run_command, username) -> None:
    stored(ClusterOffice.objects.get(name="We Build Denmark – Næstved"), csv_bytes(TWO_CONTACTS))

    for action in ("export", "anonymise"):
        code, out, err = run_command("gdpr", action, "--email", EMAIL, "--user", username)
        assert code == 1 and "ikke ret" in err and EMAIL not in out

    assert ContactPerson.objects.filter(name=NAME).count() == 2
