"""Reads of agreements and allocations: inputs for the engine and result tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext

from klynge.common.choices import Basis
from klynge.core import cofinancing as rule
from klynge.core.dates import format_date_da, format_date_en
from klynge.core.fingerprint import fingerprint
from klynge.core.money import ore_per_unit
from klynge.core.scenario import Changes, apply_changes, compare, totals_by_municipality
from klynge.core.scenario import Row as ScenarioRow
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    AllocationLine,
    AllocationRun,
    CustomWeight,
    FinancedOffice,
    OfficeLead,
    Participation,
    RunStatus,
)
from klynge.masterdata.models import Cluster, ClusterOffice, Municipality
from klynge.masterdata.selectors import (
    core_municipalities,
    population_missing,
    population_table,
)


class AgreementYearError(LookupError):
    """No agreement, or more than one, covers the asked budget year."""


# The assumption texts are stored with a run and fingerprinted, so they must not
# depend on the reader's language: like the engine's explanations they stay Danish.
_BASIS_DA: dict[str, str] = {
    Basis.FACT: "fakta",
    Basis.ASSUMPTION: "arbejdsantagelse",
    Basis.DEMO: "demodata",
}


def agreement_list() -> QuerySet[Agreement]:
    return Agreement.objects.prefetch_related("terms", "financed_offices__office")


def agreement_for_year(*, year: int, name: str | None = None) -> Agreement:
    """
    Return the agreement that covers budget `year` (optionally by name).

    :raises AgreementYearError: if none or several cover the year
    """
    agreements = Agreement.objects.filter(first_year__lte=year, last_year__gte=year)
    if name:
        agreements = agreements.filter(name__iexact=name)
    found = list(agreements)
    if len(found) == 1:
        return found[0]
    if not found:
        covered = ", ".join(
            f"{a.name} ({a.first_year}-{a.last_year})" for a in Agreement.objects.all()
        )
        raise AgreementYearError(
            f"Ingen aftale dækker {year}. Aftaler: {covered or 'ingen indlæst'}."
        )
    raise AgreementYearError(f"Flere aftaler dækker {year}; vælg en med --agreement.")


def financed_offices(*, agreement: Agreement, year: int) -> list[ClusterOffice]:
    """The offices `agreement` finances in `year`, by name."""
    return [
        financed.office
        for financed in FinancedOffice.objects.filter(
            agreement=agreement, first_year__lte=year
        ).select_related("office")
    ]


@dataclass(frozen=True)
class AllocationInputs:
    """Everything one allocation of an agreement-year is computed from."""

    agreement: Agreement
    year: int
    offices: list[ClusterOffice]
    terms: list[rule.OfficeTerms]
    municipalities: list[rule.Municipality]
    populations: dict[str, dict[date, rule.PopulationFigure]]
    assumptions: list[str] = field(default_factory=list)

    @property
    def reference_date(self) -> date | None:
        """The population reference date of the year, None if it cannot be set."""
        rule_name = rule.ReferenceDateRule(self.agreement.reference_date_rule)
        if rule_name is rule.ReferenceDateRule.FIXED and not self.agreement.fixed_reference_date:
            return None
        return rule.reference_date(rule_name, self.year, self.agreement.fixed_reference_date)

    def population_at_reference(self) -> dict[str, int | None]:
        """Each municipality's population on the reference date, None if unknown."""
        ref = self.reference_date
        return {
            m.code: (
                self.populations[m.code][ref].population
                if ref and ref in self.populations.get(m.code, {})
                else None
            )
            for m in self.municipalities
        }

    def as_json(self) -> dict[str, Any]:
        """The inputs as plain JSON data: stored with a run and fingerprinted."""
        used_dates = {self.reference_date} if self.reference_date else set()
        return {
            "agreement": self.agreement.name,
            "year": self.year,
            "municipalities": [{"code": m.code, "name": m.name} for m in self.municipalities],
            "offices": [
                {
                    "office": t.office,
                    "amount_ore": t.amount_ore,
                    "lead_share_ore": t.lead_share_ore,
                    "lead": t.lead_code,
                    "participants": sorted(t.participants),
                    "key": t.key.value,
                    "reference_date_rule": t.reference_date_rule.value,
                    "fixed_reference_date": t.fixed_reference_date.isoformat()
                    if t.fixed_reference_date
                    else None,
                    "rounding_unit_ore": t.rounding_unit_ore,
                    "custom_weights": dict(sorted(t.custom_weights.items())),
                    "index_base_year": t.index_base_year,
                    "index_percents": {
                        str(y): f"{p.numerator}/{p.denominator}"
                        for y, p in sorted(t.index_percents.items())
                    },
                }
                for t in self.terms
            ],
            "populations": {
                code: {
                    d.isoformat(): {"population": f.population, "source": f.source}
                    for d, f in sorted(series.items())
                    if d in used_dates
                }
                for code, series in sorted(self.populations.items())
                if any(d in used_dates for d in series)
            },
            "assumptions": self.assumptions,
        }


