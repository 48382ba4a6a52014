"""
Allocation results as pages, letters and exports read them: typed rows in a table.

A year's table comes from the approved (or saved) run's stored lines, or else
from today's computation. Both are cached: a stored run's table under the run
(its lines never change), a computation under the fingerprint of its inputs,
so a changed input is a new key and nothing needs invalidating. Explanations
are built only for the rows a page shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, TypeVar

from django.core.cache import caches
from django.db.models import F

from klynge.core import cofinancing as rule
from klynge.core.fingerprint import fingerprint
from klynge.core.money import ore_per_unit
from klynge.financing.models import Agreement, AllocationLine, AllocationRun, RunStatus
from klynge.financing.selectors.inputs import (
    AgreementYearError,
    AllocationInputs,
    agreement_for_year,
    allocation_inputs,
    inputs_by_year,
)
from klynge.masterdata.models import ClusterOffice

CACHE_ALIAS = "allocations"
_T = TypeVar("_T")


def _cached(key: str, build: Callable[[], _T]) -> _T:
    """The value under `key`, built and kept on a miss. Keys name immutable values."""
    cache = caches[CACHE_ALIAS]
    value: _T | None = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=None)
    return value


@dataclass(frozen=True, slots=True)
class ShareRow:
    """
    One municipality's share of one office in one year, and why.

    A computed row keeps the engine's line and explains itself when asked; a
    stored row carries the explanation stored with its run.
    """

    office: str
    municipality_code: str
    municipality: str
    role: str
    amount_ore: int
    population: int | None
    population_date: date | None
    population_source: str
    weight: int | None
    key_total: int | None
    split_ore: int | None
    quota: Fraction | None
    stored_explanation: str = ""
    line: rule.Line | None = None

    @property
    def explanation(self) -> str:
        """The amount explained in one Danish sentence (the text a run stores)."""
        return self.line.explanation() if self.line is not None else self.stored_explanation

    @classmethod
    def computed(cls, line: rule.Line) -> ShareRow:
        figure = line.population
        return cls(
            office=line.office,
            municipality_code=line.municipality_code,
            municipality=line.municipality_name,
            role=line.role.value,
            amount_ore=line.amount_ore,
            population=figure.population if figure else None,
            population_date=figure.reference_date if figure else None,
            population_source=figure.source if figure else "",
            weight=line.weight,
            key_total=line.key_total,
            split_ore=line.split_ore,
            quota=line.quota,
            line=line,
        )

    @classmethod
    def stored(cls, line: AllocationLine, office: str, code: str, name: str) -> ShareRow:
        return cls(
            office=office,
            municipality_code=code,
            municipality=name,
            role=line.role,
            amount_ore=line.amount_ore,
            population=line.population,
            population_date=line.population_date,
            population_source=line.population_source,
            weight=line.weight,
            key_total=line.key_total,
            split_ore=line.split_ore,
            quota=Fraction(line.quota_numerator, line.quota_denominator)
            if line.quota_numerator is not None and line.quota_denominator
            else None,
            stored_explanation=line.explanation,
        )


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One municipality's row of the table: its share of each office, in office order."""

    code: str
    name: str
    cells: tuple[ShareRow | None, ...]
    total_ore: int
    population: int | None
    per_inhabitant_ore: int | None


@dataclass(frozen=True)
class AllocationTable:
    """
    An allocation as rows, grouped by office and by municipality, with totals.

    Per-inhabitant figures use the population of the key's reference date and
    are None without one.
    """

    year: int
    rows: tuple[ShareRow, ...]
    offices: list[str]
    municipalities: list[tuple[str, str]]
    municipality_totals: dict[str, int]
    office_totals: dict[str, int]
    total: int
    population: dict[str, int | None]
    per_inhabitant_ore: dict[str, int | None]
    by_office: dict[str, tuple[ShareRow, ...]] = field(repr=False)
    by_municipality: dict[str, tuple[ShareRow, ...]] = field(repr=False)

    @property
    def matrix(self) -> list[MatrixRow]:
        """The municipalities × offices table, by municipality name."""
        result = []
        for code, name in self.municipalities:
            mine = {row.office: row for row in self.by_municipality.get(code, ())}
            result.append(
                MatrixRow(
                    code,
                    name,
                    tuple(mine.get(office) for office in self.offices),
                    self.municipality_totals.get(code, 0),
                    self.population.get(code),
                    self.per_inhabitant_ore.get(code),
                )
            )
        return result


