"""Web pages of co-financing: the allocation, the agreement's terms, and their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klynge.audit.selectors import history_for
from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.perms import permission_required
from klynge.common.views import submitted
from klynge.core.cofinancing import AllocationInputError
from klynge.core.scenario import Changes, ScenarioError
from klynge.financing import renderers
from klynge.financing.forms import (
    ApproveForm,
    CollectorForm,
    CorrectionForm,
    LeadForm,
    ParticipationForm,
    TermsForm,
)
from klynge.financing.models import Agreement, AllocationRun, FinancedOffice, Scenario
from klynge.financing.scenario_forms import ScenarioForm, ScenarioSaveForm
from klynge.financing.selectors import (
    AgreementYearError,
    ScenarioResult,
    ShareRow,
    YearAllocation,
    agreement_for_year,
    agreement_year_terms,
    approval_checklist,
    correction_preview,
    current_budget_year,
    scenario_compute,
    year_allocation,
    year_runs,
)
from klynge.financing.services import (
    ApprovalError,
    allocation_correct,
    allocation_run_approve,
    allocation_run_create,
    collector_set,
    lead_set,
    participation_set,
    scenario_save,
    terms_set,
)
from klynge.masterdata.models import ClusterOffice, Municipality, PopulationFigure
from klynge.masterdata.selectors import population_sources, visible_municipality_codes


def _agreement_or_404(year: int) -> Agreement:
    try:
        return agreement_for_year(year=year)
    except AgreementYearError as error:
        raise Http404(str(error)) from error


def _allocation_trail(year: int) -> list[tuple[str, str]]:
    return [(reverse("allocation", args=[year]), _("Allocation %(year)s") % {"year": year})]


def _year_tabs(request: HttpRequest, year: int, current: str) -> list[tuple[str, str, bool]]:
    tabs = [
        (reverse("allocation", args=[year]), _("Allocation"), current == "allocation"),
        (reverse("agreement-year", args=[year]), _("Terms and participation"), current == "terms"),
    ]
    if request.user.has_perm(perms.VIEW_HISTORY, None):
        tabs.append(
            (reverse("allocation-history", args=[year]), _("History"), current == "history")
        )
    return tabs


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def allocation_current(request: HttpRequest) -> HttpResponse:
    return redirect("allocation", year=current_budget_year(today=timezone.localdate()))


def _used_sources(
    lines: Iterable[ShareRow], figures: dict[str, PopulationFigure]
) -> list[PopulationFigure | dict[str, str]]:
    """Each population source the lines name, once: a stored figure, or the run's own text."""
    used: dict[tuple[str, str], PopulationFigure | dict[str, str]] = {}
    for line in lines:
        text = line.population_source
        if not text:
            continue
        figure = figures.get(text)
        key = (figure.source_label, figure.source_url) if figure else (text, "")
        used.setdefault(key, figure if figure else {"source": text})
    return list(used.values())


# Up to this many offices, Fordeling shows the municipalities × offices table and every
# explanation folded on the page; with more it lists the offices, each on its own page,
# so the page stays small and linear in the number of offices.
MATRIX_MAX_OFFICES = 10


@dataclass(frozen=True)
class _ExplainedRow:
    """A share row with the short label of its population source ('': none stored)."""

    line: ShareRow
    source_label: str


@dataclass(frozen=True)
class _Section:
    """
    One office's part of the year; `explained` is built only when a page shows
    the rows, so a list of many offices looks up no sources.
    """

    office: str
    office_id: int | None
    total_ore: int
    rows: tuple[ShareRow, ...]
    figures: Mapping[str, PopulationFigure]

    @property
    def explained(self) -> list[_ExplainedRow]:
        """The rows of the office's explanation, each with its source's label."""
        result = []
        for row in self.rows:
            figure = self.figures.get(row.population_source)
            result.append(_ExplainedRow(row, figure.source_label if figure else ""))
        return result


def _sections(shown: YearAllocation, figures: Mapping[str, PopulationFigure]) -> list[_Section]:
    """One section per office of the table, in the table's office order."""
    if shown.table is None:
        return []
    table = shown.table
    ids = dict(ClusterOffice.objects.filter(name__in=table.offices).values_list("name", "pk"))
    return [
        _Section(
            office, ids.get(office), table.office_totals[office], table.by_office[office], figures
        )
        for office in table.offices
    ]


