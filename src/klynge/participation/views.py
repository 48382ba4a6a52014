"""Deltagelse: reach per municipality and office, the lists behind it, and file imports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.params import query_code, query_id, query_text, query_year
from klynge.common.perms import permission_required
from klynge.financing.selectors import allocation_for_year, current_budget_year
from klynge.masterdata.models import ClusterOffice
from klynge.masterdata.selectors import municipality_list, office_list
from klynge.participation import renderers
from klynge.participation.forms import UploadForm
from klynge.participation.imports import COLUMNS
from klynge.participation.models import (
    Activity,
    ContactPerson,
    ImportBatch,
    ImportStatus,
    Participant,
)
from klynge.participation.privacy import may_see_personal_data, shown, shown_all
from klynge.participation.selectors import (
    ActivityFilter,
    ParticipantFilter,
    activity_get,
    activity_list,
    activity_participants,
    activity_years,
    batch_list,
    exporter_change,
    internationalisation,
    participant_activities,
    participant_get,
    participant_list,
    reach_by_municipality,
    reach_by_office,
)
from klynge.participation.services import (
    BatchError,
    UndoBlocker,
    import_check,
    import_commit,
    import_discard,
    import_max_bytes,
    import_undo,
    too_large_message,
)
from klynge.participation.summary import summary_lines

PAGE_SIZE = 50
PROBLEMS_SHOWN = 500


def _year(request: HttpRequest, years: list[int]) -> int:
    year = query_year(request.GET.get("aar"))
    if year is not None:
        return year
    return years[0] if years else current_budget_year(today=timezone.localdate())


@require_GET
@permission_required(perms.VIEW_REGISTER)
def reach(request: HttpRequest) -> HttpResponse:
    """Rækkevidde: companies reached per municipality and per office in a year."""
    years = activity_years()
    year = _year(request, years)
    allocation = allocation_for_year(year=year)
    municipalities = reach_by_municipality(year=year, allocation=allocation)
    return render(
        request,
        "participation/reach.html",
        {
            "year": year,
            "years": sorted(set(years) | {year}, reverse=True),
            "municipalities": municipalities,
            "total_companies": sum(m.companies for m in municipalities),
            "any_demo": any(m.demo for m in municipalities),
            "offices": reach_by_office(year=year, allocation=allocation),
            "exporters": exporter_change(year=year),
            "international": internationalisation(year=year),
            "allocation": allocation,
            "can_import": request.user.has_perm(perms.IMPORT_PARTICIPATIONS),
        },
    )


def _participant_filter(query: QueryDict) -> ParticipantFilter:
    return ParticipantFilter(
        year=query_year(query.get("aar")),
        municipality=query_code(query.get("kommune")),
        office_id=query_id(query.get("kontor")),
        sme=query.get("smv") == "1",
        international=query.get("international") == "1",
        companies_only=query.get("virksomheder") == "1",
        became_exporter=query.get("ny_eksportoer") == "1",
        search=query_text(query.get("q")),
    )


def _list_page(
    request: HttpRequest,
    template: str,
    rows: QuerySet[Any],
    filters: ParticipantFilter | ActivityFilter,
) -> HttpResponse:
    """A filtered list, a page at a time, with the choices of its filter form."""
    query = request.GET.copy()
    query.pop("side", None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("side"))
    if isinstance(filters, ParticipantFilter) and not filters.personal_data:
        page.object_list = shown_all(page.object_list, personal=False)
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "municipalities": municipality_list(),
            "offices": office_list(),
            "years": activity_years(),
            "trail": [(reverse("reach"), _("Reach"))],
        },
    )


@require_GET
@permission_required(perms.VIEW_REGISTER)
def participants(request: HttpRequest) -> HttpResponse:
    personal = may_see_personal_data(request.user)
    filters = replace(_participant_filter(request.GET), personal_data=personal)
    return _list_page(
        request, "participation/participants.html", participant_list(filters), filters
    )


@require_GET
@permission_required(perms.VIEW_REGISTER)
def participants_export(request: HttpRequest, fmt: str) -> HttpResponse:
    personal = may_see_personal_data(request.user)
    filters = replace(_participant_filter(request.GET), personal_data=personal)
    rows = shown_all(participant_list(filters), personal=personal)
    if fmt == "csv":
        response = HttpResponse(renderers.participants_csv(rows), content_type=renderers.CSV_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(renderers.participants_xlsx(rows), content_type=renderers.XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="deltagere.{fmt}"'
    return response


def _visible_contacts(
    request: HttpRequest, contacts: QuerySet[ContactPerson]
) -> list[ContactPerson]:
    """The contacts the user may see: the secretariat all, an office its own; others none."""
    if not request.user.has_perm(perms.VIEW_CONTACTS):
        return []
    return [c for c in contacts if request.user.has_perm(perms.VIEW_CONTACTS, c.office)]


@require_GET
@permission_required(perms.VIEW_REGISTER)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        participant = participant_get(pk=pk)
    except Participant.DoesNotExist as error:
        raise Http404 from error
    contacts = participant.contacts.select_related("office").order_by("name")
    return render(
        request,
        "participation/participant_detail.html",
        {
            "participant": shown(participant, personal=may_see_personal_data(request.user)),
            "participations": participant_activities(participant=participant),
            "exporter_years": participant.exporter_years.order_by("year"),
            "contacts": _visible_contacts(request, contacts),
            "may_see_contacts": request.user.has_perm(perms.VIEW_CONTACTS),
            "trail": [(reverse("reach"), _("Reach")), (reverse("participants"), _("Participants"))],
        },
    )


@require_GET
@permission_required(perms.VIEW_REGISTER)
def activities(request: HttpRequest) -> HttpResponse:
    filters = ActivityFilter(
        year=query_year(request.GET.get("aar")),
        municipality=query_code(request.GET.get("kommune")),
        office_id=query_id(request.GET.get("kontor")),
    )
    return _list_page(request, "participation/activities.html", activity_list(filters), filters)


@require_GET
@permission_required(perms.VIEW_REGISTER)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        activity = activity_get(pk=pk)
    except Activity.DoesNotExist as error:
        raise Http404 from error
    personal = may_see_personal_data(request.user)
    return render(
        request,
        "participation/activity_detail.html",
        {
            "activity": activity,
            "participations": [
                (row, shown(row.participant, personal=personal))
                for row in activity_participants(activity=activity)
            ],
            "trail": [(reverse("reach"), _("Reach")), (reverse("activities"), _("Activities"))],
        },
    )


# --- imports ----------------------------------------------------------------------------


def _import_offices(request: HttpRequest) -> list[ClusterOffice]:
    return [o for o in office_list() if request.user.has_perm(perms.IMPORT_PARTICIPATIONS, o)]


@require_http_methods(["GET", "POST"])
@permission_required(perms.IMPORT_PARTICIPATIONS)
def imports(request: HttpRequest) -> HttpResponse:
    """The batches the user may see, and the upload of a new file (checked, not stored)."""
    # A body over the limit never gets here: RequestBodyLimitMiddleware answers
    # 413 before anything reads it (KLYNGE_UPLOAD_URL_NAMES names this URL).
    offices = _import_offices(request)
    form = UploadForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > import_max_bytes():
            form.add_error("file", too_large_message(upload.size))
        else:
            batch = import_check(
                actor=Actor.of(request.user),
                office=form.cleaned_data["office"],
                file_name=upload.name,
                data=upload.read(),
            )
            return redirect("import-detail", pk=batch.pk)
    every = len(offices) == office_list().count()
    office_ids = None if every else [o.pk for o in offices]
    return render(
        request,
        "participation/imports.html",
        {
            "form": form,
            "batches": batch_list(office_ids=office_ids)[:100],
            "columns": COLUMNS,
            "limit_mb": import_max_bytes() // 1_000_000,
            "trail": [(reverse("reach"), _("Reach"))],
        },
    )


def _visible_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    """The batch, or 404 if it is missing or of an office the user may not import for."""
    batch = get_object_or_404(ImportBatch.objects.select_related("office"), pk=pk)
    if not request.user.has_perm(perms.IMPORT_PARTICIPATIONS, batch.office):
        raise Http404
    return batch


@require_GET
@permission_required(perms.IMPORT_PARTICIPATIONS)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The validation report of a batch, and what storing it would change."""
    batch = _visible_or_404(request, pk)
    return _detail(request, batch)


