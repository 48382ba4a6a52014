"""
Statistics Denmark's table FOLK1A: the request and the checked reading of its CSV answer.

FOLK1A is "Befolkningen den 1. i kvartalet efter område, køn, alder og
civilstand". Klynge asks for the totals (KØN=TOT, ALDER=IALT,
CIVILSTAND=TOT) of one quarter for a list of municipality codes, in CSV
(semicolon-separated), Danish, with `valuePresentation=CodeAndValue` so
each area reads "253 Greve" and is matched by its code. An answer that
gives the name alone ("Greve", the API's default presentation) is matched by
the name instead, so the reading does not depend on the API honouring the
parameter in a POST body (which the request form's notes leave unverified).

The reading refuses, with a reason in Danish, anything that is not exactly
one positive whole-number figure for each municipality asked for, in the
quarter asked for, in FOLK1A's columns: an empty or oversized answer, an
error message from the API, a truncated line, a missing, unknown or repeated
municipality, a figure that is not a number or out of range, another table
or another quarter. Nothing here does I/O or imports Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from klynge.core.money import group_thousands
from klynge.core.text import is_digits

TABLE = "FOLK1A"
COLUMNS = ("OMRÅDE", "KØN", "ALDER", "CIVILSTAND", "TID", "INDHOLD")
TOTALS = {"KØN": "TOT", "ALDER": "IALT", "CIVILSTAND": "TOT"}
VALUE_PRESENTATION = "CodeAndValue"
FIRST_YEAR = 2008  # FOLK1A starts in 2008K1
LAST_YEAR = 2100  # the register's last year
MAX_RESPONSE_BYTES = 1_000_000  # 17 rows take about 1 KB; the whole country ~5 KB
MAX_ROWS = 1_000  # Denmark has 98 municipalities
MAX_LINE_CHARS = 1_000
MAX_CODES = 200
# Denmark's smallest municipality (Læsø) has about 1.700 inhabitants and its
# largest (København) under 700.000; a figure outside these bounds is a broken answer.
MIN_POPULATION = 1_000
MAX_POPULATION = 2_000_000

_QUARTER = re.compile(r"([0-9]{4})K([1-4])")
_CODE_AND_NAME = re.compile(r"([0-9]{3})(?:\s+(.*))?")


class StatbankFormatError(ValueError):
    """An answer that cannot be used; the message says why, in Danish."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter as Statistics Denmark writes it in Danish: 2025K1."""

    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}K{self.number}"

    @property
    def first_day(self) -> date:
        """FOLK1A counts the population on the quarter's first day: 2025K1 → 1 January 2025."""
        return date(self.year, 3 * (self.number - 1) + 1, 1)

    def __str__(self) -> str:
        return self.code


def parse_quarter(text: str, *, last_year: int = LAST_YEAR) -> Quarter:
    """
    The quarter written as YYYYKq (2025K1); a lower-case k is accepted.

    :raises StatbankFormatError: for any other form, or a year FOLK1A cannot have
    """
    value = (text or "").strip()[:20]
    match = _QUARTER.fullmatch(value.upper())
    if match is None:
        raise StatbankFormatError(
            f"Kvartalet '{value}' er ikke skrevet som ÅÅÅÅKn, fx 2025K1 (1. januar 2025)."
        )
    quarter = Quarter(int(match[1]), int(match[2]))
    if not FIRST_YEAR <= quarter.year <= last_year:
        raise StatbankFormatError(
            f"Kvartalet {quarter.code} ligger uden for årene {FIRST_YEAR}-{last_year}, "
            "som FOLK1A og Klynge dækker."
        )
    return quarter


def request_body(codes: Sequence[str], quarter: Quarter) -> dict[str, object]:
    """The JSON body of POST /v1/data for the municipalities' totals in `quarter`."""
    if not codes or len(codes) > MAX_CODES:
        raise StatbankFormatError(f"Angiv fra 1 til {MAX_CODES} kommunekoder.")
    return {
        "table": TABLE,
        "format": "CSV",
        "lang": "da",
        "valuePresentation": VALUE_PRESENTATION,
        "variables": [
            {"code": "OMRÅDE", "values": sorted(codes)},
            {"code": "KØN", "values": [TOTALS["KØN"]]},
            {"code": "ALDER", "values": [TOTALS["ALDER"]]},
            {"code": "CIVILSTAND", "values": [TOTALS["CIVILSTAND"]]},
            {"code": "Tid", "values": [quarter.code]},
        ],
    }


