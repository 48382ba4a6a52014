"""
The co-financing rule: one office, one budget year, every municipality's share.

For an office amount A and lead share L, the lead municipality pays L and the
other participating municipalities split A - L by a key (population by
default) with `apportion`. Non-participants pay 0. Every line carries the
figures that explain it. See ARCHITECTURE.md, "The co-financing rule".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import cached_property, lru_cache
from math import gcd

from klynge.core.apportion import apportion_amounts
from klynge.core.dates import format_date_da
from klynge.core.money import (
    format_dkk,
    format_fraction_ore,
    group_thousands,
    round_half_away,
)


class Key(StrEnum):
    """How the rest after the lead share is split."""

    POPULATION = "population"
    EQUAL = "equal"
    CUSTOM = "custom"


class ReferenceDateRule(StrEnum):
    """Which population date the population key uses for a budget year."""

    JAN1_PREVIOUS_YEAR = "jan1_previous_year"
    JAN1_BUDGET_YEAR = "jan1_budget_year"
    FIXED = "fixed"


class Role(StrEnum):
    """What a municipality is for one office in one year."""

    LEAD = "lead"
    SHARE = "share"
    NONE = "none"


ROUNDING_UNITS = (1, 100, 100_000)
"""Allowed rounding units in øre: øre, whole kroner, 1.000 kr."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One missing or impossible input, with a Danish message naming it."""

    code: str
    message: str
    office: str = ""
    municipality: str = ""


