"""The agreement's terms per year, scenarios, and what a new population figure changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from klynge.core import cofinancing as rule
from klynge.core.scenario import Changes, apply_changes, compare, totals_by_municipality
from klynge.core.scenario import Row as ScenarioRow
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    AllocationRun,
    OfficeLead,
    Participation,
    RunStatus,
)
from klynge.financing.selectors.inputs import (
    AgreementYearError,
    AllocationInputs,
    inputs_by_year,
)
from klynge.financing.selectors.tables import year_allocation
from klynge.masterdata.models import Municipality


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
    inputs = shown.inputs
    if inputs is None:
        raise rule.AllocationInputError(shown.problems)
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
    agreements = list(Agreement.objects.all())
    approved = {
        (run.agreement_id, run.year): run
        for run in AllocationRun.objects.filter(status=RunStatus.APPROVED).defer("inputs")
    }
    for (agreement_id, year), inputs in inputs_by_year(agreements=agreements).items():
        if isinstance(inputs, AgreementYearError):
            continue
        agreement = inputs.agreement
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
                approved.get((agreement_id, year)),
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
