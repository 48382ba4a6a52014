"""`klynge reminders send [--dry-run]`: e-mail the follow-up's reminders, once per stage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from klynge.accounts.reminders import reminders_send
from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.contracts.reminders import Outcome, Reminder
from klynge.core.dates import parse_date_da

OUTCOME_DA = {
    Outcome.SENT: "sendt",
    Outcome.WOULD_SEND: "ville blive sendt",
    Outcome.NO_RECIPIENTS: "ikke sendt: ingen modtager med e-mail",
    Outcome.FAILED: "ikke sendt: fejl",
    Outcome.ALREADY: "allerede sendt af en anden kørsel",
}


def _line(reminder: Reminder) -> str:
    report = reminder.report
    who = "leadkommunen" if reminder.to_lead else "klyngekontoret"
    to = ", ".join(reminder.recipients) or f"({who} har ingen aktiv bruger med e-mail)"
    text = (
        f"Afrapportering {report.round.year}, {report.contract.holder_name}: "
        f"{reminder.stage_text} til {who}: {to} – {OUTCOME_DA[reminder.outcome]}"
    )
    return f"{text} ({reminder.error})" if reminder.error else text


class Command(BaseCommand):
    help = (
        "Påmindelser om den årlige opfølgning: e-mail hvert klyngekontor og hver leadkommune, "
        "hvad der nærmer sig fristen, er for sent, skal rettes eller afventer godkendelse – "
        "én gang pr. trin. Beregnet til at køre dagligt (cron eller systemd-timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send de påmindelser, der ikke er sendt før")
        send.add_argument(
            "--dry-run", action="store_true", help="vis kun, hvad der ville blive sendt"
        )
        send.add_argument("--today", help="kør, som om det var denne dato (fx 01-03-2025)")
        add_user_argument(send)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.MANAGE_FOLLOW_UP)
        try:
            today = parse_date_da(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(str(error)) from None
        dry_run = options["dry_run"]
        done = reminders_send(actor=actor, today=today, dry_run=dry_run)
        for reminder in done:
            self.stdout.write(_line(reminder))
        counts = {outcome: sum(1 for r in done if r.outcome is outcome) for outcome in Outcome}
        if dry_run:
            self.stdout.write(
                f"Ville blive sendt: {counts[Outcome.WOULD_SEND]}. "
                f"Uden modtager: {counts[Outcome.NO_RECIPIENTS]}."
            )
            self.stdout.write("Prøvekørsel: intet er sendt eller gemt.")
            return
        self.stdout.write(
            f"Sendt: {counts[Outcome.SENT]}. Uden modtager: {counts[Outcome.NO_RECIPIENTS]}. "
            f"Fejlede: {counts[Outcome.FAILED]}."
        )
        if counts[Outcome.FAILED]:
            raise CommandError(
                f"{counts[Outcome.FAILED]} påmindelse(r) kunne ikke sendes; tjek EMAIL_HOST m.fl. "
                "De forsøges igen ved næste kørsel."
            )
