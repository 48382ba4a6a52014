"""Start page per role, Overblik, municipality and office pages, and their history."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from klynge.accounts.models import MUNICIPALITY_ROLES, Role
from klynge.accounts.permissions import profile_of, role_of
from klynge.audit.models import AuditEntry
from klynge.audit.selectors import history_for
from klynge.audit.services import Actor
from klynge.collection.selectors import request_list
from klynge.common import perms
from klynge.common.params import query_code
from klynge.common.perms import permission_required
from klynge.common.templatetags.dk import dk_date
from klynge.common.views import visible_or_404
from klynge.contracts.reminders import report_path
from klynge.contracts.selectors import DueItem, ReportState, follow_up_due
from klynge.financing.selectors import (
    YearAllocation,
    allocation_for_year,
    current_budget_year,
    population_change_effects,
)
from klynge.funding.selectors import office_funding
from klynge.masterdata.forms import PopulationForm
from klynge.masterdata.models import ClusterOffice, Municipality, PopulationFigure
from klynge.masterdata.selectors import (
    cluster_list,
    municipality_list,
    office_list,
    visible_municipality_codes,
)
from klynge.masterdata.services import PopulationError, population_set
from klynge.participation.selectors import (
    observation_list,
    office_reach,
    reach_by_municipality,
)
from klynge.web.maps import DEFAULT_MEASURE, MEASURES, REACH_MEASURES, municipality_map
from klynge.web.selectors import (
    lead_offices,
    municipality_bills,
    municipality_payments,
    municipality_reach_years,
    office_financing,
    office_leads,
    quality_report,
    year_allocations,
)

_Yearly = TypeVar("_Yearly")


def _current(allocations: list[YearAllocation], year: int) -> YearAllocation | None:
    return next((a for a in allocations if a.year == year), None)


def _current_year() -> int:
    return current_budget_year(today=timezone.localdate())


def _newest_first(years: list[_Yearly]) -> list[_Yearly]:
    """A page's years with the latest first (the selectors give the oldest first)."""
    return sorted(years, key=_year_of, reverse=True)


def _year_of(item: Any) -> int:
    return int(item.allocation.year if hasattr(item, "allocation") else item.year)


def _visible_codes(request: HttpRequest) -> set[str]:
    return visible_municipality_codes(request.user)


def _tabs(
    request: HttpRequest, obj: Municipality | ClusterOffice, page: str, history: str, current: str
) -> list[tuple[str, str, bool]]:
    args = [obj.code if isinstance(obj, Municipality) else obj.pk]
    tabs = [(reverse(page, args=args), _("Details"), current == "page")]
    if request.user.has_perm(perms.VIEW_HISTORY, obj):
        tabs.append((reverse(history, args=args), _("History"), current == "history"))
    return tabs


STATE_LABELS = {
    ReportState.DUE: gettext_lazy("Awaiting the office"),
    ReportState.LATE: gettext_lazy("Late"),
    ReportState.CHANGES: gettext_lazy("Changes requested"),
    ReportState.REVIEW: gettext_lazy("Awaiting review"),
}


def _follow_up(
    request: HttpRequest, items: list[DueItem], *, heading: str, empty: str
) -> dict[str, Any]:
    """The start page's box of open follow-up reports the user may see, counted by state."""
    shown = [i for i in items if request.user.has_perm(perms.VIEW_OFFICE_REPORT, i.report)]
    states = sorted({i.state for i in shown}, key=list(STATE_LABELS).index)
    return {
        "heading": heading,
        "empty": empty,
        "counts": [(STATE_LABELS[s], sum(1 for i in shown if i.state is s)) for s in states],
        "rows": [
            {
                "report": i.report,
                "state": STATE_LABELS[i.state],
                "late": i.state is ReportState.LATE,
                "url": report_path(i.report.pk),
            }
            for i in shown
        ],
    }


