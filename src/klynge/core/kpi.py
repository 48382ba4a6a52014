"""
Result-contract indicators (KPIs): their values, and whether a year's target is met.

An indicator has a kind, and every value of it is stored as one integer:

- COUNT: a whole number (companies, projects), 0 to 1.000.000.000;
- SHARE: a percentage in hundredths of a percent, 0 to 10.000 (0 % to 100 %);
- AMOUNT: an amount in øre;
- MILESTONE: 1 (reached) or 0 (not reached);
- TEXT: no number; the text is kept beside it and has no status.

`status` compares a year's actual value with its target. Attainment is the
actual over the target (higher is better) or the target over the actual
(lower is better), computed exactly; the contract's thresholds decide between
met, partly met and not met. Nothing here reads the clock or a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from klynge.core.money import MoneyError, format_dkk, format_percent, group_thousands, parse_dkk

MAX_COUNT = 1_000_000_000
SHARE_SCALE = 100  # a stored share is hundredths of a percent: 45,5 % -> 4550
MAX_SHARE = 100 * SHARE_SCALE
MAX_AMOUNT_ORE = 10**15  # 10 billion kroner
MAX_TEXT = 2000


class Kind(Enum):
    COUNT = "count"
    SHARE = "share"
    AMOUNT = "amount"
    MILESTONE = "milestone"
    TEXT = "text"


class Direction(Enum):
    HIGHER = "higher"  # higher is better: at or above the target is met
    LOWER = "lower"  # lower is better: at or below the target is met


class Status(Enum):
    MET = "met"  # opfyldt
    PARTLY = "partly"  # delvist opfyldt
    NOT_MET = "not_met"  # ikke opfyldt
    NO_TARGET = "no_target"  # no target for the year: nothing to compare with
    MISSING = "missing"  # no actual value yet
    NOT_MEASURED = "not_measured"  # a text indicator has no status


STATUS_DA = {
    Status.MET: "opfyldt",
    Status.PARTLY: "delvist opfyldt",
    Status.NOT_MET: "ikke opfyldt",
    Status.NO_TARGET: "intet mål",
    Status.MISSING: "mangler",
    Status.NOT_MEASURED: "måles ikke",
}


class KpiValueError(ValueError):
    """A text is not a value of the indicator's kind; the message is Danish."""


@dataclass(frozen=True)
class Thresholds:
    """
    When a target counts as met or partly met, in whole percent of attainment.

    The default: met at 100 % of the target, partly met from 80 %.
    """

    met_percent: int = 100
    partly_percent: int = 80

    def __post_init__(self) -> None:
        if not 0 < self.partly_percent <= self.met_percent <= 1000:
            raise ValueError("thresholds must satisfy 0 < partly <= met <= 1000")


_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_PLAIN = re.compile(r"[0-9]{1,10}")
_SHARE = re.compile(r"([0-9]{1,3})(?:,([0-9]{1,2}))?")
_YES = {"ja", "opfyldt", "nået", "1"}
_NO = {"nej", "ikke opfyldt", "ikke nået", "0"}


def _shown(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:40]}…"


def parse_value(kind: Kind, text: str) -> int | None:
    """
    Read a value of `kind` as Danes type it; None for TEXT (the text is the value).

    COUNT: 1234 or 1.234. SHARE: 45, 45,5 or 45,25 % (0 to 100). AMOUNT: kroner
    as `parse_dkk` reads them (at most 10 mia. kr.). MILESTONE: ja or nej.

    :raises KpiValueError: with a Danish message naming what is wrong
    """
    raw = text.strip()
    if kind is Kind.TEXT:
        if len(raw) > MAX_TEXT:
            raise KpiValueError(f"Teksten er længere end {group_thousands(MAX_TEXT)} tegn.")
        return None
    if not raw:
        raise KpiValueError("Skriv en værdi.")
    if kind is Kind.COUNT:
        return _parse_count(raw)
    if kind is Kind.SHARE:
        return _parse_share(raw)
    if kind is Kind.AMOUNT:
        return _parse_amount(raw)
    lowered = raw.lower()
    if lowered in _YES:
        return 1
    if lowered in _NO:
        return 0
    raise KpiValueError(f"'{_shown(raw)}' er ikke ja eller nej.")


def _parse_count(raw: str) -> int:
    if not (_PLAIN.fullmatch(raw) or _GROUPED.fullmatch(raw)) or len(raw) > 13:
        raise KpiValueError(f"'{_shown(raw)}' er ikke et helt antal (fx 120 eller 1.200).")
    number = int(raw.replace(".", ""))
    if number > MAX_COUNT:
        raise KpiValueError(f"'{_shown(raw)}' er over {group_thousands(MAX_COUNT)}.")
    return number


