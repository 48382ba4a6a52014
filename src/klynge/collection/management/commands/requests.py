"""`klynge requests create|send|letters --year Y`: payment requests from the approved run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from klynge.audit.commands import add_user_argument, command_actor
from klynge.audit.services import Actor
from klynge.collection.letters import letter_filename, letter_pdf
from klynge.collection.models import PaymentRequest, RequestStatus
from klynge.collection.services import (
    CollectionError,
    request_send,
    requests_create,
    requests_settle,
)
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.dates import parse_date_da
from klynge.core.money import format_dkk
from klynge.financing.models import AllocationRun
from klynge.financing.selectors import AgreementYearError, agreement_for_year, run_approved


class Command(BaseCommand):
    help = (
        "Opkrævninger: opret dem fra årets godkendte fordeling (create), markér dem som sendt "
        "(send), afregn en rettet fordeling med efteropkrævninger, kreditnotaer og "
        "annulleringer (settle), eller skriv et PDF-brev pr. opkrævning (letters --output MAPPE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "send", "settle", "letters"])
        parser.add_argument("--year", type=int, required=True, help="budgetår, fx 2024")
        parser.add_argument("--agreement", help="aftalens navn, hvis flere dækker året")
        parser.add_argument(
            "--due", help="forfaldsdato, fx 31-03-2024 (standard: 30 dage fra i dag)"
        )
        parser.add_argument("--output", type=Path, help="mappe til brevene (letters)")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.MANAGE_COLLECTION)
        year: int = options["year"]
        try:
            agreement = agreement_for_year(year=year, name=options["agreement"])
            if options["action"] in ("create", "settle"):
                run = run_approved(agreement=agreement, year=year)
                if run is None:
                    raise CollectionError(
                        f"Der er ingen godkendt fordeling for {year}; godkend den først "
                        f"(klynge allocate --year {year} --approve)."
                    )
                due = (
                    parse_date_da(options["due"])
                    if options["due"]
                    else timezone.localdate() + dt.timedelta(days=30)
                )
                if options["action"] == "settle":
                    self._settle(actor, run, due)
                    return
                created = requests_create(actor=actor, run=run, due_date=due)
                total = sum(r.total_ore for r in created)
                self.stdout.write(
                    f"{len(created)} opkrævninger for {year} oprettet som udkast, i alt "
                    f"{format_dkk(total)} (fordeling #{run.pk}, forfald {due:%d-%m-%Y})."
                )
            elif options["action"] == "letters":
                self._letters(year, options["output"])
            else:
                drafts = PaymentRequest.objects.filter(year=year, status=RequestStatus.DRAFT)
                with transaction.atomic():
                    sent = [request_send(actor=actor, request=r) for r in drafts]
                self.stdout.write(f"{len(sent)} opkrævninger for {year} markeret som sendt.")
        except (AgreementYearError, CollectionError, ValueError) as error:
            raise CommandError(str(error)) from error

    def _settle(self, actor: Actor, run: AllocationRun, due: dt.date) -> None:
        settlement = requests_settle(actor=actor, run=run, due_date=due)
        if not settlement.changed:
            self.stdout.write(
                f"Opkrævningerne for {run.year} svarer allerede til fordeling #{run.pk}; "
                "intet at afregne."
            )
            return
        for document in settlement.supplements:
            self.stdout.write(
                f"Efteropkrævning {document.number} til {document.municipality.name}: "
                f"{format_dkk(document.total_ore)}"
            )
        for document in settlement.credits:
            self.stdout.write(
                f"Kreditnota {document.number} til {document.municipality.name}: "
                f"{format_dkk(document.total_ore)}"
            )
        for document in settlement.cancelled:
            self.stdout.write(f"Annulleret {document.number} ({document.municipality.name})")
        self.stdout.write(
            f"{run.year} er afregnet mod fordeling #{run.pk} (erstatter #{run.replaces_id}): "
            f"{len(settlement.supplements)} efteropkrævninger, {len(settlement.credits)} "
            f"kreditnotaer og {len(settlement.cancelled)} annulleringer, som udkast "
            f"(forfald {due:%d-%m-%Y})."
        )

    def _letters(self, year: int, output: Path | None) -> None:
        if output is None:
            raise CommandError("letters kræver --output MAPPE.")
        requests = PaymentRequest.objects.filter(year=year)  # a cancelled one: its cancellation
        if not requests.exists():
            raise CommandError(f"Der er ingen opkrævninger for {year}; opret dem først.")
        output.mkdir(parents=True, exist_ok=True)
        for request in requests.select_related("municipality", "run__agreement"):
            (output / letter_filename(request)).write_bytes(letter_pdf(request))
        self.stdout.write(f"{requests.count()} breve skrevet til {output}.")
