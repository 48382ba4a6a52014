"""
`klynge population fetch --quarter 2025K1 [--partnership sjaelland] [--yes] [--user U]`.

Fetches the population of the partnership's municipalities on the quarter's
first day from Statistics Denmark (table FOLK1A), shows each stored figure
beside the fetched one and the difference, and stores the fetch as a new
version only when confirmed (y/j), or at once with --yes. An answer that is
empty, truncated, incomplete or from another table is refused with the
reason; then, as on "no", nothing is stored. Errors end with a Danish
message and exit code 1.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.dates import format_date_da
from klynge.core.money import group_thousands
from klynge.core.statbank import StatbankFormatError, parse_quarter
from klynge.masterdata.selectors import (
    FigureChange,
    UnknownObjectError,
    changes_total,
    partnership_get,
    population_changes,
)
from klynge.masterdata.services import (
    LAST_REFERENCE_YEAR,
    FetchError,
    population_fetch_record,
    population_fetch_store,
)
from klynge.masterdata.statbank import StatbankError, fetch_folk1a

YES = {"j", "ja", "y", "yes"}
MAX_ANSWER_CHARS = 10


def signed(number: int | None) -> str:
    """A difference as +1.234, -56 or 0; '-' when there is nothing to compare."""
    if number is None:
        return "–"
    sign = "+" if number > 0 else "-" if number < 0 else ""
    return sign + group_thousands(abs(number))


def change_table(changes: list[FigureChange]) -> str:
    """The fetched figures beside the stored ones, as aligned text."""
    header = ("Kommune", "Gemt", "Hentet", "Forskel")
    rows = [
        (
            f"{c.code} {c.name}",
            group_thousands(c.stored) if c.stored is not None else "mangler",
            group_thousands(c.fetched),
            signed(c.difference),
        )
        for c in changes
    ]
    total = changes_total(changes)
    rows.append(
        (
            "I alt",
            group_thousands(total.stored) if total.stored is not None else "mangler",
            group_thousands(total.fetched),
            signed(total.difference),
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(row: tuple[str, str, str, str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def change_summary(changes: list[FigureChange]) -> str:
    """What storing changes: new figures, figures that only get the new source."""
    new = sum(1 for c in changes if c.stored is None)
    other = sum(1 for c in changes if c.stored is not None and c.stored != c.fetched)
    source = sum(1 for c in changes if c.stored == c.fetched and c.changed)
    return (
        f"Gemmes tallene, bliver {new} tal tilføjet og {other} ændret, og {source} uændrede "
        "tal får Danmarks Statistik (FOLK1A) som kilde."
    )


class Command(BaseCommand):
    help = (
        "Hent indbyggertal fra Danmarks Statistik (tabel FOLK1A) for partnerskabets kommuner, "
        "vis forskellen til de gemte tal, og gem dem som ny version, når det bekræftes."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fetch = sub.add_parser("fetch", help="hent FOLK1A for et kvartal")
        fetch.add_argument(
            "--quarter", required=True, help="kvartalet som ÅÅÅÅKn, fx 2025K1 (1. januar 2025)"
        )
        fetch.add_argument(
            "--partnership", default="sjaelland", help="partnerskabets nøgle (standard: sjaelland)"
        )
        fetch.add_argument("--yes", action="store_true", help="gem uden at spørge (til scripts)")
        add_user_argument(fetch)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.CHANGE_REGISTER)
        try:
            quarter = parse_quarter(options["quarter"], last_year=LAST_REFERENCE_YEAR)
            partnership = partnership_get(key=options["partnership"])
        except (StatbankFormatError, UnknownObjectError) as error:
            raise CommandError(str(error)) from None
        municipalities = dict(partnership.members.values_list("code", "name"))
        if not municipalities:
            raise CommandError(f"{partnership.name} har ingen kommuner; intet at hente.")
        self.stdout.write(
            f"Henter FOLK1A {quarter.code} (befolkningen {format_date_da(quarter.first_day)}) "
            f"for {len(municipalities)} kommuner i {partnership.name} ..."
        )
        try:
            answer = fetch_folk1a(municipalities=municipalities, quarter=quarter)
        except StatbankError as error:
            raise CommandError(str(error)) from None
        changes = population_changes(
            partnership=partnership, reference_date=quarter.first_day, figures=answer.figures
        )
        self.stdout.write(change_table(changes))
        if not any(c.changed for c in changes):
            self.stdout.write(
                f"Ingen ændringer: de gemte tal er allerede FOLK1A {quarter.code}. Intet er gemt."
            )
            return
        self.stdout.write(change_summary(changes))
        if not options["yes"] and not self._confirmed(options.get("stdin") or sys.stdin):
            self.stdout.write("Ikke bekræftet. Intet er gemt.")
            return
        try:
            with transaction.atomic():
                fetch = population_fetch_record(actor=actor, partnership=partnership, answer=answer)
                stored = population_fetch_store(actor=actor, fetch_id=fetch.pk)
        except FetchError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Gemt som ny version (hentning #{fetch.pk}): {len(stored)} indbyggertal pr. "
            f"{format_date_da(quarter.first_day)} med kilden FOLK1A {quarter.code}."
        )

    def _confirmed(self, stdin: TextIO) -> bool:
        self.stdout.write("Gem tallene som ny version? [j/N] ", ending="")
        self.stdout.flush()
        answer = stdin.readline()[:MAX_ANSWER_CHARS]
        return answer.strip().casefold() in YES
