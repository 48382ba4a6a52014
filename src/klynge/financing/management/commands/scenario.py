"""`klynge scenario compare --year Y [changes]`: what if, against the baseline."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.cofinancing import AllocationInputError, Key
from klynge.core.money import MoneyError, parse_dkk
from klynge.core.numbers import NumberError, parse_decimal
from klynge.core.scenario import Changes, ScenarioError
from klynge.core.text import is_digits
from klynge.financing import renderers
from klynge.financing.models import RoundingUnit, Scenario
from klynge.financing.selectors import AgreementYearError, agreement_for_year, scenario_compute
from klynge.financing.services import scenario_save
from klynge.masterdata.selectors import UnknownObjectError, municipality_get

ROUNDING = {"oere": RoundingUnit.ORE, "krone": RoundingUnit.KRONE, "1000": RoundingUnit.THOUSAND}


def _percent(text: str) -> Fraction:
    """'40' or '37,5' -> an exact Fraction (-100 to 100, at most four decimals, no exponent)."""
    try:
        return parse_decimal(text, low=Fraction(-100), high=Fraction(100), places=4)
    except NumberError as error:
        raise CommandError(f"'{text}' er ikke en procentsats (fx 40 eller 2,5)") from error


def _code(text: str) -> str:
    return municipality_get(code_or_name=text).code


class Command(BaseCommand):
    help = (
        "Scenarier: beregn et 'hvad nu hvis' for et budgetår og sammenlign hver kommunes "
        "beløb med grundlaget (den godkendte fordeling, ellers dagens beregning). "
        "Godkendte fordelinger og opkrævninger ændres aldrig."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compare"])
        parser.add_argument("--year", type=int, required=True, help="budgetår")
        parser.add_argument("--agreement", help="aftalens navn, hvis flere dækker året")
        parser.add_argument("--name", help="brug et gemt scenarie med dette navn")
        parser.add_argument("--leave", action="append", default=[], help="kommune der udtræder")
        parser.add_argument("--join", action="append", default=[], help="kommune der indtræder")
        parser.add_argument(
            "--lead", action="append", default=[], help='ny leadkommune: "KONTOR=KOMMUNE"'
        )
        parser.add_argument("--office-amount", help="beløb pr. kontor i kr., fx 1.200.000")
        parser.add_argument("--lead-share", help="leadandel i kr., fx 400.000")
        parser.add_argument("--lead-share-percent", help="leadandel i procent, fx 40")
        parser.add_argument("--index", help="PL-regulering i procent for året, fx 2,5")
        parser.add_argument("--rounding", choices=sorted(ROUNDING), help="afrundingsenhed")
        parser.add_argument("--key", choices=[k.value for k in Key], help="fordelingsnøgle")
        parser.add_argument(
            "--weight", action="append", default=[], help="egen vægt: KOMMUNE=TAL (--key custom)"
        )
        parser.add_argument(
            "--add-office", action="append", default=[], help="nyt kontor: NAVN[=LEADKOMMUNE]"
        )
        parser.add_argument("--save", metavar="NAVN", help="gem scenariet under dette navn")
        parser.add_argument("--format", choices=["table", "xlsx"], default="table")
        parser.add_argument("--output", type=Path, help="fil (kræves for xlsx)")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("--format xlsx kræver --output FIL.")
        try:
            agreement = agreement_for_year(year=options["year"], name=options["agreement"])
            if options["name"]:
                saved = Scenario.objects.filter(name=options["name"]).first()
                if saved is None:
                    raise CommandError(
                        f"Der er intet gemt scenarie med navnet '{options['name']}'."
                    )
                changes, label = Changes.from_json(saved.changes), saved.name
            else:
                changes, label = self._changes(options), "scenarie"
            result = scenario_compute(agreement=agreement, year=options["year"], changes=changes)
            if options["save"]:
                actor = command_actor(options, perms.CHANGE_AGREEMENT)
                scenario_save(
                    actor=actor, agreement=agreement, year=options["year"],
                    name=options["save"], changes=changes,
                )  # fmt: skip
                label = options["save"]
        except (AgreementYearError, UnknownObjectError, ScenarioError, MoneyError) as error:
            raise CommandError(str(error)) from error
        except AllocationInputError as error:
            raise CommandError(
                "Scenariet kan ikke beregnes:\n"
                + "\n".join(f"- {p.message}" for p in error.problems)
            ) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        heading = f"Scenarie '{label}' {options['year']} mod grundlaget ({result.baseline_label})"
        if options["format"] == "xlsx":
            options["output"].write_bytes(renderers.scenario_xlsx(result, heading=heading))
            self.stderr.write(f"Skrevet til {options['output']}.")
            return
        text = renderers.scenario_table_text(result, heading=heading)
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)

    def _changes(self, options: dict[str, Any]) -> Changes:
        leads: dict[str, str | None] = {}
        for item in options["lead"]:
            office, _sep, municipality = item.partition("=")
            if not municipality:
                raise CommandError(f'--lead "{item}": skriv "KONTOR=KOMMUNE".')
            leads[office.strip()] = _code(municipality)
        weights = {}
        for item in options["weight"]:
            municipality, _sep, weight = item.partition("=")
            weight = weight.strip()
            if not (is_digits(weight) and len(weight) <= 10 and 0 < int(weight) <= 10**9):
                raise CommandError(f'--weight "{item}": vægten skal være et positivt heltal.')
            weights[_code(municipality)] = int(weight)
        new_offices = []
        for item in options["add_office"]:
            name, _sep, lead = item.partition("=")
            new_offices.append((name.strip(), _code(lead) if lead else None))
        return Changes(
            leave=frozenset(_code(m) for m in options["leave"]),
            join=frozenset(_code(m) for m in options["join"]),
            leads=leads,
            office_amount_ore=parse_dkk(options["office_amount"])
            if options["office_amount"]
            else None,
            lead_share_ore=parse_dkk(options["lead_share"]) if options["lead_share"] else None,
            lead_share_percent=(
                _percent(options["lead_share_percent"]) if options["lead_share_percent"] else None
            ),
            index_percent=_percent(options["index"]) if options["index"] else None,
            rounding_unit_ore=ROUNDING[options["rounding"]] if options["rounding"] else None,
            key=Key(options["key"]) if options["key"] else None,
            custom_weights=weights,
            new_offices=tuple(new_offices),
        )
