"""
Resultatkontrakter and Opfølgning: the contracts, their KPI sets and documents,
the yearly follow-up rounds and each office's report.

Every view is thin: it asks the permission (403 for a function the role
lacks, 404 for another tenant's object), reads through the selectors and
writes through one service. A service's ContractError is shown in the form's
error summary, one line per problem, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.perms import permission_required
from klynge.common.views import submitted, visible_or_404
from klynge.contracts import selectors, services
from klynge.contracts.forms import (
    ClusterContractForm,
    DeadlineForm,
    DocumentForm,
    IndicatorForm,
    NewVersionForm,
    OfficeContractForm,
    ReportForm,
    ReviewForm,
    RoundForm,
    SignForm,
    TargetsForm,
)
from klynge.contracts.models import (
    Contract,
    ContractDocument,
    ContractKind,
    ContractStatus,
    FollowUpRound,
    Indicator,
    OfficeReport,
    ReportStatus,
)
from klynge.contracts.services import ContractError, ContractInput, EnteredResult, IndicatorInput
from klynge.core import kpi
from klynge.core.money import format_megabytes

KIND_SLUGS = {"kontor": ContractKind.OFFICE, "klynge": ContractKind.CLUSTER}
FORMS = {ContractKind.OFFICE: OfficeContractForm, ContractKind.CLUSTER: ClusterContractForm}


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(request.user)


def _contracts_trail() -> list[tuple[str, str]]:
    return [(reverse("contract-list"), _("Result contracts"))]


def _contract_trail(contract: Contract) -> list[tuple[str, str]]:
    return [*_contracts_trail(), (reverse("contract-detail", args=[contract.pk]), contract.title)]


def _contract_or_404(request: HttpRequest, pk: int) -> Contract:
    """The contract, or 404 if it is missing or another tenant's."""
    return visible_or_404(
        request,
        Contract.objects.select_related(
            "office", "cluster", "lead_municipality", "counterparty", "agreement", "replaces"
        ),
        perms.VIEW_CONTRACT,
        pk=pk,
    )


def _refuse(form: forms.Form, error: ContractError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


# --- contracts -------------------------------------------------------------------------


@require_GET
@permission_required(perms.VIEW_CONTRACTS)
def contract_list(request: HttpRequest) -> HttpResponse:
    """The contracts the user may see: all, or an office's own and its cluster's."""
    contracts = [
        c for c in selectors.contract_list() if request.user.has_perm(perms.VIEW_CONTRACT, c)
    ]
    return render(request, "contracts/contract_list.html", {"contracts": contracts})


@require_GET
@permission_required(perms.VIEW_CONTRACTS)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    years = list(contract.years())
    rows = [
        (row, [row.target_text(year) for year in years])
        for row in selectors.indicator_rows(contract=contract)
    ]
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "documents": selectors.contract_documents(contract=contract),
            "rows": rows,
            "years": years,
            "draft": contract.status == ContractStatus.DRAFT,
            "signed": contract.status == ContractStatus.SIGNED,
            "trail": _contracts_trail(),
        },
    )