def allocation_table(
    rows: Iterable[ShareRow], *, year: int, population: dict[str, int | None]
) -> AllocationTable:
    """The table of `rows`, with each municipality's population on the reference date."""
    rows = tuple(rows)
    names: dict[str, str] = {}
    by_office: dict[str, list[ShareRow]] = defaultdict(list)
    by_municipality: dict[str, list[ShareRow]] = defaultdict(list)
    municipality_totals: dict[str, int] = defaultdict(int)
    office_totals: dict[str, int] = defaultdict(int)
    for row in rows:
        code = row.municipality_code
        names[code] = row.municipality
        by_office[row.office].append(row)
        by_municipality[code].append(row)
        municipality_totals[code] += row.amount_ore
        office_totals[row.office] += row.amount_ore
    per_inhabitant = {
        code: ore_per_unit(total, pop) if (pop := population.get(code)) else None
        for code, total in municipality_totals.items()
    }
    return AllocationTable(
        year=year,
        rows=rows,
        offices=sorted(by_office),
        municipalities=sorted(names.items(), key=lambda item: item[1]),
        municipality_totals=dict(municipality_totals),
        office_totals=dict(office_totals),
        total=sum(office_totals.values()),
        population={code: population.get(code) for code in names},
        per_inhabitant_ore=per_inhabitant,
        by_office={office: tuple(found) for office, found in by_office.items()},
        by_municipality={code: tuple(found) for code, found in by_municipality.items()},
    )


def run_lines(*, run: AllocationRun) -> list[ShareRow]:
    """The stored lines of `run` as rows, in office and code order."""
    rows = AllocationLine.objects.filter(run=run).select_related("office", "municipality")
    return [
        ShareRow.stored(line, line.office.name, line.municipality.code, line.municipality.name)
        for line in rows
    ]


def allocation_lines(allocations: tuple[rule.OfficeAllocation, ...]) -> list[ShareRow]:
    """Computed allocations as rows, explained only when asked."""
    return [ShareRow.computed(line) for allocation in allocations for line in allocation.lines]


def run_population(*, run: AllocationRun) -> dict[str, int | None]:
    """Each municipality's population on the run's reference date, from its inputs."""
    stored = run.inputs.get("populations", {})
    result: dict[str, int | None] = {}
    for municipality in run.inputs.get("municipalities", []):
        series = stored.get(municipality["code"], {})
        figure = next(iter(series.values()), None)
        result[municipality["code"]] = figure["population"] if figure else None
    return result


@dataclass(frozen=True)
class _StoredRun:
    """What a page needs of a stored run besides the run row: its table and assumptions."""

    table: AllocationTable
    assumptions: list[str]


def _stored(run: AllocationRun) -> _StoredRun:
    """The run's table from its stored lines; a run's lines never change."""

    def build() -> _StoredRun:
        inputs = AllocationRun.objects.values_list("inputs", flat=True).get(pk=run.pk)
        full = AllocationRun(pk=run.pk, inputs=inputs)
        table = allocation_table(
            run_lines(run=full), year=run.year, population=run_population(run=full)
        )
        return _StoredRun(table, list(inputs.get("assumptions", [])))

    return _cached(f"run:{run.pk}:{run.fingerprint}:{run.created_at.isoformat()}", build)


LINE_VALUES = (
    "office_id",
    "role",
    "amount_ore",
    "population",
    "population_date",
    "population_source",
    "weight",
    "key_total",
    "split_ore",
    "quota_numerator",
    "quota_denominator",
    "explanation",
)


def run_line_values(*, run: AllocationRun) -> tuple[dict[str, Any], ...]:
    """
    Every line of `run` as plain values with its municipality's code, by office
    and municipality code; kept, since a run's lines never change. The dicts
    are shared: read them, never change them.
    """

    def build() -> tuple[dict[str, Any], ...]:
        rows = AllocationLine.objects.filter(run_id=run.pk).order_by(
            "office_id", "municipality__code"
        )
        return tuple(rows.values(*LINE_VALUES, municipality_code=F("municipality__code")))

    return _cached(f"run-values:{run.pk}:{run.fingerprint}:{run.created_at.isoformat()}", build)


@dataclass(frozen=True)
class Computation:
    """A computed allocation with its inputs and their fingerprint."""

    inputs: AllocationInputs
    allocations: tuple[rule.OfficeAllocation, ...]
    fingerprint: str


def _compute(inputs: AllocationInputs) -> Computation:
    allocations = rule.allocate_all(inputs.terms, inputs.municipalities, inputs.populations)
    return Computation(inputs, allocations, fingerprint(inputs.as_json()))