class AllocationInputError(ValueError):
    """The inputs cannot be allocated; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality as the rule sees it."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PopulationFigure:
    """Population of one municipality on one date, with where it was read."""

    population: int
    reference_date: date
    source: str


@dataclass(frozen=True, slots=True)
class OfficeTerms:
    """
    Everything that decides one office's allocation in one budget year.

    `amount_ore` and `lead_share_ore` are before indexing. `index_percents`
    maps each year after `index_base_year` up to the budget year to the
    municipal price and wage index (kommunal PL) in percent; leave it empty
    and `index_base_year` None for no indexing.
    """

    office: str
    year: int
    amount_ore: int
    lead_share_ore: int
    lead_code: str | None
    participants: frozenset[str]
    key: Key = Key.POPULATION
    reference_date_rule: ReferenceDateRule = ReferenceDateRule.JAN1_PREVIOUS_YEAR
    fixed_reference_date: date | None = None
    rounding_unit_ore: int = 1
    custom_weights: Mapping[str, int] = field(default_factory=dict)
    index_base_year: int | None = None
    index_percents: Mapping[int, Fraction] = field(default_factory=dict)


class _Explained:
    """
    The slot in which a `Line` keeps its explanation once it is built.

    Not a dataclass field, so it takes no part in equality, hashing, repr or
    pickling; `OfficeAllocation.lines` fills it for a whole office at once.
    """

    __slots__ = ("_explanation",)
    _explanation: str


@dataclass(frozen=True, slots=True)
class Line(_Explained):
    """
    One municipality's amount for one office and year, and why.

    For a share line, `quota` is the exact quota in øre
    (split × weight / key_total) and `adjustment` the rounding.
    """

    office: str
    year: int
    municipality_code: str
    municipality_name: str
    role: Role
    amount_ore: int
    population: PopulationFigure | None = None
    weight: int | None = None
    key_total: int | None = None
    split_ore: int | None = None
    quota: Fraction | None = None

    @property
    def adjustment(self) -> Fraction | None:
        """Amount minus exact quota, in øre; None unless a share line."""
        return None if self.quota is None else self.amount_ore - self.quota

    def explanation(self) -> str:
        """Explain this amount in one Danish sentence."""
        try:
            return self._explanation
        except AttributeError:
            text = _explain(self)
            object.__setattr__(self, "_explanation", text)
            return text


def _explain(line: Line) -> str:
    """The explanation of `line`, said the straightforward way (the reference)."""
    if line.role is Role.NONE:
        return f"{line.municipality_name} deltager ikke i {line.year} og betaler {format_dkk(0)}"
    if line.role is Role.LEAD:
        return (
            f"{line.municipality_name} er leadkommune og betaler leadandelen "
            f"{format_dkk(line.amount_ore)} alene."
        )
    assert line.quota is not None and line.split_ore is not None
    basis = (
        f"indbyggertal {group_thousands(line.population.population)} pr. "
        f"{format_date_da(line.population.reference_date)}"
        if line.population is not None
        else f"vægt {group_thousands(line.weight or 0)}"
    )
    return (
        f"{format_dkk(line.split_ore)} fordeles efter {basis} ud af i alt "
        f"{group_thousands(line.key_total or 0)}: præcis kvote "
        f"{format_fraction_ore(line.quota)}, afrundet til "
        f"{format_dkk(line.amount_ore)}"
    )  # format_dkk ends with "kr.", which closes the sentence


_PAD2 = tuple(f"{n:02d}" for n in range(100))
_PAD3 = tuple(f"{n:03d}" for n in range(1_000))
_PAD4 = tuple(f"{n:04d}" for n in range(10_000))


def _grouped(number: int) -> str:
    """`group_thousands` of a number that is not negative, without a format spec below 10^9."""
    if number < 1_000:
        return str(number)
    high, low = divmod(number, 1_000)
    if high < 1_000:
        return f"{high}.{_PAD3[low]}"
    if high < 1_000_000:
        higher, high = divmod(high, 1_000)
        return f"{higher}.{_PAD3[high]}.{_PAD3[low]}"
    return group_thousands(number)


@lru_cache(maxsize=4_096)
def _population_basis(population: int, day: date) -> str:
    """What a population share is split by; the same few per batch, so cached."""
    return f"indbyggertal {group_thousands(population)} pr. {format_date_da(day)}"


class _NewLine(_Explained):
    """
    A `Line` under construction: the same slots, set by plain assignment.

    A frozen dataclass sets each field through `object.__setattr__`, which
    costs more than all the arithmetic of a share line. `OfficeAllocation`
    fills this twin and then makes it a `Line` by assigning `__class__`: the
    layouts are identical, so the result is an ordinary frozen `Line`, equal
    to `Line(...)` with the same fields (tests/core/test_cofinancing.py).
    """

    __slots__ = Line.__slots__

    def __init__(
        self,
        office: str,
        year: int,
        municipality_code: str,
        municipality_name: str,
        role: Role,
        amount_ore: int,
        population: PopulationFigure | None,
        weight: int | None,
        key_total: int | None,
        split_ore: int | None,
        quota: Fraction | None,
        explanation: str,
    ) -> None:
        self.office = office
        self.year = year
        self.municipality_code = municipality_code
        self.municipality_name = municipality_name
        self.role = role
        self.amount_ore = amount_ore
        self.population = population
        self.weight = weight
        self.key_total = key_total
        self.split_ore = split_ore
        self.quota = quota
        self._explanation = explanation


def _unshared_line(
    office: str, year: int, code: str, name: str, role: Role, amount_ore: int, explanation: str
) -> Line:
    """A lead or non-participant `Line`, with its explanation."""
    line = _NewLine(
        office, year, code, name, role, amount_ore, None, None, None, None, None, explanation
    )
    line.__class__ = Line  # type: ignore[assignment]
    return line  # type: ignore[return-value]


_new = object.__new__
_FRACTION_SLOTS = getattr(Fraction, "__slots__", ()) == ("_numerator", "_denominator")
"""
Whether a quota can be built as Fraction stores it (CPython 3.11 to 3.13).