def allocation_inputs(
    *, agreement: Agreement, year: int, offices: list[ClusterOffice] | None = None
) -> AllocationInputs:
    """
    Gather the engine's inputs for `agreement` in budget `year`.

    Missing inputs are not errors here: the engine reports them all at once.

    :raises AgreementYearError: if the agreement does not cover `year` or has
        no terms for it
    """
    if year not in agreement.years():
        raise AgreementYearError(
            f"Aftalen '{agreement.name}' dækker {agreement.first_year}-"
            f"{agreement.last_year}; {year} er ikke omfattet."
        )
    terms_row = AgreementYear.objects.filter(agreement=agreement, year=year).first()
    if terms_row is None:
        raise AgreementYearError(f"Aftalen '{agreement.name}' har ingen vilkår for {year}.")
    chosen = offices if offices is not None else financed_offices(agreement=agreement, year=year)
    leads = {
        lead.office_id: lead
        for lead in OfficeLead.objects.filter(agreement=agreement, year=year).select_related(
            "municipality"
        )
    }
    participation = list(
        Participation.objects.filter(agreement=agreement, year=year).select_related("municipality")
    )
    participants = frozenset(p.municipality.code for p in participation if p.participates)
    weights = {
        w.municipality.code: w.weight
        for w in CustomWeight.objects.filter(agreement=agreement, year=year).select_related(
            "municipality"
        )
    }
    percents = {
        row.year: Fraction(row.index_percent)
        for row in AgreementYear.objects.filter(agreement=agreement)
        if row.index_percent is not None
    }
    assumptions: list[str] = []
    assumed = [p for p in participation if p.basis != Basis.FACT]
    if assumed:
        assumptions.append(
            f"Deltagelsen for {len(assumed)} kommuner er "
            f"{_BASIS_DA.get(assumed[0].basis, assumed[0].basis)}. {assumed[0].note}".strip()
        )
    terms: list[rule.OfficeTerms] = []
    for office in chosen:
        lead = leads.get(office.pk)
        lead_code = lead.municipality.code if lead and lead.municipality else None
        if lead and lead.municipality and lead.basis != Basis.FACT:
            assumptions.append(
                f"{office.name}: leadkommune {lead.municipality.name} er "
                f"{_BASIS_DA.get(lead.basis, lead.basis)}"
            )
        terms.append(
            rule.OfficeTerms(
                office=office.name,
                year=year,
                amount_ore=terms_row.office_amount_ore,
                lead_share_ore=terms_row.lead_share_ore,
                lead_code=lead_code,
                participants=participants,
                key=rule.Key(terms_row.key),
                reference_date_rule=rule.ReferenceDateRule(agreement.reference_date_rule),
                fixed_reference_date=agreement.fixed_reference_date,
                rounding_unit_ore=terms_row.rounding_unit_ore,
                custom_weights=weights,
                index_base_year=agreement.index_base_year,
                index_percents=percents,
            )
        )
    return AllocationInputs(
        agreement=agreement,
        year=year,
        offices=list(chosen),
        terms=terms,
        municipalities=core_municipalities(Municipality.objects.order_by("code")),
        populations=population_table(),
        assumptions=assumptions,
    )


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
    old = allocation_table(run_lines(run=approved), year=year, population={})
    inputs = allocation_inputs(agreement=agreement, year=year)
    try:
        computation = _compute(inputs)
    except rule.AllocationInputError as error:
        return CorrectionPreview(approved, [], [], rule.summarise_problems(error.problems))
    new = allocation_table(allocation_lines(computation.allocations), year=year, population={})
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


@dataclass
class AllocationTable:
    """
    An allocation as a municipalities × offices table with totals both ways.

    `cells[code][office]` is the line; per-inhabitant figures use the
    population of the key's reference date and are None without one.
    """

    year: int
    offices: list[str]
    municipalities: list[tuple[str, str]]
    cells: dict[str, dict[str, dict[str, Any]]]
    municipality_totals: dict[str, int]
    office_totals: dict[str, int]
    total: int
    population: dict[str, int | None]
    per_inhabitant_ore: dict[str, int | None]