def _contract_input(kind: str, data: dict[str, Any]) -> ContractInput:
    return ContractInput(
        kind=kind,
        title=data["title"],
        first_year=data["first_year"],
        last_year=data["last_year"],
        office=data.get("office"),
        cluster=data.get("cluster"),
        lead_municipality=data.get("lead_municipality"),
        counterparty=data.get("counterparty"),
        agreement=data.get("agreement"),
        met_percent=data["met_percent"],
        partly_percent=data["partly_percent"],
        note=data["note"],
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def contract_new(request: HttpRequest, kind: str) -> HttpResponse:
    """A new draft contract: an office's ('kontor') or a cluster's ('klynge')."""
    if kind not in KIND_SLUGS:
        raise Http404
    contract_kind = KIND_SLUGS[kind]
    form = FORMS[contract_kind](request.POST or None)
    created: list[Contract] = []

    def write(data: dict[str, Any]) -> None:
        created.append(
            services.contract_create(
                actor=_actor(request), data=_contract_input(contract_kind, data)
            )
        )

    if submitted(
        request, form, write, refused=ContractError, success=_("The contract is created.")
    ):
        return redirect("contract-detail", pk=created[0].pk)
    heading = (
        _("New result contract for an office")
        if contract_kind == ContractKind.OFFICE
        else _("New result contract for a cluster with UFS")
    )
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": heading,
            "intro": _(
                "The contract starts as a draft with the previous contract's indicators "
                "(an office's first contract gets the default set)."
            ),
            "back": reverse("contract-list"),
            "trail": _contracts_trail(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft's parties, period and thresholds (a signed contract is frozen)."""
    contract = _contract_or_404(request, pk)
    form_class = FORMS[ContractKind(contract.kind)]
    form = form_class(request.POST or None, initial=form_class.initial_from(contract))
    return _contract_form(
        request,
        contract,
        form,
        lambda data: services.contract_update(
            actor=_actor(request), contract=contract, data=_contract_input(contract.kind, data)
        ),
        success=_("The contract is saved."),
        heading=_("Edit %(title)s") % {"title": contract.title},
        intro=_frozen_text(contract),
    )


def _frozen_text(contract: Contract) -> str | None:
    """Why a contract that is no longer a draft cannot be changed; None for a draft."""
    if contract.status == ContractStatus.DRAFT:
        return None
    return _(
        "The contract is %(status)s and cannot be changed; make a new contract that replaces it."
    ) % {"status": contract.get_status_display().lower()}


def _contract_form(
    request: HttpRequest,
    contract: Contract,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    success: str,
    **page: Any,
) -> HttpResponse:
    """Store a valid form through `write` and go to the contract, or show the form."""
    if submitted(request, form, write, refused=ContractError, success=success):
        return redirect("contract-detail", pk=contract.pk)
    return _edit_page(request, form, contract=contract, **page)


def _edit_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    heading: str,
    contract: Contract,
    intro: str | None = None,
    submit_label: str | None = None,
    after: str | None = None,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": heading,
            "intro": intro,
            "submit_label": submit_label,
            "after": after,
            "back": reverse("contract-detail", args=[contract.pk]),
            "trail": _contract_trail(contract),
            "contract": contract,
            **extra,
        },
    )


def _read_upload(upload: Any, limit: int) -> bytes | None:
    """The uploaded file's bytes, read in chunks; None once they pass `limit`."""
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > limit:
            return None
    return bytes(data)


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def contract_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the signed contract as a PDF (checked by its content, capped in size)."""
    # A body over the contract's limit never gets here: RequestBodyLimitMiddleware
    # answers 413 first (KLYNGE_UPLOAD_URL_NAMES names this URL).
    contract = _contract_or_404(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    limit = int(settings.KLYNGE_CONTRACT_MAX_BYTES)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = _read_upload(upload, limit) if upload.size <= limit else None
        if data is None:
            form.add_error(
                "file",
                _("The file is %(size)s MB; a contract may be at most %(limit)s MB.")
                % {"size": format_megabytes(upload.size), "limit": format_megabytes(limit)},
            )
        else:
            try:
                services.document_upload(
                    actor=_actor(request), contract=contract, file_name=upload.name, data=data
                )
            except ContractError as error:
                _refuse(form, error)
            else:
                messages.success(request, _("The document is uploaded."))
                return redirect("contract-detail", pk=contract.pk)
    return _edit_page(
        request,
        form,
        heading=_("Upload the signed contract"),
        contract=contract,
        intro=_("A PDF of at most %(limit)s MB. It is stored with its SHA-256 checksum.")
        % {"limit": format_megabytes(limit)},
        submit_label=_("Upload"),
    )


@require_GET
@permission_required(perms.VIEW_CONTRACTS)
def contract_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """The signed PDF, from the database, to those who may see the contract."""
    contract = _contract_or_404(request, pk)
    document = get_object_or_404(ContractDocument, contract=contract, pk=document_id)
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=document.file_name) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a draft signed, with the date and the contract it replaces, if any."""
    contract = _contract_or_404(request, pk)
    form = SignForm(request.POST or None, contract=contract)
    return _contract_form(
        request,
        contract,
        form,
        lambda data: services.contract_sign(
            actor=_actor(request),
            contract=contract,
            signed_on=data["signed_on"],
            replaces=data["replaces"],
        ),
        success=_("The contract is marked signed."),
        heading=_("Mark %(title)s signed") % {"title": contract.title},
        intro=_frozen_text(contract),
        submit_label=_("Mark signed"),
    )