`Fraction(n, d)` checks its argument types and signs on every call, which
costs more than the rest of the quota; for a known positive denominator,
dividing out the gcd and filling the two slots gives the same Fraction.
Otherwise the constructor is used.
"""


@dataclass(frozen=True)
class OfficeAllocation:
    """
    The allocation of one office for one budget year.

    Computing stores only what decides the figures: every municipality
    (`codes`, `names`, in code order), the lead, and the paying
    participants with their amounts, weights and population figures. The
    full columns (`amounts`, `roles`) and the explaining `lines` are derived
    from those on first use, so a national batch stays cheap.
    """

    office: str
    year: int
    office_amount_ore: int
    lead_share_ore: int
    split_ore: int
    index_factor: Fraction
    reference_date: date | None
    key: Key
    rounding_unit_ore: int
    key_total: int
    codes: tuple[str, ...]
    names: tuple[str, ...]
    lead_code: str | None
    payer_codes: tuple[str, ...]
    payer_amounts: tuple[int, ...]
    payer_weights: tuple[int, ...]
    payer_figures: tuple[PopulationFigure | None, ...]

    @property
    def total_ore(self) -> int:
        """Sum of all amounts; always equals `office_amount_ore`."""
        lead = self.lead_share_ore if self.lead_code is not None else 0
        return sum(self.payer_amounts) + lead

    @cached_property
    def _by_code(self) -> dict[str, tuple[Role, int, int | None, PopulationFigure | None]]:
        result: dict[str, tuple[Role, int, int | None, PopulationFigure | None]] = {
            code: (Role.SHARE, amount, weight, figure)
            for code, amount, weight, figure in zip(
                self.payer_codes,
                self.payer_amounts,
                self.payer_weights,
                self.payer_figures,
                strict=True,
            )
        }
        if self.lead_code is not None:
            result[self.lead_code] = (Role.LEAD, self.lead_share_ore, None, None)
        return result

    def amount_of(self, code: str) -> int:
        """The amount municipality `code` pays for this office (0 if none)."""
        entry = self._by_code.get(code)
        return entry[1] if entry else 0

    @cached_property
    def amounts(self) -> tuple[int, ...]:
        """Every municipality's amount, in code order."""
        return tuple(self.amount_of(code) for code in self.codes)

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        """One explained line per municipality, in code order."""
        if self.split_ore < 0:
            return self._reference_lines()
        office, year, lead_code = self.office, self.year, self.lead_code
        shares = iter(self._share_lines())
        share = next(shares, None)
        none_tail = f" deltager ikke i {year} og betaler {format_dkk(0)}"
        lines: list[Line] = []
        for code, name in zip(self.codes, self.names, strict=True):
            if share is not None and share.municipality_code == code:
                lines.append(share)
                share = next(shares, None)
            elif code == lead_code:
                amount = self.lead_share_ore
                text = f"{name} er leadkommune og betaler leadandelen {format_dkk(amount)} alene."
                lines.append(_unshared_line(office, year, code, name, Role.LEAD, amount, text))
            else:
                lines.append(
                    _unshared_line(office, year, code, name, Role.NONE, 0, name + none_tail)
                )
        if share is not None:  # payers out of code order: never from this module
            return self._reference_lines()
        return tuple(lines)

    def _share_lines(self) -> list[Line]:
        """
        The paying participants' lines, explained, in payer order.

        `_explain` with integer arithmetic, for a split that is not negative:
        the exact quota in kroner to four places is the quotient of
        100 × split × weight by the key total, rounded half up; the parts
        every line shares are written once; and the amount, within one unit of
        the quota, mostly has the same whole kroner.
        """
        office, year, split, key_total = self.office, self.year, self.split_ore, self.key_total
        names = dict(zip(self.codes, self.names, strict=True))
        head = f"{format_dkk(split)} fordeles efter "
        tail = f" ud af i alt {group_thousands(key_total)}: præcis kvote "
        half = key_total - key_total // 2  # 2 × rest >= key_total  <=>  rest >= half
        share, new_line, line_class, new, fraction = Role.SHARE, _NewLine, Line, _new, Fraction
        fast_quota, pad2, pad4, grouped, population_basis = (
            _FRACTION_SLOTS,
            _PAD2,
            _PAD4,
            _grouped,
            _population_basis,
        )
        lines = []
        for code, amount, weight, figure in zip(
            self.payer_codes,
            self.payer_amounts,
            self.payer_weights,
            self.payer_figures,
            strict=True,
        ):
            numerator = split * weight
            scaled, rest = divmod(100 * numerator, key_total)
            if rest >= half:
                scaled += 1
            whole, decimals = divmod(scaled, 10_000)
            kroner, ore = divmod(amount, 100)
            whole_text = grouped(whole)
            text = "".join(
                (
                    head,
                    "vægt " + group_thousands(weight)
                    if figure is None
                    else population_basis(figure.population, figure.reference_date),
                    tail,
                    "≈ " if rest else "",
                    whole_text,
                    ",",
                    pad4[decimals],
                    " kr., afrundet til ",
                    whole_text if kroner == whole else grouped(kroner),
                    ",",
                    pad2[ore],
                    " kr.",
                )
            )
            if fast_quota:
                divisor = gcd(numerator, key_total)
                quota = new(fraction)
                quota._numerator = numerator // divisor  # type: ignore[attr-defined]
                quota._denominator = key_total // divisor  # type: ignore[attr-defined]
            else:
                quota = fraction(numerator, key_total)
            line = new_line(
                office,
                year,
                code,
                names[code],
                share,
                amount,
                figure,
                weight,
                key_total,
                split,
                quota,
                text,
            )
            line.__class__ = line_class  # type: ignore[assignment]
            lines.append(line)
        return lines  # type: ignore[return-value]

    def _reference_lines(self) -> tuple[Line, ...]:
        """`lines` the straightforward way: the reference the fast path must equal."""
        none = (Role.NONE, 0, None, None)
        lines = []
        for code, name in zip(self.codes, self.names, strict=True):
            role, amount, weight, figure = self._by_code.get(code, none)
            share = role is Role.SHARE and weight is not None
            lines.append(
                Line(
                    office=self.office,
                    year=self.year,
                    municipality_code=code,
                    municipality_name=name,
                    role=role,
                    amount_ore=amount,
                    population=figure,
                    weight=weight,
                    key_total=self.key_total if share else None,
                    split_ore=self.split_ore if share else None,
                    quota=Fraction(self.split_ore * weight, self.key_total)
                    if share and weight is not None
                    else None,
                )
            )
        return tuple(lines)