def allocation_table(
    lines: list[dict[str, Any]], *, year: int, population: dict[str, int | None]
) -> AllocationTable:
    """
    Build the table from line dicts (keys: office, municipality_code,
    municipality, role, amount_ore, population, population_date, explanation)
    and each municipality's population on the reference date.
    """
    offices = sorted({line["office"] for line in lines})
    names: dict[str, str] = {}
    cells: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    municipality_totals: dict[str, int] = defaultdict(int)
    office_totals: dict[str, int] = defaultdict(int)
    for line in lines:
        code = line["municipality_code"]
        names[code] = line["municipality"]
        cells[code][line["office"]] = line
        municipality_totals[code] += line["amount_ore"]
        office_totals[line["office"]] += line["amount_ore"]
    per_inhabitant = {
        code: ore_per_unit(total, pop) if (pop := population.get(code)) else None
        for code, total in municipality_totals.items()
    }
    return AllocationTable(
        year=year,
        offices=offices,
        municipalities=sorted(names.items(), key=lambda item: item[1]),
        cells=dict(cells),
        municipality_totals=dict(municipality_totals),
        office_totals=dict(office_totals),
        total=sum(office_totals.values()),
        population={code: population.get(code) for code in names},
        per_inhabitant_ore=per_inhabitant,
    )


def run_lines(*, run: AllocationRun) -> list[dict[str, Any]]:
    """The stored lines of `run` as plain dicts, in office and code order."""
    rows = AllocationLine.objects.filter(run=run).select_related("office", "municipality")
    return [
        {
            "office": line.office.name,
            "municipality_code": line.municipality.code,
            "municipality": line.municipality.name,
            "role": line.role,
            "amount_ore": line.amount_ore,
            "population": line.population,
            "population_date": line.population_date,
            "population_source": line.population_source,
            "weight": line.weight,
            "key_total": line.key_total,
            "split_ore": line.split_ore,
            "quota": Fraction(line.quota_numerator, line.quota_denominator)
            if line.quota_numerator is not None and line.quota_denominator
            else None,
            "explanation": line.explanation,
        }
        for line in rows
    ]


def allocation_lines(allocations: tuple[rule.OfficeAllocation, ...]) -> list[dict[str, Any]]:
    """Computed allocations as the same plain dicts as `run_lines`."""
    return [
        {
            "office": line.office,
            "municipality_code": line.municipality_code,
            "municipality": line.municipality_name,
            "role": line.role.value,
            "amount_ore": line.amount_ore,
            "population": line.population.population if line.population else None,
            "population_date": line.population.reference_date if line.population else None,
            "population_source": line.population.source if line.population else "",
            "weight": line.weight,
            "key_total": line.key_total,
            "split_ore": line.split_ore,
            "quota": line.quota,
            "explanation": line.explanation(),
        }
        for allocation in allocations
        for line in allocation.lines
    ]


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
class Computation:
    """A computed allocation with its inputs and their fingerprint."""

    inputs: AllocationInputs
    allocations: tuple[rule.OfficeAllocation, ...]
    fingerprint: str


def allocation_compute(
    *, agreement: Agreement, year: int, offices: list[ClusterOffice] | None = None
) -> Computation:
    """
    Compute the allocation of `agreement` in `year` without storing it.

    :raises AllocationInputError: listing every missing input of every office
    :raises AgreementYearError: if the agreement does not cover the year
    """
    return _compute(allocation_inputs(agreement=agreement, year=year, offices=offices))


def _compute(inputs: AllocationInputs) -> Computation:
    allocations = rule.allocate_all(inputs.terms, inputs.municipalities, inputs.populations)
    return Computation(inputs, allocations, fingerprint(inputs.as_json()))


@dataclass
class YearAllocation:
    """
    What a page shows for one agreement-year: the approved run if there is
    one, else the live computation, else the problems that block it.
    """

    agreement: Agreement
    year: int
    run: AllocationRun | None
    lines: list[dict[str, Any]]
    table: AllocationTable | None
    problems: list[rule.Problem]
    fingerprint: str | None
    live_fingerprint: str | None
    assumptions: list[str]

    @property
    def problem_summary(self) -> list[str]:
        """The problems said once each, missing population grouped per date."""
        return rule.summarise_problems(self.problems)

    @property
    def population_date(self) -> date | None:
        """The reference date of the population figures the allocation used."""
        return next(
            (line["population_date"] for line in self.lines if line["population_date"]), None
        )

    @property
    def stale(self) -> bool:
        """True when the approved run's inputs differ from today's inputs."""
        return (
            self.run is not None
            and self.live_fingerprint is not None
            and self.run.fingerprint != self.live_fingerprint
        )