@require_POST
@permission_required(perms.MANAGE_CONTRACTS)
def contract_expire(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a signed contract whose period has ended expired."""
    contract = _contract_or_404(request, pk)
    try:
        services.contract_expire(actor=_actor(request), contract=contract)
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The contract is marked expired."))
    return redirect("contract-detail", pk=contract.pk)


# --- indicators ------------------------------------------------------------------------


def _indicator_or_404(request: HttpRequest, pk: int, indicator_id: int) -> Indicator:
    contract = _contract_or_404(request, pk)
    return get_object_or_404(
        Indicator.objects.select_related("contract"), contract=contract, pk=indicator_id
    )


def _indicator_input(data: dict[str, Any]) -> IndicatorInput:
    return IndicatorInput(
        key=data["key"],
        name=data["name"],
        kind=data["kind"],
        direction=data["direction"],
        source=data["source"],
        unit=data["unit"],
        definition=data["definition"],
        baseline=data["baseline"],
        position=data["position"] or 0,
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    form = IndicatorForm(request.POST or None)
    return _contract_form(
        request,
        contract,
        form,
        lambda data: services.indicator_save(
            actor=_actor(request), contract=contract, data=_indicator_input(data)
        ),
        success=_("The indicator is added."),
        heading=_("New indicator"),
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def indicator_edit(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    indicator = _indicator_or_404(request, pk, indicator_id)
    contract = indicator.contract
    form = IndicatorForm(request.POST or None, initial=IndicatorForm.initial_from(indicator))
    return _contract_form(
        request,
        contract,
        form,
        lambda data: services.indicator_save(
            actor=_actor(request),
            contract=contract,
            data=_indicator_input(data),
            indicator=indicator,
        ),
        success=_("The indicator is saved."),
        heading=_("Edit the indicator %(name)s") % {"name": indicator.name},
        after="contracts/indicator_delete.html",
        indicator=indicator,
    )


@require_POST
@permission_required(perms.MANAGE_CONTRACTS)
def indicator_delete(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    indicator = _indicator_or_404(request, pk, indicator_id)
    try:
        services.indicator_delete(actor=_actor(request), indicator=indicator)
    except ContractError as error:
        messages.error(request, str(error))
        return redirect("indicator-edit", pk=pk, indicator_id=indicator_id)
    messages.success(request, _("The indicator is deleted."))
    return redirect("contract-detail", pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_CONTRACTS)
def indicator_targets(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    """The indicator's target for each year of the period, typed as Danes type them."""
    indicator = _indicator_or_404(request, pk, indicator_id)
    contract = indicator.contract
    (line,) = [
        row for row in selectors.indicator_rows(contract=contract) if row.indicator == indicator
    ]
    kind = indicator.core_kind
    typed = {year: kpi.typed_value(kind, value) for year, value in line.targets.items()}
    form = TargetsForm(request.POST or None, indicator=indicator, targets=typed)
    return _contract_form(
        request,
        contract,
        form,
        lambda _data: services.targets_set(
            actor=_actor(request), indicator=indicator, targets=form.targets()
        ),
        success=_("The targets are saved."),
        heading=_("Targets for %(name)s") % {"name": indicator.name},
        intro=_("An empty field removes the year's target."),
    )


# --- the yearly follow-up --------------------------------------------------------------


def _rounds_trail() -> list[tuple[str, str]]:
    return [(reverse("round-list"), _("Follow-up"))]


def _visible_overview(request: HttpRequest, follow_up: FollowUpRound) -> selectors.RoundOverview:
    """The round's rows the user may see: an office its own, the municipalities all."""
    overview = selectors.round_overview(follow_up=follow_up, today=timezone.localdate())
    overview.rows = [
        row for row in overview.rows if request.user.has_perm(perms.VIEW_OFFICE_REPORT, row.report)
    ]
    return overview


def _counts(overview: selectors.RoundOverview) -> list[tuple[str, int]]:
    return [(selectors.STATE_DA[state], overview.count(state)) for state in selectors.ReportState]


@require_GET
@permission_required(perms.VIEW_CONTRACTS)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = [(r, _counts(_visible_overview(request, r))) for r in selectors.round_list()]
    return render(
        request,
        "contracts/round_list.html",
        {"rounds": rounds, "states": [selectors.STATE_DA[s] for s in selectors.ReportState]},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_FOLLOW_UP)
def round_new(request: HttpRequest) -> HttpResponse:
    """Open a year's follow-up: one report to fill in per office contract in force."""
    form = RoundForm(request.POST or None)
    opened: list[int] = []

    def write(data: dict[str, Any]) -> None:
        opened.append(services.round_open(actor=_actor(request), **data).year)

    if submitted(request, form, write, refused=ContractError, success=_("The round is opened.")):
        return redirect("round-detail", year=opened[0])
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": _("Open a follow-up round"),
            "submit_label": _("Open the round"),
            "back": reverse("round-list"),
            "trail": _rounds_trail(),
        },
    )