def reference_date(rule: ReferenceDateRule, year: int, fixed: date | None = None) -> date:
    """
    Return the population reference date of budget `year` under `rule`.

    :raises ValueError: if the rule is FIXED and no date is given
    """
    if rule is ReferenceDateRule.JAN1_PREVIOUS_YEAR:
        return date(year - 1, 1, 1)
    if rule is ReferenceDateRule.JAN1_BUDGET_YEAR:
        return date(year, 1, 1)
    if fixed is None:
        raise ValueError("a fixed reference date is required")
    return fixed


def index_factor(year: int, base_year: int | None, percents: Mapping[int, Fraction]) -> Fraction:
    """
    Return the price and wage index factor from `base_year` to `year`.

    The product of (1 + p/100) over the years after the base year up to and
    including `year`; 1 when there is no base year or `year` is not after it.

    :raises KeyError: naming the first year without a percentage
    """
    factor = Fraction(1)
    if base_year is None:
        return factor
    for indexed_year in range(base_year + 1, year + 1):
        factor *= 1 + percents[indexed_year] / 100
    return factor


def _indexed(amount: int, factor: Fraction, unit: int) -> int:
    """Index `amount` and round half up to a whole rounding unit."""
    if factor == 1 and amount % unit == 0:
        return amount
    return round_half_away(amount * factor / unit) * unit