def allocation_compute(
    *, agreement: Agreement, year: int, offices: list[ClusterOffice] | None = None
) -> Computation:
    """
    Compute the allocation of `agreement` in `year` without storing it.

    :raises AllocationInputError: listing every missing input of every office
    :raises AgreementYearError: if the agreement does not cover the year
    """
    return _compute(allocation_inputs(agreement=agreement, year=year, offices=offices))


@dataclass(frozen=True)
class _Live:
    """Today's computation of a year as a table, or the problems that block it."""

    table: AllocationTable | None
    problems: tuple[rule.Problem, ...]


def _live(inputs: AllocationInputs, key: str) -> _Live:
    """Today's result for `inputs`, computed once per fingerprint `key`."""

    def build() -> _Live:
        try:
            allocations = rule.allocate_all(inputs.terms, inputs.municipalities, inputs.populations)
        except rule.AllocationInputError as error:
            return _Live(None, tuple(error.problems))
        table = allocation_table(
            allocation_lines(allocations),
            year=inputs.year,
            population=inputs.population_at_reference(),
        )
        return _Live(table, ())

    # The office ids are not in the fingerprint (names are): a recreated office
    # with the same name must not be served another office's cached rows.
    offices = ",".join(str(office.pk) for office in inputs.offices)
    return _cached(f"live:{key}:{offices}", build)


@dataclass(frozen=True)
class YearAllocation:
    """
    What a page shows for one agreement-year: the approved run if there is
    one, else the live computation (and the saved run that matches it), else
    the problems that block it.
    """

    agreement: Agreement
    year: int
    run: AllocationRun | None
    table: AllocationTable | None
    problems: list[rule.Problem]
    fingerprint: str | None
    live_fingerprint: str | None
    assumptions: list[str]
    inputs: AllocationInputs | None = None

    @property
    def lines(self) -> tuple[ShareRow, ...]:
        return self.table.rows if self.table is not None else ()

    @property
    def approved(self) -> bool:
        return self.run is not None and self.run.status == RunStatus.APPROVED

    @property
    def problem_summary(self) -> list[str]:
        """The problems said once each, missing population grouped per date."""
        return rule.summarise_problems(self.problems)

    @property
    def population_date(self) -> date | None:
        """The reference date of the population figures the allocation used."""
        return next((row.population_date for row in self.lines if row.population_date), None)

    @property
    def stale(self) -> bool:
        """True when the approved run's inputs differ from today's inputs."""
        return (
            self.approved
            and self.live_fingerprint is not None
            and self.run is not None
            and self.run.fingerprint != self.live_fingerprint
        )


def _shown(
    agreement: Agreement,
    year: int,
    inputs: AllocationInputs | AgreementYearError,
    runs: list[AllocationRun],
) -> YearAllocation:
    approved = next((r for r in runs if r.status == RunStatus.APPROVED), None)
    if isinstance(inputs, AgreementYearError):
        problem = rule.Problem("no_terms", str(inputs))
        if approved is None:
            return YearAllocation(agreement, year, None, None, [problem], None, None, [])
        stored = _stored(approved)
        return YearAllocation(
            agreement, year, approved, stored.table, [], approved.fingerprint, None,
            stored.assumptions,
        )  # fmt: skip
    live_key = fingerprint(inputs.as_json())
    live = _live(inputs, live_key)
    live_fingerprint = live_key if live.table is not None else None
    if approved is not None:
        stored = _stored(approved)
        return YearAllocation(
            agreement, year, approved, stored.table, [], approved.fingerprint,
            live_fingerprint, stored.assumptions, inputs,
        )  # fmt: skip
    if live.table is None:
        return YearAllocation(
            agreement, year, None, None, list(live.problems), None, None,
            inputs.assumptions, inputs,
        )  # fmt: skip
    saved = next(
        (r for r in runs if r.fingerprint == live_key and r.status != RunStatus.REPLACED), None
    )
    return YearAllocation(
        agreement, year, saved, live.table, [], live_key, live_key, inputs.assumptions, inputs
    )