def _detail(
    request: HttpRequest, batch: ImportBatch, blockers: list[UndoBlocker] | None = None
) -> HttpResponse:
    accepted = [d for d in batch.differences if not d.get("kept")]
    kept = [d for d in batch.differences if d.get("kept")]
    return render(
        request,
        "participation/import_detail.html",
        {
            "batch": batch,
            "problems": batch.problems[:PROBLEMS_SHOWN],
            "more_problems": max(0, len(batch.problems) - PROBLEMS_SHOWN),
            "differences": accepted[:PROBLEMS_SHOWN],
            "more_differences": max(0, len(accepted) - PROBLEMS_SHOWN),
            "kept": kept[:PROBLEMS_SHOWN],
            "more_kept": max(0, len(kept) - PROBLEMS_SHOWN),
            "summary": summary_lines(batch.summary) if batch.summary else [],
            "blockers": [(blocker, _blocker_link(request, blocker)) for blocker in blockers or []],
            "trail": [(reverse("reach"), _("Reach")), (reverse("imports"), _("Imports"))],
        },
    )


def _blocker_link(request: HttpRequest, blocker: UndoBlocker) -> str:
    """The blocking batch's page, if the user may see it (else the message names the office)."""
    if blocker.batch_id is None or blocker.office_id is None:
        return ""
    office = ClusterOffice(pk=blocker.office_id)
    if not request.user.has_perm(perms.IMPORT_PARTICIPATIONS, office):
        return ""
    return reverse("import-detail", args=[blocker.batch_id])