def _check_terms(terms: OfficeTerms, known: frozenset[str]) -> list[Problem]:
    problems: list[Problem] = []
    office = terms.office

    def add(code: str, message: str, municipality: str = "") -> None:
        problems.append(Problem(code, message, office, municipality))

    if terms.amount_ore < 0:
        add("negative_amount", f"{office}: kontorbeløbet må ikke være negativt.")
    if terms.lead_share_ore < 0:
        add("negative_amount", f"{office}: leadandelen må ikke være negativ.")
    if terms.lead_share_ore > terms.amount_ore:
        add(
            "lead_share_too_large",
            f"{office}: leadandelen {format_dkk(terms.lead_share_ore)} er større end "
            f"kontorbeløbet {format_dkk(terms.amount_ore)}.",
        )
    if terms.rounding_unit_ore not in ROUNDING_UNITS:
        add(
            "bad_rounding_unit",
            f"{office}: afrundingsenheden skal være øre, hele kroner eller 1.000 kr.",
        )
    elif terms.index_base_year is None:
        for label, amount in (
            ("kontorbeløbet", terms.amount_ore),
            ("leadandelen", terms.lead_share_ore),
        ):
            if amount % terms.rounding_unit_ore:
                add(
                    "not_multiple_of_unit",
                    f"{office}: {label} {format_dkk(amount)} går ikke op i "
                    f"afrundingsenheden {format_dkk(terms.rounding_unit_ore)}.",
                )
    unknown = sorted(terms.participants - known)
    if unknown:
        add("unknown_municipality", f"{office}: ukendte kommunekoder {', '.join(unknown)}.")
    if terms.lead_code is None:
        add("lead_missing", f"{office}: leadkommune er ikke angivet for {terms.year}.")
    elif terms.lead_code not in terms.participants:
        add(
            "lead_not_participant",
            f"{office}: leadkommunen ({terms.lead_code}) deltager ikke i {terms.year}.",
            terms.lead_code,
        )
    if terms.index_base_year is not None:
        missing = [
            y
            for y in range(terms.index_base_year + 1, terms.year + 1)
            if y not in terms.index_percents
        ]
        if missing:
            add(
                "index_missing",
                f"{office}: pris- og lønindeks (PL) mangler for "
                f"{', '.join(str(y) for y in missing)}.",
            )
    return problems


@dataclass(frozen=True, slots=True)
class _Register:
    """
    What every office of one batch shares: the municipalities sorted by code,
    and each population date's figures by code, looked up once per batch.
    """

    ordered: tuple[Municipality, ...]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    known: frozenset[str]
    columns: dict[date, dict[str, PopulationFigure]] = field(default_factory=dict)
    selections: dict[tuple[frozenset[str], date], _Selection] = field(default_factory=dict)

    def selection(
        self,
        populations: Mapping[str, Mapping[date, PopulationFigure]],
        participants: frozenset[str],
        on: date,
    ) -> _Selection:
        """The known `participants` in code order with their figures on `on`."""
        key = (participants, on)
        selection = self.selections.get(key)
        if selection is None:
            column = self.column(populations, on)
            codes = tuple(code for code in self.codes if code in participants)
            figures = tuple(column.get(code) for code in codes)
            weights = tuple(figure.population if figure is not None else 0 for figure in figures)
            selection = self.selections[key] = _Selection(
                codes,
                figures,
                weights,
                sum(weights),
                {code: position for position, code in enumerate(codes)},
                frozenset(i for i, weight in enumerate(weights) if weight <= 0),
            )
        return selection

    def column(
        self, populations: Mapping[str, Mapping[date, PopulationFigure]], on: date
    ) -> dict[str, PopulationFigure]:
        """Every known municipality's figure on `on`, by code."""
        if on not in self.columns:
            self.columns[on] = {
                code: series[on] for code, series in populations.items() if on in series
            }
        return self.columns[on]


@dataclass(frozen=True, slots=True)
class _Selection:
    """
    One participant set's population weights on one date, shared by the offices
    of a batch: each office only takes its lead out.
    """

    codes: tuple[str, ...]
    figures: tuple[PopulationFigure | None, ...]
    weights: tuple[int, ...]
    total: int
    position: dict[str, int]
    unusable: frozenset[int]  # positions without a positive population


