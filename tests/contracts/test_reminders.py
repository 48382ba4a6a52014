"""The follow-up's reminders: e-mailed once per stage, to the office's or the lead's users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from tests.contracts.conftest import ACTOR, submit

from klynge.accounts.models import Profile, Role
from klynge.accounts.reminders import reminders_send
from klynge.audit.models import AuditEntry
from klynge.contracts.models import (
    Contract,
    OfficeReport,
    ReminderSent,
    ReminderStage,
)
from klynge.contracts.reminders import Outcome, reminder_message
from klynge.contracts.services import (
    report_review,
    round_open,
)
from klynge.masterdata.models import ClusterOffice, Municipality

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2025, 3, 1)
FAR = dt.date(2025, 1, 10)  # more than 14 days before the deadline
SOON = dt.date(2025, 2, 20)  # within 14 days
AFTER = dt.date(2025, 3, 2)


def _user(username: str, email: str, role: Role, **binding: object) -> None:
    user = get_user_model().objects.create_user(username=username, email=email)
    Profile.objects.create(user=user, role=role, **binding)


@pytest.fixture
def report(signed: Contract) -> OfficeReport:
    """The 2024 round's report of We Build Denmark, with users of its office and lead."""
    office = signed.office
    lead = signed.lead_municipality
    _user("kontor1", "kontor1@example.dk", Role.OFFICE, office=office)
    _user("kontor2", "kontor2@example.dk", Role.OFFICE, office=office)
    _user("udenmail", "", Role.OFFICE, office=office)
    old = get_user_model().objects.create_user(
        username="stoppet", email="stoppet@example.dk", is_active=False
    )
    Profile.objects.create(user=old, role=Role.OFFICE, office=office)
    _user("lead1", "lead1@example.dk", Role.LEAD_MUNICIPALITY, municipality=lead)
    # Not recipients: another office, an ordinary municipality user of the lead
    # municipality, another lead municipality, the secretariat.
    other = ClusterOffice.objects.exclude(pk=office.pk).first()
    _user("andet", "andet@example.dk", Role.OFFICE, office=other)
    _user("kommune", "kommune@example.dk", Role.MUNICIPALITY, municipality=lead)
    greve = Municipality.objects.get(code="253")
    _user("greve-lead", "greve@example.dk", Role.LEAD_MUNICIPALITY, municipality=greve)
    _user("sek", "sek@example.dk", Role.SECRETARIAT)
    follow_up = round_open(actor=ACTOR, year=2024, opens_on=dt.date(2025, 1, 5), deadline=DEADLINE)
    return follow_up.reports.get()


def _refuse(self: EmailBackend, messages: object) -> int:
    raise OSError("Connection refused")


def _send(today: dt.date, *, dry_run: bool = False) -> list[tuple[str, Outcome]]:
    done = reminders_send(actor=ACTOR, today=today, dry_run=dry_run)
    return [(r.stage.value, r.outcome) for r in done]


def _to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_nothing_is_due_long_before_the_deadline(report: OfficeReport) -> None:
    assert _send(FAR) == []
    assert mail.outbox == []


