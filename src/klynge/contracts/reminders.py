"""
Reminders of the yearly follow-up: what each report is due, sent once per stage.

A report in an open round goes through stages, each reminded once:

- due: a draft whose deadline is within KLYNGE_REMINDER_DAYS_BEFORE days
  (and not passed), to the office;
- late: past the deadline and not submitted, to the office;
- changes: sent back by the lead municipality, to the office;
- review: submitted and awaiting review, to the lead municipality.

`reminders_send` decides, records (`ReminderSent`, audited) and e-mails each
reminder in one transaction: a mail that cannot be sent leaves no record, so
it goes out on the next run; a recorded stage never goes out again. Who
receives a reminder is the caller's (users live in `klynge.accounts`, above
this app): it passes a `RecipientLookup`.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from klynge.audit.services import Actor
from klynge.common.choices import Basis
from klynge.contracts.models import OfficeReport, ReminderSent, ReminderStage
from klynge.contracts.selectors import ReportState, follow_up_due
from klynge.contracts.services import reminder_record
from klynge.core.dates import format_date_da

# The office report's page (klynge.contracts.urls).
REPORT_URL_NAME = "report-detail"

STAGE_OF_STATE = {
    ReportState.DUE: ReminderStage.DUE,
    ReportState.LATE: ReminderStage.LATE,
    ReportState.CHANGES: ReminderStage.CHANGES,
    ReportState.REVIEW: ReminderStage.REVIEW,
}

STAGE_DA = {
    ReminderStage.DUE: "frist nærmer sig",
    ReminderStage.LATE: "for sent",
    ReminderStage.CHANGES: "ændringer ønsket",
    ReminderStage.REVIEW: "afventer godkendelse",
}

# Who is reminded of each stage: the office, or the lead municipality.
TO_LEAD = frozenset({ReminderStage.REVIEW})

RecipientLookup = Callable[[OfficeReport, ReminderStage], list[str]]


class Outcome(Enum):
    SENT = "sent"
    WOULD_SEND = "would_send"  # a dry run
    NO_RECIPIENTS = "no_recipients"
    FAILED = "failed"  # the mail server refused; nothing recorded, tried again next run
    ALREADY = "already"  # another run recorded it meanwhile


@dataclass(frozen=True)
class Reminder:
    """One report's reminder for one stage, and what became of it."""

    report: OfficeReport
    stage: ReminderStage
    recipients: list[str]
    outcome: Outcome
    error: str = ""

    @property
    def stage_text(self) -> str:
        return STAGE_DA[self.stage]

    @property
    def to_lead(self) -> bool:
        return self.stage in TO_LEAD


def report_path(pk: int) -> str:
    """The path of an office report's page."""
    return reverse(REPORT_URL_NAME, args=[pk])


def report_url(pk: int) -> str:
    """The report page's full address, for a mail (KLYNGE_BASE_URL + path)."""
    return str(settings.KLYNGE_BASE_URL).rstrip("/") + report_path(pk)


def reminder_stage(
    report: OfficeReport, state: ReportState, *, today: dt.date, days_before: int
) -> ReminderStage | None:
    """The stage `report` is to be reminded of today, or None (not yet due, approved)."""
    if state is ReportState.DUE:
        follow_up = report.round
        if today < follow_up.opens_on or (follow_up.deadline - today).days > days_before:
            return None
    return STAGE_OF_STATE.get(state)


def pending(*, today: dt.date, days_before: int) -> list[tuple[OfficeReport, ReminderStage]]:
    """Every (report, stage) to be reminded today and not reminded before (two queries)."""
    items = follow_up_due(today=today)
    sent = set(
        ReminderSent.objects.filter(report__in=[item.report for item in items]).values_list(
            "report_id", "stage"
        )
    )
    due = []
    for item in items:
        stage = reminder_stage(item.report, item.state, today=today, days_before=days_before)
        if stage is not None and (item.report.pk, stage.value) not in sent:
            due.append((item.report, stage))
    return due