def _api_error(text: str) -> str | None:
    """The API's own message when the answer is its JSON error object, else None."""
    if not text.startswith(("{", "[")):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return "svaret er hverken CSV eller en fejlmeddelelse, der kan læses"
    if isinstance(data, dict):
        message = str(data.get("message") or data.get("errorTypeCode") or "")[:300]
        if message:
            return f"Statistikbanken svarede med fejlen: {message}"
    return "svaret er JSON, ikke den CSV, der blev bedt om"


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise StatbankFormatError("Svaret fra Statistikbanken er tomt.")
    if len(raw) > MAX_RESPONSE_BYTES:
        raise StatbankFormatError(
            f"Svaret fra Statistikbanken er større end {group_thousands(MAX_RESPONSE_BYTES)} "
            "byte og er afvist."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatbankFormatError("Svaret fra Statistikbanken er ikke UTF-8-tekst.") from None


def _area_code(cell: str, by_name: Mapping[str, str], line: int) -> str:
    match = _CODE_AND_NAME.fullmatch(cell)
    if match is not None:
        return match[1]
    code = by_name.get(cell.casefold())
    if code is None:
        raise StatbankFormatError(
            f"Linje {line}: området '{cell[:60]}' er ikke en af de kommuner, der blev bedt om."
        )
    return code


def parse_folk1a_csv(
    raw: bytes, *, quarter: Quarter, municipalities: Mapping[str, str]
) -> dict[str, int]:
    """
    The population of each municipality in `municipalities` ({code: name}) in `quarter`.

    :raises StatbankFormatError: naming the first fault found; the answer must
        then not be used at all
    """
    text = _decode(raw)
    stripped = text.lstrip()
    api_error = _api_error(stripped)
    if api_error is not None:
        raise StatbankFormatError(f"Svaret kan ikke bruges: {api_error}.")
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise StatbankFormatError(f"Svaret har mere end {MAX_ROWS} rækker og er afvist.")
    header = [cell.strip().upper() for cell in lines[0].split(";")]
    if tuple(header) != COLUMNS:
        raise StatbankFormatError(
            "Svaret er ikke fra tabel FOLK1A: kolonnerne er "
            f"'{';'.join(header)[:200]}', men FOLK1A har '{';'.join(COLUMNS)}'."
        )
    by_name = {name.casefold(): code for code, name in municipalities.items()}
    figures: dict[str, int] = {}
    for line, content in enumerate(lines[1:], start=2):
        if not content.strip():
            continue
        if len(content) > MAX_LINE_CHARS:
            raise StatbankFormatError(f"Linje {line} er længere end {MAX_LINE_CHARS} tegn.")
        cells = [cell.strip().strip('"') for cell in content.split(";")]
        if len(cells) != len(COLUMNS):
            raise StatbankFormatError(
                f"Svaret er afkortet eller forkert opbygget: linje {line} har {len(cells)} "
                f"felter, ikke {len(COLUMNS)}."
            )
        area, _sex, _age, _status, period, value = cells
        code = _area_code(area, by_name, line)
        if code not in municipalities:
            raise StatbankFormatError(f"Linje {line}: kommunekode {code} blev der ikke bedt om.")
        if period.split()[0:1] != [quarter.code]:
            raise StatbankFormatError(
                f"Linje {line}: tallet gælder '{period[:20]}', ikke {quarter.code}, "
                "som der blev bedt om."
            )
        if code in figures:
            raise StatbankFormatError(
                f"Linje {line}: {code} {municipalities[code]} står der to gange; "
                "svaret er ikke totaler for køn, alder og civilstand."
            )
        if not is_digits(value) or len(value) > 9:
            raise StatbankFormatError(
                f"Linje {line}: indbyggertallet for {code} {municipalities[code]} "
                f"er '{value[:20]}', ikke et helt tal."
            )
        population = int(value)
        if not MIN_POPULATION <= population <= MAX_POPULATION:
            raise StatbankFormatError(
                f"Linje {line}: indbyggertallet {population} for {code} "
                f"{municipalities[code]} er urimeligt (forventet {MIN_POPULATION}-"
                f"{MAX_POPULATION}); svaret er måske afkortet."
            )
        figures[code] = population
    if not figures:
        raise StatbankFormatError("Svaret fra Statistikbanken har ingen tal, kun overskriften.")
    missing = sorted(set(municipalities) - set(figures))
    if missing:
        names = ", ".join(f"{code} {municipalities[code]}" for code in missing)
        raise StatbankFormatError(
            f"Svaret er ufuldstændigt: tallet mangler for {names}. Intet er gemt."
        )
    return figures