def years_shown(
    *, agreements: Iterable[Agreement] | None = None, years: Iterable[int] | None = None
) -> list[YearAllocation]:
    """
    The allocation to show for every year of `agreements` (all, by default;
    only `years`, if given), oldest first, read in a fixed number of queries.
    """
    chosen = list(Agreement.objects.all() if agreements is None else agreements)
    wanted = None if years is None else set(years)
    inputs = inputs_by_year(agreements=chosen, years=wanted)
    runs: dict[tuple[int, int], list[AllocationRun]] = defaultdict(list)
    stored = (
        AllocationRun.objects.filter(agreement__in=chosen)
        .exclude(status=RunStatus.REPLACED)
        .defer("inputs")
        .order_by("-created_at", "-pk")
    )
    if wanted is not None:
        stored = stored.filter(year__in=wanted)
    for run in stored:
        runs[run.agreement_id, run.year].append(run)
    shown = [
        _shown(agreement, year, inputs[agreement.pk, year], runs[agreement.pk, year])
        for agreement in chosen
        for year in agreement.years()
        if (agreement.pk, year) in inputs
    ]
    return sorted(shown, key=lambda a: (a.year, a.agreement.first_year))


def year_allocation(*, agreement: Agreement, year: int) -> YearAllocation:
    """The allocation to show for `agreement` in `year` (approved run first)."""
    found = years_shown(agreements=[agreement], years=[year])
    if not found:
        raise AgreementYearError.outside(agreement, year)
    return found[0]


def allocation_for_year(*, year: int) -> YearAllocation | None:
    """The allocation of `year` under the agreement that covers it, or None without one."""
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError:
        return None
    return year_allocation(agreement=agreement, year=year)


def approved_allocation_for_year(*, year: int) -> YearAllocation | None:
    """
    The year's approved allocation from its stored run alone, or None when no
    single agreement covers the year or it has no approved run.

    The same run and table as `allocation_for_year` then shows, without
    reading today's inputs: for a caller that needs neither the live
    computation nor `stale` (`live_fingerprint` is None).
    """
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError:
        return None
    approved = (
        AllocationRun.objects.filter(agreement=agreement, year=year, status=RunStatus.APPROVED)
        .defer("inputs")
        .order_by("-created_at", "-pk")
        .first()
    )
    if approved is None:
        return None
    stored = _stored(approved)
    return YearAllocation(
        agreement, year, approved, stored.table, [], approved.fingerprint, None,
        stored.assumptions,
    )  # fmt: skip


def run_approved(*, agreement: Agreement, year: int) -> AllocationRun | None:
    return AllocationRun.objects.filter(
        agreement=agreement, year=year, status=RunStatus.APPROVED
    ).first()


def approval_checklist(*, run: AllocationRun) -> list[str]:
    """
    What the approver of `run` must confirm having read: the assumptions its
    inputs rest on, each said once.
    """
    return list(dict.fromkeys(str(text) for text in run.inputs.get("assumptions", [])))


def year_runs(*, agreement: Agreement, year: int) -> list[AllocationRun]:
    """Every stored run of the year, newest first, with what each replaced."""
    return list(
        AllocationRun.objects.filter(agreement=agreement, year=year)
        .select_related("replaces")
        .defer("inputs", "replaces__inputs")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class CorrectionRow:
    """One municipality's yearly total in the approved run and in today's computation."""

    code: str
    name: str
    approved_ore: int
    corrected_ore: int

    @property
    def difference_ore(self) -> int:
        return self.corrected_ore - self.approved_ore


@dataclass(frozen=True)
class CorrectionPreview:
    """What correcting an approved year would change, before anything is stored."""

    approved: AllocationRun
    rows: list[CorrectionRow]
    checklist: list[str]
    problems: list[str]

    @property
    def changed(self) -> list[CorrectionRow]:
        return [row for row in self.rows if row.difference_ore]


def correction_preview(*, agreement: Agreement, year: int) -> CorrectionPreview | None:
    """The approved run of `year` beside today's computation, or None without an approved run."""
    approved = run_approved(agreement=agreement, year=year)
    if approved is None:
        return None
    old = _stored(approved).table
    inputs = allocation_inputs(agreement=agreement, year=year)
    live = _live(inputs, fingerprint(inputs.as_json()))
    if live.table is None:
        return CorrectionPreview(approved, [], [], rule.summarise_problems(list(live.problems)))
    new = live.table
    names = dict(old.municipalities) | dict(new.municipalities)
    rows = [
        CorrectionRow(
            code,
            names[code],
            old.municipality_totals.get(code, 0),
            new.municipality_totals.get(code, 0),
        )
        for code in sorted(names, key=lambda c: names[c])
    ]
    checklist = list(dict.fromkeys(inputs.assumptions))
    return CorrectionPreview(approved, rows, checklist, [])