def _batch_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    batch = _visible_or_404(request, pk)
    actor = Actor.of(request.user)
    try:
        if action == "commit":
            accept = request.POST.get("accept_changes") == "1"
            import_commit(actor=actor, batch=batch, accept_changes=accept)
            messages.success(request, _("The file is stored."))
        elif action == "discard":
            import_discard(actor=actor, batch=batch)
            messages.success(request, _("The file is discarded; nothing was stored."))
        else:
            import_undo(
                actor=actor,
                batch=batch,
                reason=query_text(request.POST.get("reason"), max_length=300),
            )
            messages.success(request, _("The import is undone."))
    except BatchError as error:
        if error.blockers:  # the page lists them, with a link to each the user may see
            return _detail(request, batch, error.blockers)
        messages.error(request, str(error))
    return redirect("import-detail", pk=batch.pk)


@require_POST
@permission_required(perms.IMPORT_PARTICIPATIONS)
def import_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, "commit")


@require_POST
@permission_required(perms.IMPORT_PARTICIPATIONS)
def import_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, "discard")


@require_POST
@permission_required(perms.IMPORT_PARTICIPATIONS)
def import_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, "undo")


@require_GET
@permission_required(perms.IMPORT_PARTICIPATIONS)
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of a batch as a CSV file (the page shows the first 500)."""
    batch = _visible_or_404(request, pk)
    if batch.status != ImportStatus.REFUSED:
        raise Http404
    response = HttpResponse(renderers.problems_csv(batch.problems), content_type=renderers.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="fejl-indlaesning-{batch.pk}.csv"'
    return response


@require_GET
@permission_required(perms.VIEW_REGISTER)
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(renderers.template_csv(), content_type=renderers.CSV_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(renderers.template_xlsx(), content_type=renderers.XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="deltagere-skabelon.{fmt}"'
    return response
