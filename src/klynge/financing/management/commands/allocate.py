"""`klynge allocate`: compute, store, show and approve a year's allocation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.cofinancing import AllocationInputError
from klynge.financing import renderers
from klynge.financing.models import AllocationRun
from klynge.financing.selectors import (
    AgreementYearError,
    agreement_for_year,
    allocation_compute,
    allocation_lines,
    allocation_table,
    approval_checklist,
    run_lines,
    run_population,
)
from klynge.financing.selectors.tables import ShareRow
from klynge.financing.services import (
    ApprovalError,
    allocation_run_approve,
    allocation_run_create,
)
from klynge.masterdata.selectors import UnknownObjectError, office_get


class Command(BaseCommand):
    help = (
        "Beregn kommunernes andele for et budgetår. Uden --office gemmes "
        "beregningen som en fordeling med fingeraftryk."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="budgetår, fx 2024")
        parser.add_argument("--office", help="kun ét klyngekontor (kontorets eller klyngens navn)")
        parser.add_argument("--agreement", help="aftalens navn, hvis flere dækker året")
        parser.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
        parser.add_argument("--output", type=Path, help="skriv til denne fil")
        parser.add_argument("--approve", action="store_true", help="godkend og frys fordelingen")
        parser.add_argument(
            "--replaces",
            type=int,
            metavar="N",
            help="med --approve: ret året ved at erstatte den godkendte fordeling #N",
        )
        parser.add_argument(
            "--reason", default="", help="med --replaces: begrundelse for rettelsen (påkrævet)"
        )
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if options["approve"] and options["office"]:
            raise CommandError("--approve godkender hele årets fordeling; udelad --office.")
        if options["replaces"] is not None and not options["approve"]:
            raise CommandError("--replaces bruges sammen med --approve.")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("--format xlsx kræver --output FIL.")
        perm = perms.APPROVE_ALLOCATION if options["approve"] else perms.RUN_ALLOCATION
        actor = None if options["office"] else command_actor(options, perm)
        try:
            agreement = agreement_for_year(year=year, name=options["agreement"])
            if options["office"]:
                office = office_get(name=options["office"])
                computation = allocation_compute(agreement=agreement, year=year, offices=[office])
                lines = allocation_lines(computation.allocations)
                population = computation.inputs.population_at_reference()
                run_info = None
                status = "beregnet, ikke gemt (kun ét kontor)"
            else:
                assert actor is not None  # noqa: S101
                run = allocation_run_create(actor=actor, agreement=agreement, year=year)
                if options["approve"]:
                    run = self._approve(actor, run, options)
                lines = run_lines(run=run)
                population = run_population(run=run)
                run_info = {
                    "id": run.pk,
                    "status": run.status,
                    "fingerprint": run.fingerprint,
                }
                status = (
                    f"fordeling #{run.pk}, {run.get_status_display().lower()}, "
                    f"fingeraftryk {run.fingerprint[:12]}"
                )
        except (AgreementYearError, UnknownObjectError, ApprovalError) as error:
            raise CommandError(str(error)) from error
        except AllocationInputError as error:
            raise CommandError(
                f"Fordelingen for {year} kan ikke beregnes; intet er gemt:\n"
                + "\n".join(f"- {p.message}" for p in error.problems)
            ) from error

        table = allocation_table(lines, year=year, population=population)
        heading = f"Kommunal medfinansiering {year} - {agreement.name} ({status})"
        self._write(options, lines, table, heading, run_info)

    def _approve(self, actor: Actor, run: AllocationRun, options: dict[str, Any]) -> AllocationRun:
        """Approve `run` after printing what the approver confirms (stderr)."""
        replaces = None
        if options["replaces"] is not None:
            replaces = AllocationRun.objects.filter(
                pk=options["replaces"], agreement=run.agreement, year=run.year
            ).first()
            if replaces is None:
                raise ApprovalError(
                    f"Der er ingen fordeling #{options['replaces']} for {run.year}."
                )
        checklist = approval_checklist(run=run)
        if checklist:
            self.stderr.write("Godkendelsen bekræfter disse forbehold:")
            for item in checklist:
                self.stderr.write(f"- {item}")
        return allocation_run_approve(
            actor=actor, run=run, confirmed=True, replaces=replaces, reason=options["reason"]
        )

    def _write(
        self,
        options: dict[str, Any],
        lines: list[ShareRow],
        table: Any,
        heading: str,
        run_info: dict[str, Any] | None,
    ) -> None:
        output: Path | None = options["output"]
        fmt = options["format"]
        if fmt == "xlsx":
            assert output is not None  # noqa: S101
            output.write_bytes(renderers.lines_xlsx(lines, table, heading=heading))
        else:
            text = {
                "table": lambda: renderers.table_text(table, heading=heading),
                "csv": lambda: renderers.lines_csv(lines),
                "json": lambda: renderers.lines_json(lines, table, run_info),
            }[fmt]()
            if output is None:
                sys.stdout.write(text)
                sys.stdout.flush()
                return
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            output.write_text(text, encoding=encoding, newline="")
        self.stderr.write(f"Skrevet til {output}.")