def year_allocation(*, agreement: Agreement, year: int) -> YearAllocation:
    """The allocation to show for `agreement` in `year` (approved run first)."""
    approved = run_approved(agreement=agreement, year=year)
    inputs = allocation_inputs(agreement=agreement, year=year)
    problems: list[rule.Problem] = []
    computation: Computation | None = None
    try:
        computation = _compute(inputs)
    except rule.AllocationInputError as error:
        problems = list(error.problems)
    live = computation.fingerprint if computation else None
    assumptions = inputs.assumptions
    if approved is not None:
        lines = run_lines(run=approved)
        table = allocation_table(lines, year=year, population=run_population(run=approved))
        return YearAllocation(
            agreement, year, approved, lines, table, [], approved.fingerprint, live,
            list(approved.inputs.get("assumptions", [])),
        )  # fmt: skip
    if computation is None:
        return YearAllocation(agreement, year, None, [], None, problems, None, None, assumptions)
    stored = (
        AllocationRun.objects.filter(
            agreement=agreement, year=year, fingerprint=computation.fingerprint
        )
        .exclude(status=RunStatus.REPLACED)
        .first()
    )
    lines = allocation_lines(computation.allocations)
    table = allocation_table(
        lines, year=year, population=computation.inputs.population_at_reference()
    )
    return YearAllocation(
        agreement, year, stored, lines, table, [], computation.fingerprint, live, assumptions
    )


def allocation_for_year(*, year: int) -> YearAllocation | None:
    """The allocation of `year` under the agreement that covers it, or None without one."""
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError:
        return None
    return year_allocation(agreement=agreement, year=year)


@dataclass(frozen=True)
class QualityItem:
    """
    One thing missing or assumed: what, what it blocks, and how to fix it.

    `fix` says in plain words what the secretariat does (never a command or a
    file), `fix_url` is the page where it does it ('' when no page can), and
    `page_url` the page where everyone sees the affected figures.
    """

    topic: str
    text: str
    blocks: str
    fix: str
    severity: str  # "missing" blocks a computation; "assumed" is marked where shown
    fix_url: str = ""
    page_url: str = ""


def _long_date(value: date) -> str:
    """A date in the active language: '1. januar 2021' or '1 January 2021'."""
    return format_date_en(value) if get_language() == "en" else format_date_da(value)


def _allocation_label(year: int, agreement: Agreement) -> str:
    return gettext("The allocation %(year)s (%(agreement)s).") % {
        "year": year,
        "agreement": agreement.name,
    }