def _register(municipalities: Sequence[Municipality]) -> _Register:
    ordered = tuple(sorted(municipalities, key=_code))
    codes = tuple(m.code for m in ordered)
    return _Register(ordered, codes, tuple(m.name for m in ordered), frozenset(codes))


def _weights(
    terms: OfficeTerms,
    payers: Sequence[Municipality],
    register: _Register,
    populations: Mapping[str, Mapping[date, PopulationFigure]],
    ref_date: date | None,
    problems: list[Problem],
) -> tuple[list[int], list[PopulationFigure | None]]:
    """Each payer's weight (and population figure), or problems naming the gaps."""
    if terms.key is Key.EQUAL:
        return [1] * len(payers), [None] * len(payers)
    if terms.key is Key.CUSTOM:
        custom = [terms.custom_weights.get(m.code) for m in payers]
        for municipality, weight in zip(payers, custom, strict=True):
            if weight is None or weight <= 0:
                problems.append(
                    Problem(
                        "weight_missing",
                        f"{terms.office}: {municipality.name} har ingen positiv vægt.",
                        terms.office,
                        municipality.code,
                    )
                )
        return [w or 0 for w in custom], [None] * len(payers)
    column = register.column(populations, ref_date) if ref_date is not None else {}
    figures = [column.get(m.code) for m in payers]
    weights = [f.population if f is not None else 0 for f in figures]
    if ref_date is not None and min(weights, default=1) <= 0:
        for municipality, figure in zip(payers, figures, strict=True):
            if figure is None:
                problems.append(
                    Problem(
                        "population_missing",
                        f"{municipality.name} mangler indbyggertal pr. {format_date_da(ref_date)}.",
                        terms.office,
                        municipality.code,
                    )
                )
            elif figure.population <= 0:
                problems.append(
                    Problem(
                        "population_not_positive",
                        f"{municipality.name} har indbyggertal {figure.population} pr. "
                        f"{format_date_da(ref_date)}; det skal være over 0.",
                        terms.office,
                        municipality.code,
                    )
                )
    return weights, list(figures)


def allocate_office(
    terms: OfficeTerms,
    municipalities: Sequence[Municipality],
    populations: Mapping[str, Mapping[date, PopulationFigure]],
) -> OfficeAllocation:
    """
    Allocate one office's amount for one budget year among `municipalities`.

    The lead pays the (indexed) lead share alone; the other participants split
    the rest by the key with `apportion`; everyone else pays 0. Lines come in
    municipality-code order. The lines always sum exactly to the office amount.

    :raises AllocationInputError: listing every missing or impossible input
    """
    return allocate_all([terms], municipalities, populations)[0]


def _code(municipality: Municipality) -> str:
    return municipality.code