def _start_follow_up(request: HttpRequest) -> dict[str, Any] | None:
    """What the user's start page shows of the follow-up, by role; None: nothing."""
    role = role_of(request.user)
    profile = profile_of(request.user)
    today = timezone.localdate()
    if role == Role.SECRETARIAT and request.user.has_perm(perms.MANAGE_FOLLOW_UP):
        return _follow_up(
            request, follow_up_due(today=today), heading=_("Follow-up of the result contracts"),
            empty=_("No office report is open."),
        )  # fmt: skip
    if role == Role.OFFICE and profile is not None and profile.office_id is not None:
        return _follow_up(
            request, follow_up_due(today=today, office_ids=[profile.office_id]),
            heading=_("Your follow-up reports"), empty=_("No report of yours is open."),
        )  # fmt: skip
    if role == Role.LEAD_MUNICIPALITY and profile is not None and profile.municipality_id:
        items = follow_up_due(today=today, lead_municipality_id=profile.municipality_id)
        return _follow_up(
            request, [i for i in items if i.state is ReportState.REVIEW],
            heading=_("Reports awaiting your review"),
            empty=_("No report awaits your review."),
        )  # fmt: skip
    return None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page of the user's role: a municipality sees what it pays and gets."""
    role = role_of(request.user)
    profile = profile_of(request.user)
    if role in MUNICIPALITY_ROLES and profile is not None and profile.municipality:
        return _municipality_page(request, profile.municipality, start=True)
    if role == Role.OFFICE and profile is not None and profile.office:
        return _office_page(request, profile.office, start=True)
    if role is None:
        return render(request, "web/no_role.html", status=403)
    return redirect("overview")


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def overview(request: HttpRequest) -> HttpResponse:
    year = _current_year()
    allocations = year_allocations()
    shown = _current(allocations, year)
    quality = quality_report(shown=allocations)
    measure = request.GET.get("maal", DEFAULT_MEASURE)
    reach = (
        {r.code: r for r in reach_by_municipality(year=year, allocation=shown)}
        if measure in REACH_MEASURES
        else None
    )
    the_map = (
        municipality_map(
            table=shown.table, measure=measure, linked_codes=_visible_codes(request), reach=reach
        )
        if shown and shown.table
        else None
    )
    return render(
        request,
        "web/overview.html",
        {
            "year": year,
            "shown": shown,
            "allocations": allocations,
            "offices": [o for o in office_list() if request.user.has_perm(perms.VIEW_OFFICE, o)],
            "missing_count": len(quality.missing),
            "assumed_count": len(quality.assumed),
            "map": the_map,
            "measures": [(key, label) for key, (label, _kind) in MEASURES.items()],
            "follow_up": _start_follow_up(request),
        },
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def municipality_index(request: HttpRequest) -> HttpResponse:
    year = _current_year()
    shown = allocation_for_year(year=year)
    return render(
        request,
        "web/municipality_list.html",
        {
            "rows": municipality_bills(municipalities=list(municipality_list()), shown=shown),
            "year": year,
            "shown": shown,
            "visible_codes": _visible_codes(request),
        },
    )


def _municipality_or_404(request: HttpRequest, code: str) -> Municipality:
    return visible_or_404(request, municipality_list(), perms.VIEW_MUNICIPALITY, code=code)


def _municipality_page(
    request: HttpRequest, municipality: Municipality, *, start: bool = False
) -> HttpResponse:
    allocations = year_allocations()
    payments = _newest_first(
        municipality_payments(municipality=municipality, allocations=allocations)
    )
    led = [
        (office, _newest_first(office_financing(office=office, allocations=allocations)))
        for office in lead_offices(municipality=municipality)
        if request.user.has_perm(perms.LEAD_OFFICE, office)
    ]
    bills = [
        bill
        for bill in request_list(municipality_code=municipality.code, today=timezone.localdate())
        if request.user.has_perm(perms.VIEW_REQUEST, bill.request)
    ]
    return render(
        request,
        "web/municipality_detail.html",
        {
            "municipality": municipality,
            "payments": [p for p in payments if not p.problems],
            "blocked_payments": [p for p in payments if p.problems],
            "start": start,
            "follow_up": _start_follow_up(request) if start else None,
            "led_offices": led,
            "reach": municipality_reach_years(
                municipality=municipality, allocations=allocations, bills=bills
            ),
            "bills": bills,
            "visible_codes": _visible_codes(request),
            "trail": [(reverse("municipality-list"), _("Municipalities"))],
            "tabs": _tabs(
                request, municipality, "municipality-detail", "municipality-history", "page"
            ),
        },
    )


@require_GET
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _municipality_page(request, _municipality_or_404(request, code))


def _history_page(
    request: HttpRequest,
    obj: Municipality | ClusterOffice,
    *,
    name: str,
    trail: tuple[str, str],
    entries: QuerySet[AuditEntry],
    tabs: list[tuple[str, str, bool]],
) -> HttpResponse:
    """The Historik tab of `obj`: 403 unless the user may see its history."""
    if not request.user.has_perm(perms.VIEW_HISTORY, obj):
        raise PermissionDenied
    return render(
        request,
        "web/object_history.html",
        {"object_name": name, "trail": [trail], "entries": entries[:500], "tabs": tabs},
    )


@require_GET
def municipality_history(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality_or_404(request, code)
    return _history_page(
        request,
        municipality,
        name=_("%(name)s Municipality") % {"name": municipality.name},
        trail=(reverse("municipality-list"), _("Municipalities")),
        entries=history_for(municipality_code=municipality.code),
        tabs=_tabs(request, municipality, "municipality-detail", "municipality-history", "history"),
    )


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def office_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/office_list.html",
        {
            "offices": [o for o in office_list() if request.user.has_perm(perms.VIEW_OFFICE, o)],
            "clusters": cluster_list(),
        },
    )


def _office_or_404(request: HttpRequest, pk: int) -> ClusterOffice:
    return visible_or_404(request, office_list(), perms.VIEW_OFFICE, pk=pk)


def _office_page(
    request: HttpRequest, office: ClusterOffice, *, start: bool = False
) -> HttpResponse:
    allocations = year_allocations()
    return render(
        request,
        "web/office_detail.html",
        {
            "office": office,
            "start": start,
            "follow_up": _start_follow_up(request) if start else None,
            "leads": office_leads(office=office),
            "reach": office_reach(office=office, allocations=allocations),
            "financing": _newest_first(office_financing(office=office, allocations=allocations)),
            "blocked_years": _newest_first([a for a in allocations if a.table is None]),
            "funding": _newest_first(
                office_funding(office=office, allocations=allocations, today=timezone.localdate())
            ),
            "visible_codes": _visible_codes(request),
            "trail": [(reverse("office-list"), _("Cluster offices"))],
            "tabs": _tabs(request, office, "office-detail", "office-history", "page"),
        },
    )


@require_GET
def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_page(request, _office_or_404(request, pk))


@require_GET
def office_history(request: HttpRequest, pk: int) -> HttpResponse:
    office = _office_or_404(request, pk)
    return _history_page(
        request,
        office,
        name=office.name,
        trail=(reverse("office-list"), _("Cluster offices")),
        entries=history_for(office_id=office.pk),
        tabs=_tabs(request, office, "office-detail", "office-history", "history"),
    )


@require_GET
@permission_required(perms.VIEW_REGISTER)
def data_quality(request: HttpRequest) -> HttpResponse:
    quality = quality_report()
    may_fix = request.user.has_perm(perms.CHANGE_REGISTER)
    # The secretariat decides where offices' files differ from what another office registered.
    observations, observation_count = observation_list() if may_fix else ([], 0)
    return render(
        request,
        "web/data_quality.html",
        {
            "groups": [
                ("missing", _("Missing"), quality.missing),
                ("assumed", _("Assumptions and changes"), quality.assumed),
            ],
            "may_fix": may_fix,
            "observations": observations,
            "more_observations": observation_count - len(observations),
        },
    )


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (tilgængelighedserklæring); open to everyone."""
    return render(request, "web/accessibility.html")


def _population_initial(request: HttpRequest) -> dict[str, object]:
    """The form's start values from ?kommune=CODE&dato=ÅÅÅÅ-MM-DD (bounded; bad ones ignored)."""
    initial: dict[str, object] = {"source_read_on": timezone.localdate()}
    code = query_code(request.GET.get("kommune"))
    if code:
        initial["municipality"] = code
    when = request.GET.get("dato", "")[:10]
    if len(when) == 10:
        initial["reference_date"] = when
    return initial


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_REGISTER)
def population_edit(request: HttpRequest) -> HttpResponse:
    """
    Add or correct a population figure in two steps: check, then store.

    The first POST shows the stored figure beside the new one and what it
    changes in every budget year that uses its date; only the confirming POST
    stores it (audited).
    """
    form = PopulationForm(request.POST or None, initial=_population_initial(request))
    heading = _("Population figure")
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        data = form.cleaned_data
        if request.POST.get("confirm") == "1":
            try:
                figure = population_set(actor=Actor.of(request.user), **data)
            except PopulationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The population of %(name)s on %(date)s is saved.")
                    % {"name": figure.municipality.name, "date": dk_date(figure.reference_date)},
                )
                return redirect("municipality-detail", code=figure.municipality.code)
        else:
            current = PopulationFigure.objects.filter(
                municipality=data["municipality"], reference_date=data["reference_date"]
            ).first()
            return render(
                request,
                "web/population_confirm.html",
                {
                    "form": form,
                    "heading": heading,
                    "data": data,
                    "current": current,
                    "effects": population_change_effects(
                        municipality=data["municipality"],
                        reference_date=data["reference_date"],
                        population=data["population"],
                    ),
                },
            )
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": heading,
            "back": reverse("data-quality"),
            "intro": _(
                "Add a missing figure or correct one. Before anything is stored you see the "
                "figure stored today beside the new one, and whose shares change."
            ),
            "submit_label": _("Check the change"),
            "after": "masterdata/population_fetch_link.html",
        },
    )
