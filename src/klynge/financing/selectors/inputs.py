"""The engine's inputs: agreements, their years, and what each year is computed from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from klynge.common.choices import Basis
from klynge.core import cofinancing as rule
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    CustomWeight,
    FinancedOffice,
    OfficeLead,
    Participation,
)
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.masterdata.selectors import core_municipalities, population_table


class AgreementYearError(LookupError, ValueError):
    """No agreement, or more than one, covers the asked budget year."""

    @classmethod
    def outside(cls, agreement: Agreement, year: int) -> AgreementYearError:
        """The one wording of 'the year lies outside the agreement'."""
        return cls(
            gettext("%(year)s is outside the agreement's years %(first)s-%(last)s.")
            % {"year": year, "first": agreement.first_year, "last": agreement.last_year}
        )


def check_year(*, agreement: Agreement, year: int) -> None:
    """
    The one check that `year` is a budget year of `agreement`.

    :raises AgreementYearError: if it is not
    """
    if not agreement.first_year <= year <= agreement.last_year:
        raise AgreementYearError.outside(agreement, year)


# The assumption texts are stored with a run and fingerprinted, so they must not
# depend on the reader's language: like the engine's explanations they stay Danish.
_BASIS_DA: dict[str, str] = {
    Basis.FACT: "fakta",
    Basis.ASSUMPTION: "arbejdsantagelse",
    Basis.DEMO: "demodata",
}


def agreement_list() -> QuerySet[Agreement]:
    return Agreement.objects.prefetch_related("terms", "financed_offices__office")


def current_budget_year(*, today: date) -> int:
    """
    The budget year pages open on: this year if an agreement covers it, else
    the nearest agreement year before it (after it, if all agreements lie ahead).
    Without agreements it is this year.
    """
    years = sorted(
        {y for first, last in Agreement.objects.values_list("first_year", "last_year")
         for y in range(first, last + 1)}
    )  # fmt: skip
    if not years or today.year in years:
        return today.year
    earlier = [y for y in years if y < today.year]
    return earlier[-1] if earlier else years[0]


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
            gettext("No agreement covers %(year)s. Agreements: %(agreements)s.")
            % {"year": year, "agreements": covered or gettext("none loaded")}
        )
    raise AgreementYearError(
        gettext("Several agreements cover %(year)s; choose one with --agreement.") % {"year": year}
    )


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

    @property
    def participants(self) -> frozenset[str]:
        """The codes of the municipalities taking part in the year."""
        return self.terms[0].participants if self.terms else frozenset()

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

    def missing_population(self) -> list[str]:
        """The names of the participants without a figure on the reference date, by name."""
        ref = self.reference_date
        if ref is None:
            return []
        participants = self.participants
        return sorted(
            m.name
            for m in self.municipalities
            if m.code in participants and ref not in self.populations.get(m.code, {})
        )

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


@dataclass(frozen=True, slots=True)
class _Lead:
    code: str | None
    name: str | None
    basis: str


@dataclass(frozen=True, slots=True)
class _Taking:
    code: str
    participates: bool
    basis: str
    note: str


@dataclass(frozen=True)
class _AgreementRows:
    """One agreement's rows of every year, read once."""

    terms: dict[int, AgreementYear]
    percents: dict[int, Fraction]
    financed: list[FinancedOffice]
    leads: dict[int, dict[int, _Lead]]
    participation: dict[int, list[_Taking]]
    weights: dict[int, dict[str, int]]