def _round_or_404(year: int) -> FollowUpRound:
    try:
        return selectors.round_get(year=year)
    except FollowUpRound.DoesNotExist:
        raise Http404 from None


@require_GET
@permission_required(perms.VIEW_CONTRACTS)
def round_detail(request: HttpRequest, year: int) -> HttpResponse:
    """Each office's current report in the round, where it stands, and what is missing."""
    overview = _visible_overview(request, _round_or_404(year))
    return render(
        request,
        "contracts/round_detail.html",
        {"overview": overview, "counts": _counts(overview), "trail": _rounds_trail()},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_FOLLOW_UP)
def round_deadline(request: HttpRequest, year: int) -> HttpResponse:
    follow_up = _round_or_404(year)
    form = DeadlineForm(request.POST or None, initial={"deadline": follow_up.deadline})
    if submitted(
        request,
        form,
        lambda data: services.round_change_deadline(
            actor=_actor(request), follow_up=follow_up, deadline=data["deadline"]
        ),
        refused=ContractError,
        success=_("The deadline is moved."),
    ):
        return redirect("round-detail", year=year)
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": _("Move the deadline of the follow-up %(year)s") % {"year": year},
            "back": reverse("round-detail", args=[year]),
            "trail": [*_rounds_trail(), (reverse("round-detail", args=[year]), str(year))],
        },
    )


# --- an office's report ----------------------------------------------------------------


def _report_or_404(request: HttpRequest, pk: int) -> OfficeReport:
    """The report, or 404 if it is missing or another office's."""
    try:
        report = selectors.report_get(pk=pk)
    except OfficeReport.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm(perms.VIEW_OFFICE_REPORT, report):
        raise Http404
    return report