def data_quality_list() -> list[QualityItem]:
    """Everything missing or assumed in the register and the agreements."""
    items: list[QualityItem] = []
    for agreement in Agreement.objects.exclude(collector_basis=Basis.FACT):
        items.append(
            QualityItem(
                gettext("Collecting party"),
                gettext(
                    "%(agreement)s: no source says who collects the municipal shares; "
                    "the working assumption is: %(collector)s."
                )
                % {"agreement": agreement.name, "collector": agreement.get_collector_display()},
                gettext("Who the payment requests name as payee."),
                gettext(
                    "Confirm or change who collects when the agreement's terms are known; "
                    "the payment requests name the payee."
                ),
                "assumed",
                page_url=reverse("agreement-year", args=[agreement.first_year]),
                fix_url=reverse("collector-edit", args=[agreement.first_year]),
            )
        )
    for agreement in Agreement.objects.all():
        for year in agreement.years():
            inputs = allocation_inputs(agreement=agreement, year=year)
            ref = inputs.reference_date
            if ref is None:
                continue
            participants = inputs.terms[0].participants if inputs.terms else frozenset()
            missing = [
                m.name for m in population_missing(reference_date=ref) if m.code in participants
            ]
            if missing and inputs.terms:
                items.append(
                    QualityItem(
                        gettext("Population"),
                        ngettext(
                            "Population figures on %(date)s are missing for %(count)s "
                            "municipality: %(names)s.",
                            "Population figures on %(date)s are missing for %(count)s "
                            "municipalities: %(names)s.",
                            len(missing),
                        )
                        % {
                            "date": _long_date(ref),
                            "count": len(missing),
                            "names": ", ".join(missing),
                        },
                        _allocation_label(year, agreement),
                        gettext(
                            "Add each figure with its source (Statistics Denmark, FOLK1A, "
                            "1 January) on the population page."
                        ),
                        "missing",
                        fix_url=f"{reverse('population-edit')}?dato={ref.isoformat()}",
                        page_url=reverse("allocation", args=[year]),
                    )
                )
        for lead in OfficeLead.objects.filter(agreement=agreement).select_related(
            "office", "municipality"
        ):
            if lead.municipality is None:
                items.append(
                    QualityItem(
                        gettext("Lead municipality"),
                        gettext("%(office)s: the lead municipality for %(year)s is unknown.")
                        % {"office": lead.office.name, "year": lead.year},
                        _allocation_label(lead.year, agreement),
                        gettext("Choose the lead municipality with its source."),
                        "missing",
                        fix_url=reverse("lead-edit", args=[lead.year, lead.office_id]),
                        page_url=reverse("office-detail", args=[lead.office_id]),
                    )
                )
            elif lead.basis != Basis.FACT:
                items.append(
                    QualityItem(
                        gettext("Lead municipality"),
                        gettext(
                            "%(office)s: the lead municipality %(municipality)s for %(year)s "
                            "rests on: %(basis)s. %(note)s"
                        )
                        % {
                            "office": lead.office.name,
                            "municipality": lead.municipality.name,
                            "year": lead.year,
                            "basis": lead.get_basis_display().lower(),
                            "note": lead.note,
                        },
                        gettext("Nothing – but the amounts rest on the assumption."),
                        gettext("Confirm the lead municipality with a source, or change it."),
                        "assumed",
                        fix_url=reverse("lead-edit", args=[lead.year, lead.office_id]),
                        page_url=reverse("office-detail", args=[lead.office_id]),
                    )
                )
        assumed_years = sorted(
            {
                p.year
                for p in Participation.objects.filter(agreement=agreement).exclude(basis=Basis.FACT)
            }
        )
        if assumed_years:
            note = (
                Participation.objects.filter(agreement=agreement)
                .exclude(basis=Basis.FACT)
                .values_list("note", flat=True)
                .first()
            )
            items.append(
                QualityItem(
                    gettext("Participation"),
                    gettext("The participation in %(years)s is an assumption. %(note)s")
                    % {"years": ", ".join(map(str, assumed_years)), "note": note},
                    gettext("Nothing – but all municipalities' shares depend on who takes part."),
                    gettext(
                        "Mark the municipality that does not take part, and confirm the "
                        "others, on the agreement's page for each year."
                    ),
                    "assumed",
                    fix_url=reverse("agreement-year", args=[assumed_years[0]]),
                    page_url=reverse("agreement-year", args=[assumed_years[0]]),
                )
            )
        for run in AllocationRun.objects.filter(agreement=agreement, status=RunStatus.APPROVED):
            try:
                live = allocation_compute(agreement=agreement, year=run.year).fingerprint
            except rule.AllocationInputError:
                live = None
            if live != run.fingerprint:
                items.append(
                    QualityItem(
                        gettext("Allocation"),
                        gettext(
                            "The approved allocation for %(year)s (#%(run)s) rests on a "
                            "different basis than the current data."
                        )
                        % {"year": run.year, "run": run.pk},
                        gettext("Nothing – the approved allocation is frozen."),
                        gettext("Review the changes; a new computation is saved as a new run."),
                        "assumed",
                        fix_url=reverse("allocation", args=[run.year]),
                        page_url=reverse("allocation", args=[run.year]),
                    )
                )
    unidentified = Cluster.objects.filter(identified=False).count()
    if unidentified:
        items.append(
            QualityItem(
                gettext("Clusters"),
                ngettext(
                    "%(count)s of the national clusters is not identified in the sources.",
                    "%(count)s of the national clusters are not identified in the sources.",
                    unidentified,
                )
                % {"count": unidentified},
                gettext("Nothing in the computations."),
                gettext("Needs new research with a source; no figure depends on it."),
                "missing",
                page_url=reverse("office-list"),
            )
        )
    for office in ClusterOffice.objects.filter(host_municipality__isnull=True):
        items.append(
            QualityItem(
                gettext("Cluster office"),
                gettext("%(office)s: the office's town and host municipality are unknown.")
                % {"office": office.name},
                gettext("The assumption 'lead municipality = host municipality' cannot be used."),
                gettext("Choose the lead municipality with its source for each year."),
                "missing",
                page_url=reverse("office-detail", args=[office.pk]),
            )
        )
    return items


