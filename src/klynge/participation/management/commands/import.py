"""
`klynge import participations FILE --office NAME`: check and store a participant file.

`--dry-run` only checks and prints the report; `klynge import undo BATCH`
takes a stored batch out again; `klynge import list` shows the batches.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from klynge.audit.commands import add_user_argument, command_actor
from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.choices import Basis
from klynge.common.commands import BaseCommand
from klynge.core.dates import format_datetime
from klynge.core.money import group_thousands
from klynge.masterdata.selectors import UnknownObjectError, office_get
from klynge.participation.models import ImportBatch, ImportStatus
from klynge.participation.services import (
    BatchError,
    import_check,
    import_commit,
    import_discard,
    import_max_bytes,
    import_undo,
    too_large_message,
)
from klynge.participation.summary import summary_lines

STAGES = {"check": "Tjekker rækker", "store": "Gemmer deltagelser"}


class _Bars:
    """One tqdm bar per stage, on stderr; silent when stderr is no terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, tqdm[Any]] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(
                total=total, desc=STAGES.get(stage, stage), unit=" rækker", file=sys.stderr
            )
        bar.update(done - bar.n)
        if done >= total:
            bar.close()


def _discard(actor: Actor, batch: ImportBatch) -> None:
    """Discard a batch the command will not store; `klynge purge` takes it if this fails."""
    with contextlib.suppress(BatchError, DatabaseError):
        import_discard(actor=actor, batch=batch)


class Command(BaseCommand):
    help = (
        "Indlæs et kontors deltagerliste (CSV eller XLSX, skabelonens kolonner): "
        "tjek, gem alt eller intet, eller fortryd en indlæsning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        participations = sub.add_parser("participations", help="tjek og gem en deltagerfil")
        participations.add_argument("file", type=Path, help="CSV- eller XLSX-fil")
        participations.add_argument("--office", required=True, help="klyngekontorets navn")
        participations.add_argument(
            "--dry-run", action="store_true", help="tjek kun; gem intet (prøvekørsel)"
        )
        participations.add_argument(
            "--demo", action="store_true", help="mærk rækkerne som demodata"
        )
        participations.add_argument(
            "--accept-changes",
            action="store_true",
            help="gem også forskelle fra registeret (andet navn, adresse eller kommune for en "
            "registreret deltager); uden den afvises filen, og intet gemmes",
        )
        participations.add_argument(
            "--no-progress", action="store_true", help="ingen fremdriftslinje"
        )
        add_user_argument(participations)
        undo = sub.add_parser("undo", help="fortryd en gemt indlæsning")
        undo.add_argument("batch", type=int, help="indlæsningens nummer")
        undo.add_argument("--reason", default="", help="begrundelse (vises i ændringsloggen)")
        add_user_argument(undo)
        sub.add_parser("list", help="vis indlæsningerne")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list()
        elif action == "undo":
            self._undo(options)
        else:
            self._import(options)

    def _list(self) -> None:
        for batch in ImportBatch.objects.select_related("office").defer("content", "plan")[:200]:
            self.stdout.write(
                f"{batch.pk:>5}  {format_datetime(batch.created_at)}  "
                f"{batch.get_status_display():<28} {batch.office.name}: {batch.file_name} "
                f"({group_thousands(batch.row_count)} rækker)"
            )

    def _undo(self, options: dict[str, Any]) -> None:
        batch = ImportBatch.objects.filter(pk=options["batch"]).first()
        if batch is None:
            raise CommandError(f"Der er ingen indlæsning nr. {options['batch']}.")
        actor = command_actor(options, perms.IMPORT_PARTICIPATIONS, batch.office)
        try:
            import_undo(actor=actor, batch=batch, reason=options["reason"])
        except BatchError as error:
            raise CommandError(f"Indlæsning {batch.pk} kan ikke fortrydes: {error}") from error
        self.stdout.write(f"Indlæsning {batch.pk} ({batch.file_name}) er fortrudt.")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            office = office_get(name=options["office"])
        except UnknownObjectError as error:
            raise CommandError(str(error)) from error
        actor = command_actor(options, perms.IMPORT_PARTICIPATIONS, office)
        if not path.is_file():
            raise CommandError(f"Filen findes ikke: {path}")
        size = path.stat().st_size
        if size > import_max_bytes():
            raise CommandError(f"{path.name} er afvist: {too_large_message(size)}")
        bars = _Bars(enabled=not options["no_progress"] and sys.stderr.isatty())
        batch = import_check(
            actor=actor,
            office=office,
            file_name=path.name,
            data=path.read_bytes(),
            basis=Basis.DEMO if options["demo"] else Basis.FACT,
            progress=bars,
        )
        for note in batch.notes:
            self.stdout.write(note)
        if batch.status == ImportStatus.REFUSED:
            lines = [
                f"- række {group_thousands(p['row'])}, kolonne '{p['column']}', "
                f"værdi '{p['value']}': {p['message']}"
                if p["row"]
                else f"- {p['message']}"
                for p in batch.problems
            ]
            raise CommandError(
                f"{path.name} er afvist; intet er gemt ({len(lines)} fejl):\n" + "\n".join(lines)
            )
        if options["dry_run"]:
            import_discard(actor=actor, batch=batch)  # a dry run keeps no file
            self.stdout.write(f"Prøvekørsel af {path.name}: intet er gemt. Ved indlæsning:")
            self._summary(batch)
            self._differences(batch)
            return
        try:
            batch = import_commit(
                actor=actor, batch=batch, accept_changes=options["accept_changes"], progress=bars
            )
        except BatchError as error:
            self._differences(batch)
            _discard(actor, batch)  # the next run checks the file again
            accepted = [d for d in batch.differences if not d.get("kept")]
            if accepted and not options["accept_changes"]:
                error = BatchError(f"{error} Kør igen med --accept-changes for at gemme dem.")
            raise CommandError(f"{path.name} er afvist; intet er gemt: {error}") from error
        except BaseException:
            # Interrupted (Ctrl-C) or the database failed while storing: the transaction
            # is rolled back, and the checked file must not stay behind in the database.
            _discard(actor, batch)
            raise
        self.stdout.write(f"{path.name} er gemt som indlæsning {batch.pk}:")
        self._summary(batch)

    def _summary(self, batch: ImportBatch) -> None:
        for line in summary_lines(batch.summary):
            self.stdout.write(f"  {line}")

    def _differences(self, batch: ImportBatch) -> None:
        """The registered participants the file changes, field by field (old → new)."""
        if not batch.differences:
            return
        self.stdout.write(
            f"Forskelle fra registeret ({group_thousands(len(batch.differences))} deltagere):"
        )
        for difference in batch.differences:
            cvr = f" (CVR {difference['cvr']})" if difference["cvr"] else ""
            self.stdout.write(
                f"  række {group_thousands(difference['row'])}: {difference['participant']}{cvr}"
            )
            if difference.get("kept"):
                owner = difference.get("owner") or "registeret selv"
                self.stdout.write(
                    f"    afviger fra det registrerede — ændres ikke (registreret af {owner}; "
                    "filens værdier gemmes som kontorets observation)"
                )
            for change in difference["changes"]:
                self.stdout.write(
                    f"    {change['column']}: {change['old'] or '–'} → {change['new'] or '–'}"
                )