def _report_page(
    request: HttpRequest,
    report: OfficeReport,
    *,
    entry: ReportForm | None = None,
    review: forms.Form | None = None,
    new_version: forms.Form | None = None,
) -> HttpResponse:
    user = request.user
    rows = selectors.result_rows(report=report)
    may_enter = user.has_perm(perms.ENTER_RESULTS, report) and report.editable
    if entry is None and may_enter:
        entry = ReportForm(initial={"narrative": report.narrative}, rows=rows)
    if review is None and report.status == ReportStatus.SUBMITTED:
        review = ReviewForm() if user.has_perm(perms.REVIEW_RESULTS, report) else None
    if new_version is None and report.status == ReportStatus.APPROVED:
        new_version = NewVersionForm() if user.has_perm(perms.REOPEN_RESULTS, report) else None
    year = report.round.year
    return render(
        request,
        "contracts/report_detail.html",
        {
            "report": report,
            "state": selectors.STATE_DA[selectors.report_state(report, timezone.localdate())],
            "rows": rows,
            "kpi_counts": [
                (kpi.STATUS_DA[status], count)
                for status, count in selectors.status_counts(rows).items()
            ],
            "entries": _entries(report, entry) if entry is not None else [],
            "entry": entry,
            "review": review,
            "new_version": new_version,
            "versions": selectors.report_versions(report=report),
            "trail": [*_rounds_trail(), (reverse("round-detail", args=[year]), str(year))],
        },
    )


def _entries(report: OfficeReport, form: ReportForm) -> list[tuple[Any, ...]]:
    """Each indicator's fields, with the register's value shown for a computed one."""
    computed = services.computed_values(report)
    return [
        (
            row,
            value,
            comment,
            kpi.format_value(
                row.indicator.core_kind,
                computed.get(row.indicator.source),
                unit=row.indicator.unit,
            )
            if row.indicator.computed
            else "",
        )
        for row, value, comment in form.entries()
    ]


@require_http_methods(["GET", "POST"])
@permission_required(perms.VIEW_CONTRACTS)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report against its targets; its office saves or submits it here (POST)."""
    report = _report_or_404(request, pk)
    if request.method != "POST":
        return _report_page(request, report)
    if not request.user.has_perm(perms.ENTER_RESULTS, report):
        raise PermissionDenied
    form = ReportForm(request.POST, rows=selectors.result_rows(report=report))
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        results = {
            pk: EnteredResult(value=value, comment=comment)
            for pk, (value, comment) in form.results().items()
        }
        try:
            services.report_enter(
                actor=_actor(request), report=report, narrative=form.cleaned_data["narrative"],
                results=results, submit=submit,
            )  # fmt: skip
        except ContractError as error:
            _refuse(form, error)
        else:
            messages.success(
                request,
                _("The report is sent for approval.") if submit else _("The report is saved."),
            )
            return redirect("report-detail", pk=report.pk)
    return _report_page(request, report, entry=form)


def _report_action(
    request: HttpRequest,
    pk: int,
    perm: str,
    form_class: type[forms.Form],
    write: Callable[[OfficeReport, dict[str, Any]], object],
    success: str,
    form_name: str,
) -> HttpResponse:
    report = _report_or_404(request, pk)
    if not request.user.has_perm(perm, report):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(report, form.cleaned_data)
        except ContractError as error:
            _refuse(form, error)
        else:
            messages.success(request, success)
            return redirect("report-detail", pk=report.pk)
    if form_name == "review":
        return _report_page(request, report, review=form)
    return _report_page(request, report, new_version=form)


@require_POST
@permission_required(perms.VIEW_CONTRACTS)
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead municipality approves the report, or asks for changes with a comment."""
    approve = request.POST.get("decision") == "approve"
    return _report_action(
        request,
        pk,
        perms.REVIEW_RESULTS,
        ReviewForm,
        lambda report, data: services.report_review(
            actor=_actor(request), report=report, approve=approve, comment=data["comment"]
        ),
        _("The report is approved.") if approve else _("The office is asked for changes."),
        "review",
    )


@require_POST
@permission_required(perms.VIEW_CONTRACTS)
def report_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen an approved report as a new version, with the reason."""
    new: list[OfficeReport] = []

    def write(report: OfficeReport, data: dict[str, Any]) -> None:
        new.append(
            services.report_new_version(actor=_actor(request), report=report, reason=data["reason"])
        )

    response = _report_action(
        request,
        pk,
        perms.REOPEN_RESULTS,
        NewVersionForm,
        write,
        _("A new version is opened."),
        "new_version",
    )
    return redirect("report-detail", pk=new[0].pk) if new else response