def test_due_goes_to_the_offices_active_users_with_an_address_once(report: OfficeReport) -> None:
    assert _send(SOON) == [("due", Outcome.SENT)]
    assert _to() == ["kontor1@example.dk", "kontor2@example.dk"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # no one sees the others
    row = ReminderSent.objects.get()
    assert (row.report, row.stage) == (report, ReminderStage.DUE)
    assert row.recipients == "kontor1@example.dk, kontor2@example.dk"
    assert AuditEntry.objects.filter(model="contracts.remindersent", action="create").count() == 1
    # Running again the same or the next day sends nothing new.
    mail.outbox.clear()
    assert _send(SOON) == []
    assert _send(SOON + dt.timedelta(days=1)) == []
    assert mail.outbox == []


def test_each_next_stage_is_sent_once(report: OfficeReport) -> None:
    _send(SOON)
    mail.outbox.clear()
    # Past the deadline: late, to the office.
    assert _send(AFTER) == [("late", Outcome.SENT)]
    assert _to() == ["kontor1@example.dk", "kontor2@example.dk"]
    assert "overskredet" in mail.outbox[0].subject
    mail.outbox.clear()
    assert _send(AFTER) == []
    # Submitted: awaiting review, to the lead municipality only.
    report = submit(report)
    assert _send(AFTER) == [("review", Outcome.SENT)]
    assert _to() == ["lead1@example.dk"]
    mail.outbox.clear()
    # Sent back: changes, to the office, with the lead's comment.
    report_review(actor=ACTOR, report=report, approve=False, comment="Ret antallet")
    assert _send(AFTER) == [("changes", Outcome.SENT)]
    assert _to() == ["kontor1@example.dk", "kontor2@example.dk"]
    assert "Ret antallet" in mail.outbox[0].body
    mail.outbox.clear()
    # Approved: nothing more.
    report = submit(report)
    report_review(actor=ACTOR, report=report, approve=True, comment="")
    assert _send(AFTER) == []
    assert mail.outbox == []
    stages = set(ReminderSent.objects.values_list("stage", flat=True))
    assert stages == {"due", "late", "review", "changes"}


def test_a_late_report_never_reminded_as_due_gets_the_late_reminder(
    report: OfficeReport,
) -> None:
    assert _send(AFTER) == [("late", Outcome.SENT)]
    assert _send(AFTER) == []


def test_the_dry_run_sends_and_stores_nothing(report: OfficeReport) -> None:
    entries = AuditEntry.objects.count()
    assert _send(SOON, dry_run=True) == [("due", Outcome.WOULD_SEND)]
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert AuditEntry.objects.count() == entries
    # The real run afterwards still sends it.
    assert _send(SOON) == [("due", Outcome.SENT)]


def test_a_report_without_recipients_is_told_and_sent_once_someone_has_an_address(
    report: OfficeReport,
) -> None:
    report = submit(report)
    get_user_model().objects.filter(username="lead1").update(email="")
    assert _send(AFTER) == [("review", Outcome.NO_RECIPIENTS)]
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    get_user_model().objects.filter(username="lead1").update(email="lead1@example.dk")
    assert _send(AFTER) == [("review", Outcome.SENT)]
    assert _to() == ["lead1@example.dk"]


@override_settings(KLYNGE_BASE_URL="https://klynge.example.dk/")
def test_the_mail_is_danish_with_year_office_deadline_and_link(report: OfficeReport) -> None:
    subject, body = reminder_message(report, ReminderStage.DUE)
    assert subject == "Klynge: Afrapportering 2024: fristen er 1. marts 2025"
    assert "We Build Denmark – Næstved" in body
    assert "Frist: 1. marts 2025" in body
    assert f"https://klynge.example.dk/opfoelgning/afrapportering/{report.pk}/" in body
    _send(SOON)
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_a_failing_mail_server_records_nothing(
    report: OfficeReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EmailBackend, "send_messages", _refuse)
    assert _send(SOON) == [("due", Outcome.FAILED)]
    assert not ReminderSent.objects.exists()
    assert not AuditEntry.objects.filter(model="contracts.remindersent").exists()
    monkeypatch.undo()
    assert _send(SOON) == [("due", Outcome.SENT)]


# --- the command ---------------------------------------------------------------------


def test_the_command_dry_run_prints_and_stores_nothing(report: OfficeReport, run_command) -> None:
    code, out, _err = run_command("reminders", "send", "--dry-run", "--today", "20-02-2025")
    assert code == 0
    assert (
        "Afrapportering 2024, We Build Denmark – Næstved: frist nærmer sig til klyngekontoret"
        in out
    )
    assert "kontor1@example.dk, kontor2@example.dk – ville blive sendt" in out
    assert "Ville blive sendt: 1. Uden modtager: 0." in out
    assert "Prøvekørsel: intet er sendt eller gemt." in out
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_the_command_sends_once_and_counts(report: OfficeReport, run_command) -> None:
    code, out, _err = run_command("reminders", "send", "--today", "20-02-2025")
    assert code == 0
    assert "– sendt" in out
    assert "Sendt: 1. Uden modtager: 0. Fejlede: 0." in out
    assert len(mail.outbox) == 2
    code, out, _err = run_command("reminders", "send", "--today", "20-02-2025")
    assert code == 0
    assert "Sendt: 0. Uden modtager: 0. Fejlede: 0." in out
    assert len(mail.outbox) == 2
    audit = AuditEntry.objects.get(model="contracts.remindersent")
    assert audit.actor_label.startswith("cli:")


def test_the_command_tells_a_report_without_recipients(report: OfficeReport, run_command) -> None:
    submit(report)
    Profile.objects.filter(role=Role.LEAD_MUNICIPALITY).delete()
    code, out, _err = run_command("reminders", "send", "--today", "02-03-2025")
    assert code == 0
    assert "afventer godkendelse til leadkommunen: (leadkommunen har ingen aktiv bruger" in out
    assert "Sendt: 0. Uden modtager: 1." in out


def test_the_command_refuses_a_user_without_the_right_and_a_bad_date(
    report: OfficeReport, run_command
) -> None:
    code, _out, err = run_command("reminders", "send", "--user", "kontor1")
    assert code == 1 and "har ikke ret til dette" in err
    code, _out, err = run_command("reminders", "send", "--today", "31-02-2025")
    assert code == 1 and "31-02-2025" in err
    assert mail.outbox == []


def test_the_command_fails_when_the_mail_server_does(
    report: OfficeReport, run_command, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EmailBackend, "send_messages", _refuse)
    code, out, err = run_command("reminders", "send", "--today", "20-02-2025")
    assert code == 1
    assert "ikke sendt: fejl (Connection refused)" in out
    assert "forsøges igen ved næste kørsel" in err
    assert not ReminderSent.objects.exists()