def _allocate(
    terms: OfficeTerms,
    register: _Register,
    populations: Mapping[str, Mapping[date, PopulationFigure]],
) -> OfficeAllocation:
    ordered = register.ordered
    problems = _check_terms(terms, register.known)
    ref_date: date | None = None
    if terms.key is Key.POPULATION:
        if (
            terms.reference_date_rule is ReferenceDateRule.FIXED
            and terms.fixed_reference_date is None
        ):
            problems.append(
                Problem("reference_date_missing", f"{terms.office}: fast opgørelsesdato mangler.")
            )
        else:
            ref_date = reference_date(
                terms.reference_date_rule, terms.year, terms.fixed_reference_date
            )
    lead_code = terms.lead_code
    participants = terms.participants
    payer_codes: tuple[str, ...]
    weights: Sequence[int]
    figures: Sequence[PopulationFigure | None]
    lead = None
    if not problems and ref_date is not None and lead_code is not None:
        # The common case, with the participants' figures shared across the batch.
        selection = register.selection(populations, participants, ref_date)
        lead = selection.position.get(lead_code)
        if lead is not None and len(selection.codes) > 1 and selection.unusable <= {lead}:
            after = lead + 1
            payer_codes = selection.codes[:lead] + selection.codes[after:]
            weights = selection.weights[:lead] + selection.weights[after:]
            figures = selection.figures[:lead] + selection.figures[after:]
            key_total = selection.total - selection.weights[lead]
        else:
            lead = None
    if lead is None:
        payers = [m for m in ordered if m.code in participants and m.code != lead_code]
        if not payers and terms.amount_ore > terms.lead_share_ore:
            problems.append(
                Problem(
                    "no_participants",
                    f"{terms.office}: ingen andre deltagende kommuner at fordele "
                    f"resten på i {terms.year}.",
                    terms.office,
                )
            )
        weights, figures = _weights(terms, payers, register, populations, ref_date, problems)
        if problems:
            raise AllocationInputError(problems)

        payer_codes = tuple(m.code for m in payers)
        key_total = sum(weights)

    factor = index_factor(terms.year, terms.index_base_year, terms.index_percents)
    unit = terms.rounding_unit_ore
    amount = _indexed(terms.amount_ore, factor, unit)
    lead_share = _indexed(terms.lead_share_ore, factor, unit)
    split = amount - lead_share
    return OfficeAllocation(
        office=terms.office,
        year=terms.year,
        office_amount_ore=amount,
        lead_share_ore=lead_share,
        split_ore=split,
        index_factor=factor,
        reference_date=ref_date,
        key=terms.key,
        rounding_unit_ore=unit,
        key_total=key_total,
        codes=register.codes,
        names=register.names,
        lead_code=lead_code,
        payer_codes=payer_codes,
        payer_amounts=tuple(apportion_amounts(split, weights, unit=unit)) if payer_codes else (),
        payer_weights=tuple(weights),
        payer_figures=tuple(figures),
    )


def allocate_all(
    offices: Sequence[OfficeTerms],
    municipalities: Sequence[Municipality],
    populations: Mapping[str, Mapping[date, PopulationFigure]],
) -> tuple[OfficeAllocation, ...]:
    """
    Allocate several offices, or none: every office's problems are collected.

    :raises AllocationInputError: listing the problems of every office
    """
    seen: set[str] = set()
    twice: set[str] = set()
    for municipality in municipalities:
        (twice if municipality.code in seen else seen).add(municipality.code)
    repeated = sorted(twice)
    if repeated:
        raise AllocationInputError(
            [
                Problem(
                    "duplicate_municipality",
                    f"Kommunekode {code} står mere end én gang.",
                    municipality=code,
                )
                for code in repeated
            ]
        )
    register = _register(municipalities)
    results: list[OfficeAllocation] = []
    problems: list[Problem] = []
    for terms in offices:
        try:
            results.append(_allocate(terms, register, populations))
        except AllocationInputError as error:
            problems.extend(error.problems)
    if problems:
        raise AllocationInputError(problems)
    return tuple(results)


def summarise_problems(problems: Sequence[Problem]) -> list[str]:
    """
    Say each distinct problem once, in Danish, for people rather than logs.

    Missing population figures are grouped per date ("Indbyggertal pr. 1. januar
    2020 mangler for 15 kommuner: ..."); other messages are kept once each.
    """
    missing: dict[str, list[str]] = {}
    others: list[str] = []
    for problem in problems:
        if problem.code == "population_missing":
            name, _, when = problem.message.partition(" mangler indbyggertal pr. ")
            names = missing.setdefault(when.rstrip("."), [])
            if name not in names:
                names.append(name)
        elif problem.message not in others:
            others.append(problem.message)
    grouped = [
        f"Indbyggertal pr. {when} mangler for {len(names)} "
        f"{'kommune' if len(names) == 1 else 'kommuner'}: {', '.join(sorted(names))}."
        for when, names in missing.items()
    ]
    return grouped + others