def _rows_by_agreement(agreements: list[Agreement]) -> dict[int, _AgreementRows]:
    """Every input row of `agreements` in five queries, whatever the number of years."""
    ids = [a.pk for a in agreements]
    terms: dict[int, dict[int, AgreementYear]] = defaultdict(dict)
    for row in AgreementYear.objects.filter(agreement_id__in=ids):
        terms[row.agreement_id][row.year] = row
    financed: dict[int, list[FinancedOffice]] = defaultdict(list)
    for office in FinancedOffice.objects.filter(agreement_id__in=ids).select_related("office"):
        financed[office.agreement_id].append(office)
    # Plain rows, not model instances: a page reads every year's inputs on each request.
    leads: dict[int, dict[int, dict[int, _Lead]]] = defaultdict(lambda: defaultdict(dict))
    for agreement_id, year, office_id, code, name, basis in OfficeLead.objects.filter(
        agreement_id__in=ids
    ).values_list("agreement_id", "year", "office_id", "municipality__code",
                  "municipality__name", "basis"):  # fmt: skip
        leads[agreement_id][year][office_id] = _Lead(code, name, basis)
    participation: dict[int, dict[int, list[_Taking]]] = defaultdict(lambda: defaultdict(list))
    for agreement_id, year, code, participates, basis, note in Participation.objects.filter(
        agreement_id__in=ids
    ).values_list("agreement_id", "year", "municipality__code", "participates", "basis",
                  "note"):  # fmt: skip
        participation[agreement_id][year].append(_Taking(code, participates, basis, note))
    weights: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for agreement_id, year, code, weight in CustomWeight.objects.filter(
        agreement_id__in=ids
    ).values_list("agreement_id", "year", "municipality__code", "weight"):
        weights[agreement_id][year][code] = weight
    return {
        pk: _AgreementRows(
            terms=terms[pk],
            percents={
                year: Fraction(row.index_percent)
                for year, row in terms[pk].items()
                if row.index_percent is not None
            },
            financed=financed[pk],
            leads=leads[pk],
            participation=participation[pk],
            weights=weights[pk],
        )
        for pk in ids
    }


def _year_inputs(
    agreement: Agreement,
    year: int,
    rows: _AgreementRows,
    municipalities: list[rule.Municipality],
    populations: dict[str, dict[date, rule.PopulationFigure]],
    offices: list[ClusterOffice] | None,
) -> AllocationInputs:
    terms_row = rows.terms.get(year)
    if terms_row is None:
        raise AgreementYearError(
            gettext("The agreement '%(agreement)s' has no terms for %(year)s.")
            % {"agreement": agreement.name, "year": year}
        )
    chosen = (
        offices
        if offices is not None
        else [f.office for f in rows.financed if f.first_year <= year]
    )
    leads = rows.leads.get(year, {})
    participation = rows.participation.get(year, [])
    participants = frozenset(p.code for p in participation if p.participates)
    weights = rows.weights.get(year, {})
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
        lead_code = lead.code if lead else None
        if lead and lead.code and lead.basis != Basis.FACT:
            assumptions.append(
                f"{office.name}: leadkommune {lead.name} er {_BASIS_DA.get(lead.basis, lead.basis)}"
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
                index_percents=rows.percents,
            )
        )
    return AllocationInputs(
        agreement=agreement,
        year=year,
        offices=list(chosen),
        terms=terms,
        municipalities=municipalities,
        populations=populations,
        assumptions=assumptions,
    )


def inputs_by_year(
    *, agreements: Iterable[Agreement], years: Iterable[int] | None = None
) -> dict[tuple[int, int], AllocationInputs | AgreementYearError]:
    """
    The inputs of every year of `agreements` (or only `years`), keyed by
    (agreement id, year), read in a fixed number of queries.

    A year without terms maps to its AgreementYearError.
    """
    chosen = list(agreements)
    wanted = set(years) if years is not None else None
    rows = _rows_by_agreement(chosen)
    municipalities = core_municipalities(Municipality.objects.order_by("code"))
    populations = population_table()
    result: dict[tuple[int, int], AllocationInputs | AgreementYearError] = {}
    for agreement in chosen:
        for year in agreement.years():
            if wanted is not None and year not in wanted:
                continue
            try:
                result[agreement.pk, year] = _year_inputs(
                    agreement, year, rows[agreement.pk], municipalities, populations, None
                )
            except AgreementYearError as error:
                result[agreement.pk, year] = error
    return result


def allocation_inputs(
    *, agreement: Agreement, year: int, offices: list[ClusterOffice] | None = None
) -> AllocationInputs:
    """
    Gather the engine's inputs for `agreement` in budget `year`.

    Missing inputs are not errors here: the engine reports them all at once.

    :raises AgreementYearError: if the agreement does not cover `year` or has
        no terms for it
    """
    check_year(agreement=agreement, year=year)
    rows = _rows_by_agreement([agreement])[agreement.pk]
    return _year_inputs(
        agreement,
        year,
        rows,
        core_municipalities(Municipality.objects.order_by("code")),
        population_table(),
        offices,
    )