@dataclass(frozen=True)
class AgreementYearTerms:
    """What the agreement says for one year: amounts, participation, leads."""

    terms: AgreementYear | None
    participations: list[Participation]
    leads: list[OfficeLead]


def agreement_year_terms(*, agreement: Agreement, year: int) -> AgreementYearTerms:
    return AgreementYearTerms(
        terms=agreement.terms.filter(year=year).first(),
        participations=list(
            agreement.participations.filter(year=year)
            .select_related("municipality")
            .order_by("municipality__name")
        ),
        leads=list(
            agreement.leads.filter(year=year)
            .select_related("office", "municipality")
            .order_by("office__name")
        ),
    )


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario beside its baseline, per municipality, and the totals."""

    year: int
    rows: list[ScenarioRow]
    baseline_total_ore: int
    scenario_total_ore: int
    baseline_label: str


def scenario_compute(*, agreement: Agreement, year: int, changes: Changes) -> ScenarioResult:
    """
    Compute `changes` on the year and compare each municipality with the baseline.

    The baseline is the approved run if there is one, else today's computation.

    :raises AllocationInputError: if the baseline or the scenario cannot be computed
    :raises ScenarioError: if a change is impossible
    """
    shown = year_allocation(agreement=agreement, year=year)
    if shown.table is None:
        raise rule.AllocationInputError(shown.problems)
    inputs = allocation_inputs(agreement=agreement, year=year)
    terms = apply_changes(inputs.terms, changes)
    allocations = rule.allocate_all(terms, inputs.municipalities, inputs.populations)
    scenario = totals_by_municipality(allocations)
    baseline = dict(shown.table.municipality_totals)
    names = {m.code: m.name for m in inputs.municipalities}
    label = (
        gettext("approved run #%(run)s") % {"run": shown.run.pk}
        if shown.run is not None and shown.run.status == RunStatus.APPROVED
        else gettext("today's computation")
    )
    return ScenarioResult(
        year=year,
        rows=compare(baseline, scenario, names),
        baseline_total_ore=sum(baseline.values()),
        scenario_total_ore=sum(scenario.values()),
        baseline_label=label,
    )


@dataclass(frozen=True)
class PopulationEffect:
    """What a new population figure changes in one budget year that uses its date."""

    agreement: Agreement
    year: int
    rows: list[ScenarioRow]  # the municipalities whose yearly bill changes
    before_problems: list[str]  # what blocks the year today (empty: it computes)
    after_problems: list[str]  # what still blocks it with the new figure
    approved_run: AllocationRun | None  # frozen: a change shows up as a new run


def population_change_effects(
    *, municipality: Municipality, reference_date: date, population: int
) -> list[PopulationEffect]:
    """
    Per agreement-year whose key uses `reference_date`: each bill before and after.

    Nothing is stored; the figures are computed as the allocation page would.
    """
    effects = []
    for agreement in Agreement.objects.all():
        for year in agreement.years():
            try:
                inputs = allocation_inputs(agreement=agreement, year=year)
            except AgreementYearError:
                continue
            if inputs.reference_date != reference_date:
                continue
            changed = {code: dict(series) for code, series in inputs.populations.items()}
            changed.setdefault(municipality.code, {})[reference_date] = rule.PopulationFigure(
                population=population, reference_date=reference_date, source=""
            )
            before, before_problems = _totals(inputs, inputs.populations)
            after, after_problems = _totals(inputs, changed)
            names = {m.code: m.name for m in inputs.municipalities}
            rows = [row for row in compare(before, after, names) if row.change_ore != 0]
            effects.append(
                PopulationEffect(
                    agreement, year, rows, before_problems, after_problems,
                    run_approved(agreement=agreement, year=year),
                )
            )  # fmt: skip
    return effects


def _totals(
    inputs: AllocationInputs, populations: dict[str, dict[date, rule.PopulationFigure]]
) -> tuple[dict[str, int], list[str]]:
    """Each municipality's bill for the year, and what blocks it (said once each)."""
    try:
        allocations = rule.allocate_all(inputs.terms, inputs.municipalities, populations)
    except rule.AllocationInputError as error:
        return {}, rule.summarise_problems(list(error.problems))
    return totals_by_municipality(allocations), []