def _allocation_or_404(year: int) -> tuple[Agreement, YearAllocation]:
    agreement = _agreement_or_404(year)
    return agreement, year_allocation(agreement=agreement, year=year)


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def allocation(request: HttpRequest, year: int) -> HttpResponse:
    agreement, shown = _allocation_or_404(year)
    figures = population_sources()
    sections = _sections(shown, figures)
    return render(
        request,
        "financing/allocation.html",
        {
            "agreement": agreement,
            "year": year,
            "shown": shown,
            "sections": sections,
            "matrix": len(sections) <= MATRIX_MAX_OFFICES,
            "years": list(agreement.years()),
            "tabs": _year_tabs(request, year, "allocation"),
            "may_run": request.user.has_perm(perms.RUN_ALLOCATION),
            "may_approve": request.user.has_perm(perms.APPROVE_ALLOCATION),
            "visible_codes": visible_municipality_codes(request.user),
            "runs": year_runs(agreement=agreement, year=year),
            "used_sources": _used_sources(shown.lines, figures),
        },
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def allocation_office(request: HttpRequest, year: int, office_id: int) -> HttpResponse:
    """One office's shares of the year, each explained: Fordeling's page per office."""
    agreement = _agreement_or_404(year)
    if not FinancedOffice.objects.filter(
        agreement=agreement, office_id=office_id, first_year__lte=year
    ).exists():
        raise Http404(_("The office has no shares in the allocation for this year."))
    shown = year_allocation(agreement=agreement, year=year)
    figures = population_sources()
    section = next((s for s in _sections(shown, figures) if s.office_id == office_id), None)
    if section is None:
        raise Http404(_("The office has no shares in the allocation for this year."))
    return render(
        request,
        "financing/allocation_office.html",
        {
            "agreement": agreement,
            "year": year,
            "shown": shown,
            "section": section,
            "used_sources": _used_sources(section.rows, figures),
            "trail": _allocation_trail(year),
        },
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def allocation_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    agreement, shown = _allocation_or_404(year)
    if shown.table is None:
        raise Http404(_("The allocation cannot be computed."))
    heading = _("Municipal co-financing %(year)s - %(agreement)s") % {
        "year": year,
        "agreement": agreement.name,
    }
    filename = f"fordeling-{year}"
    if fmt == "xlsx":
        response = HttpResponse(
            renderers.lines_xlsx(shown.lines, shown.table, heading=heading),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        response = HttpResponse(
            ("\ufeff" + renderers.lines_csv(shown.lines)).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
        )
    elif fmt == "json":
        run = shown.run
        run_info = (
            {"id": run.pk, "status": run.status, "fingerprint": run.fingerprint} if run else None
        )
        response = HttpResponse(
            renderers.lines_json(shown.lines, shown.table, run_info),
            content_type="application/json",
        )
    else:
        raise Http404(_("Unknown format."))
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_POST
@permission_required(perms.RUN_ALLOCATION)
def allocation_save(request: HttpRequest, year: int) -> HttpResponse:
    agreement = _agreement_or_404(year)
    try:
        run = allocation_run_create(actor=Actor.of(request.user), agreement=agreement, year=year)
    except AllocationInputError as error:
        messages.error(request, _("The allocation cannot be saved: %(error)s") % {"error": error})
    else:
        messages.success(
            request,
            _("The allocation for %(year)s is saved as run #%(run)s.")
            % {"year": year, "run": run.pk},
        )
    return redirect("allocation", year=year)


@require_http_methods(["GET", "POST"])
@permission_required(perms.APPROVE_ALLOCATION)
def allocation_approve(request: HttpRequest, year: int, run_id: int) -> HttpResponse:
    """Approval as a confirmation: the run's open points, a tick box, then approve."""
    run = get_object_or_404(AllocationRun, pk=run_id, year=year)
    checklist = approval_checklist(run=run)
    form = ApproveForm(request.POST if request.method == "POST" else None)
    if not checklist:
        del form.fields["confirmed"]
    if request.method == "POST" and form.is_valid():
        try:
            allocation_run_approve(
                actor=Actor.of(request.user),
                run=run,
                confirmed=form.cleaned_data.get("confirmed", False),
            )
        except ApprovalError as error:
            form.add_error("confirmed" if checklist else None, str(error))
        else:
            messages.success(
                request, _("The allocation for %(year)s is approved and frozen.") % {"year": year}
            )
            return redirect(reverse("allocation", kwargs={"year": year}))
    return render(
        request,
        "financing/approve.html",
        {
            "run": run,
            "year": year,
            "checklist": checklist,
            "form": form,
            "trail": [
                (reverse("allocation", args=[year]), _("Allocation %(year)s") % {"year": year})
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.APPROVE_ALLOCATION)
def allocation_correction(request: HttpRequest, year: int) -> HttpResponse:
    """Correct an approved year: today's computation replaces it, with a reason."""
    agreement = _agreement_or_404(year)
    preview = correction_preview(agreement=agreement, year=year)
    if preview is None:
        raise Http404(_("%(year)s has no approved allocation.") % {"year": year})
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = allocation_correct(
                actor=Actor.of(request.user),
                agreement=agreement,
                year=year,
                reason=form.cleaned_data["reason"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except (ApprovalError, AllocationInputError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Allocation #%(run)s now replaces #%(old)s for %(year)s. Settle the year's "
                    "requests against it under Requests."
                )
                % {"run": run.pk, "old": preview.approved.pk, "year": year},
            )
            return redirect(reverse("allocation", kwargs={"year": year}))
    return render(
        request,
        "financing/correction.html",
        {
            "year": year,
            "preview": preview,
            "form": form,
            "trail": [
                (reverse("allocation", args=[year]), _("Allocation %(year)s") % {"year": year})
            ],
        },
    )


@require_GET
def allocation_history(request: HttpRequest, year: int) -> HttpResponse:
    if not request.user.has_perm(perms.VIEW_HISTORY, None):
        raise PermissionDenied
    agreement = _agreement_or_404(year)
    return render(
        request,
        "financing/history.html",
        {
            "agreement": agreement,
            "year": year,
            "tabs": _year_tabs(request, year, "history"),
            "entries": history_for(year=year)[:500],
        },
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def agreement_year(request: HttpRequest, year: int) -> HttpResponse:
    agreement = _agreement_or_404(year)
    return render(
        request,
        "financing/agreement_year.html",
        {
            "agreement": agreement,
            "year": year,
            "years": list(agreement.years()),
            "terms": agreement_year_terms(agreement=agreement, year=year),
            "tabs": _year_tabs(request, year, "terms"),
            "may_change": request.user.has_perm(perms.CHANGE_AGREEMENT),
        },
    )


def _edit_page(
    request: HttpRequest, year: int, form: object, heading: str, back: str
) -> HttpResponse:
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": heading,
            "back": back,
            "trail": [
                (reverse("agreement-year", args=[year]), _("Terms %(year)s") % {"year": year})
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_AGREEMENT)
def terms_edit(request: HttpRequest, year: int) -> HttpResponse:
    agreement = _agreement_or_404(year)
    terms = agreement_year_terms(agreement=agreement, year=year).terms
    initial = (
        {"office_amount_ore": terms.office_amount_ore, "lead_share_ore": terms.lead_share_ore}
        if terms
        else {}
    )
    form = TermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            terms_set(
                actor=Actor.of(request.user),
                agreement=agreement,
                year=year,
                office_amount_ore=form.cleaned_data["office_amount_ore"],
                lead_share_ore=form.cleaned_data["lead_share_ore"],
                reason=form.cleaned_data["reason"],
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The terms for %(year)s are saved.") % {"year": year})
            return redirect("agreement-year", year=year)
    back = reverse("agreement-year", args=[year])
    return _edit_page(request, year, form, _("Amounts %(year)s") % {"year": year}, back)


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_AGREEMENT)
def participation_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    agreement = _agreement_or_404(year)
    municipality = get_object_or_404(Municipality, code=code)
    current = agreement.participations.filter(municipality=municipality, year=year).first()
    initial = (
        {
            "participates": "1" if current.participates else "0",
            "basis": current.basis,
            "note": current.note,
        }
        if current
        else {"participates": "1", "basis": "fact"}
    )
    form = ParticipationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        participation_set(
            actor=Actor.of(request.user),
            agreement=agreement,
            municipality=municipality,
            years=[year],
            participates=form.cleaned_data["participates"],
            basis=form.cleaned_data["basis"],
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("The participation of %(name)s in %(year)s is saved.")
            % {"name": municipality.name, "year": year},
        )
        return redirect("agreement-year", year=year)
    heading = _("Participation of %(name)s in %(year)s") % {"name": municipality.name, "year": year}
    return _edit_page(request, year, form, heading, reverse("agreement-year", args=[year]))


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_AGREEMENT)
def collector_edit(request: HttpRequest, year: int) -> HttpResponse:
    """Who collects the municipal shares under the agreement covering `year`."""
    agreement = _agreement_or_404(year)
    form = CollectorForm(
        request.POST if request.method == "POST" else None,
        initial={
            "collector": agreement.collector,
            "basis": agreement.collector_basis,
            "note": agreement.collector_note,
        },
    )
    if submitted(
        request,
        form,
        lambda data: collector_set(actor=Actor.of(request.user), agreement=agreement, **data),
        refused=ValueError,
        success=_("Who collects the shares is saved."),
    ):
        return redirect("agreement-year", year=year)
    heading = _("Who collects under %(agreement)s") % {"agreement": agreement.name}
    return _edit_page(request, year, form, heading, reverse("agreement-year", args=[year]))


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_AGREEMENT)
def lead_edit(request: HttpRequest, year: int, office_id: int) -> HttpResponse:
    agreement = _agreement_or_404(year)
    office = get_object_or_404(ClusterOffice, pk=office_id)
    current = agreement.leads.filter(office=office, year=year).first()
    if current is None:
        raise Http404(_("The office is not financed in this year."))
    form = LeadForm(
        request.POST or None,
        initial={
            "municipality": current.municipality,
            "basis": current.basis if current.basis != "demo" else "assumption",
            "note": current.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead_set(
                actor=Actor.of(request.user),
                agreement=agreement,
                office=office,
                years=[year],
                municipality=form.cleaned_data["municipality"],
                basis=form.cleaned_data["basis"],
                note=form.cleaned_data["note"],
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The lead municipality of %(office)s in %(year)s is saved.")
                % {"office": office.name, "year": year},
            )
            return redirect("agreement-year", year=year)
    heading = _("Lead municipality of %(office)s in %(year)s") % {
        "office": office.name,
        "year": year,
    }
    return _edit_page(request, year, form, heading, reverse("agreement-year", args=[year]))


def _scenario_years() -> list[int]:
    return [year for agreement in Agreement.objects.all() for year in agreement.years()]


def _scenario_result(year: int, changes: Changes) -> tuple[ScenarioResult | None, str]:
    try:
        agreement = agreement_for_year(year=year)
        return scenario_compute(agreement=agreement, year=year, changes=changes), ""
    except (AgreementYearError, ScenarioError) as error:
        return None, str(error)
    except AllocationInputError as error:
        return None, _("The scenario cannot be computed: %(error)s") % {"error": error}


@require_http_methods(["GET", "POST"])
@permission_required(perms.VIEW_ALLOCATION)
def scenarios(request: HttpRequest) -> HttpResponse:
    """Try changes on a year (GET, for everyone); the secretariat saves them by name (POST)."""
    years = _scenario_years()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ScenarioForm(
        data, years=years, initial={"year": current_budget_year(today=timezone.localdate())}
    )
    save_form = ScenarioSaveForm(request.POST or None)
    result, problem = None, ""
    if form.is_bound and form.is_valid():
        result, problem = _scenario_result(form.cleaned_data["year"], form.changes())
        if request.method == "POST":
            if not request.user.has_perm(perms.CHANGE_AGREEMENT):
                raise PermissionDenied
            if result is not None and save_form.is_valid():
                try:
                    scenario = scenario_save(
                        actor=Actor.of(request.user),
                        agreement=agreement_for_year(year=form.cleaned_data["year"]),
                        year=form.cleaned_data["year"],
                        name=save_form.cleaned_data["name"],
                        changes=form.changes(),
                    )
                except ValueError as error:
                    save_form.add_error("name", str(error))
                else:
                    messages.success(request, _("The scenario is saved."))
                    return redirect("scenario-detail", pk=scenario.pk)
    elif request.method == "POST" and not request.user.has_perm(perms.CHANGE_AGREEMENT):
        raise PermissionDenied
    return render(
        request,
        "financing/scenarios.html",
        {
            "form": form,
            "save_form": save_form,
            "result": result,
            "problem": problem,
            "saved": Scenario.objects.select_related("agreement"),
            "may_save": request.user.has_perm(perms.CHANGE_AGREEMENT),
        },
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    result, problem = _scenario_result(scenario.year, Changes.from_json(scenario.changes))
    return render(
        request,
        "financing/scenario_detail.html",
        {
            "scenario": scenario,
            "result": result,
            "problem": problem,
            "trail": [(reverse("scenarios"), _("Scenarios"))],
        },
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def scenario_export(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    result, problem = _scenario_result(scenario.year, Changes.from_json(scenario.changes))
    if result is None:
        raise Http404(problem)
    heading = f"Scenarie '{scenario.name}' {scenario.year} mod grundlaget ({result.baseline_label})"
    response = HttpResponse(
        renderers.scenario_xlsx(result, heading=heading),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="scenarie-{scenario.pk}.xlsx"'
    return response