def _parse_share(raw: str) -> int:
    cleaned = raw.removesuffix("%").strip()
    match = _SHARE.fullmatch(cleaned)
    if not match:
        raise KpiValueError(
            f"'{_shown(raw)}' er ikke en procentdel (fx 45 eller 45,5) med højst to decimaler."
        )
    value = int(match[1]) * SHARE_SCALE + int((match[2] or "0").ljust(2, "0"))
    if value > MAX_SHARE:
        raise KpiValueError(f"'{_shown(raw)}' er over 100 %; en andel er højst 100 %.")
    return value


def _parse_amount(raw: str) -> int:
    try:
        ore = parse_dkk(raw)
    except MoneyError as error:
        raise KpiValueError(str(error)) from None
    if not 0 <= ore <= MAX_AMOUNT_ORE:
        raise KpiValueError(f"'{_shown(raw)}' er ikke et beløb mellem 0 og 10 mia. kr.")
    return ore


def check_value(kind: Kind, value: int) -> None:
    """
    Check a stored integer for `kind` (what an API or a copy would store).

    :raises KpiValueError: if it lies outside what `parse_value` could return
    """
    bounds = {
        Kind.COUNT: (0, MAX_COUNT),
        Kind.SHARE: (0, MAX_SHARE),
        Kind.AMOUNT: (0, MAX_AMOUNT_ORE),
        Kind.MILESTONE: (0, 1),
    }
    if kind is Kind.TEXT:
        raise KpiValueError("En tekstindikator har ingen talværdi.")
    low, high = bounds[kind]
    if not low <= value <= high:
        raise KpiValueError(f"{value} ligger uden for det tilladte for en {KIND_DA[kind]}.")


KIND_DA = {
    Kind.COUNT: "optælling",
    Kind.SHARE: "andel",
    Kind.AMOUNT: "beløb",
    Kind.MILESTONE: "milepæl",
    Kind.TEXT: "tekst",
}


def format_value(kind: Kind, value: int | None, *, unit: str = "") -> str:
    """A stored value as Danish text: '1.234 virksomheder', '45,5 %', '1.000,00 kr.', 'ja'."""
    if value is None or kind is Kind.TEXT:
        return "–"
    if kind is Kind.MILESTONE:
        return "nået" if value else "ikke nået"
    if kind is Kind.SHARE:
        return format_percent(Fraction(value, SHARE_SCALE), places=2 if value % 10 else 1)
    if kind is Kind.AMOUNT:
        return format_dkk(value)
    text = group_thousands(value)
    return f"{text} {unit}".strip()


def typed_value(kind: Kind, value: int | None) -> str:
    """A stored value as a user would type it back into a form (read by `parse_value`)."""
    if value is None or kind is Kind.TEXT:
        return ""
    if kind is Kind.MILESTONE:
        return "ja" if value else "nej"
    if kind is Kind.AMOUNT:
        return format_dkk(value, unit=False)
    if kind is Kind.SHARE:
        return format_value(kind, value).removesuffix(" %")
    return str(value)


def attainment(direction: Direction, target: int, actual: int) -> Fraction:
    """
    How much of the target is attained, exactly: 1 is exactly the target.

    Higher is better: actual / target (a target of 0 is always attained).
    Lower is better: target / actual (an actual of 0 attains any target).
    """
    if direction is Direction.HIGHER:
        if target <= 0:
            return Fraction(1)
        return Fraction(actual, target)
    if actual == 0:
        return Fraction(1)
    return Fraction(target, actual)


def status(
    kind: Kind,
    direction: Direction,
    *,
    target: int | None,
    actual: int | None,
    thresholds: Thresholds = Thresholds(),
) -> Status:
    """
    The status of one indicator in one year.

    A TEXT indicator is never measured; no actual value is MISSING; no target
    is NO_TARGET. A MILESTONE is met when reached and not met otherwise.
    Otherwise the attainment decides: at or above `met_percent` met, at or
    above `partly_percent` partly met, below it not met.
    """
    if kind is Kind.TEXT:
        return Status.NOT_MEASURED
    if actual is None:
        return Status.MISSING
    if kind is Kind.MILESTONE:
        return Status.MET if actual else Status.NOT_MET
    if target is None:
        return Status.NO_TARGET
    reached = attainment(direction, target, actual)
    if reached * 100 >= thresholds.met_percent:
        return Status.MET
    if reached * 100 >= thresholds.partly_percent:
        return Status.PARTLY
    return Status.NOT_MET
