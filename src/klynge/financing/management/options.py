"""Options shared by the commands that change an agreement year by year."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from klynge.common.choices import Basis


def add_change_arguments(parser: CommandParser) -> None:
    """--year/--to-year, --assumption, --note and --agreement."""
    parser.add_argument("--year", type=int, required=True, help="budgetår")
    parser.add_argument("--to-year", type=int, help="sidste år (standard: kun --year)")
    parser.add_argument("--assumption", action="store_true", help="marker som antagelse")
    parser.add_argument("--note", default="", help="begrundelse eller kilde")
    parser.add_argument("--agreement", help="aftalens navn")


def years(options: dict[str, Any]) -> range:
    """The budget years from --year to --to-year, both included."""
    return range(options["year"], (options["to_year"] or options["year"]) + 1)


def basis(options: dict[str, Any]) -> str:
    """Fact, or an assumption when --assumption is given."""
    return Basis.ASSUMPTION if options["assumption"] else Basis.FACT