def _subject(report: OfficeReport, stage: ReminderStage) -> str:
    year = report.round.year
    office = report.contract.holder_name
    deadline = format_date_da(report.round.deadline)
    subjects = {
        ReminderStage.DUE: f"Afrapportering {year}: fristen er {deadline}",
        ReminderStage.LATE: f"Afrapportering {year}: fristen {deadline} er overskredet",
        ReminderStage.CHANGES: f"Afrapportering {year}: leadkommunen ønsker ændringer",
        ReminderStage.REVIEW: f"Afrapportering {year} fra {office} afventer jeres godkendelse",
    }
    demo = " (demodata)" if report.basis == Basis.DEMO else ""
    return f"Klynge: {subjects[stage]}{demo}"


def _lead_sentence(report: OfficeReport, stage: ReminderStage) -> str:
    year = report.round.year
    office = report.contract.holder_name
    deadline = format_date_da(report.round.deadline)
    if stage == ReminderStage.DUE:
        return (
            f"{office}s afrapportering af resultatkontrakten for {year} skal indsendes "
            f"senest {deadline}. Den er endnu ikke indsendt."
        )
    if stage == ReminderStage.LATE:
        return (
            f"{office}s afrapportering af resultatkontrakten for {year} skulle have været "
            f"indsendt senest {deadline}. Den er endnu ikke indsendt; indsend den snarest."
        )
    if stage == ReminderStage.CHANGES:
        return (
            f"Leadkommunen har sendt {office}s afrapportering for {year} tilbage og ønsker "
            "ændringer. Ret afrapporteringen, og indsend den igen."
        )
    return (
        f"{office} har indsendt sin afrapportering af resultatkontrakten for {year}. "
        "Den afventer jeres gennemgang: godkend den, eller bed om ændringer."
    )


def reminder_message(report: OfficeReport, stage: ReminderStage) -> tuple[str, str]:
    """The Danish subject and text of the reminder of `report` at `stage`."""
    lines = [
        "Hej",
        "",
        _lead_sentence(report, stage),
        "",
        f"Kontor: {report.contract.holder_name}",
        f"År: {report.round.year}",
        f"Frist: {format_date_da(report.round.deadline)}",
    ]
    if stage == ReminderStage.CHANGES and report.review_comment:
        lines.append(f"Leadkommunens kommentar: {report.review_comment}")
    if report.basis == Basis.DEMO:
        lines.append("Bemærk: afrapporteringen er demodata.")
    lines += [
        "",
        "Åbn afrapporteringen her:",
        report_url(report.pk),
        "",
        "Venlig hilsen",
        "Klynge",
        "",
        "Denne e-mail er sendt automatisk én gang for dette trin; den kan ikke besvares.",
    ]
    return _subject(report, stage), "\n".join(lines) + "\n"


def _messages(report: OfficeReport, stage: ReminderStage, to: list[str]) -> list[EmailMessage]:
    """One mail per recipient: no recipient sees the others' addresses."""
    subject, body = reminder_message(report, stage)
    return [EmailMessage(subject=subject, body=body, to=[address]) for address in to]


def reminders_send(
    *,
    actor: Actor,
    today: dt.date,
    dry_run: bool,
    recipients: RecipientLookup,
    days_before: int | None = None,
) -> list[Reminder]:
    """
    E-mail every reminder due today and not sent before; record each sent one.

    A report without recipients is told (and not recorded, so it goes out once
    someone has an address). A dry run sends and stores nothing.
    """
    if days_before is None:
        days_before = int(settings.KLYNGE_REMINDER_DAYS_BEFORE)
    done = []
    connection = None if dry_run else get_connection()
    for report, stage in pending(today=today, days_before=days_before):
        to = sorted(set(recipients(report, stage)))
        if not to:
            done.append(Reminder(report, stage, to, Outcome.NO_RECIPIENTS))
        elif connection is None:
            done.append(Reminder(report, stage, to, Outcome.WOULD_SEND))
        else:
            try:
                with transaction.atomic():
                    row = reminder_record(actor=actor, report=report, stage=stage, recipients=to)
                    if row is None:
                        done.append(Reminder(report, stage, to, Outcome.ALREADY))
                        continue
                    connection.send_messages(_messages(report, stage, to))
            except (smtplib.SMTPException, OSError) as error:
                done.append(Reminder(report, stage, to, Outcome.FAILED, str(error)))
                continue
            done.append(Reminder(report, stage, to, Outcome.SENT))
    return done
