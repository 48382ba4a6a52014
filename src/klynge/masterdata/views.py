"""Register pages: the history and the actors; population figures from Statistics Denmark."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.perms import permission_required
from klynge.masterdata.forms import PopulationFetchForm
from klynge.masterdata.models import FetchStatus, Partnership, PopulationFetch
from klynge.masterdata.selectors import (
    changes_total,
    organisation_list,
    partnership_list,
    population_changes,
    population_fetch_list,
    timeline_list,
)
from klynge.masterdata.services import (
    KKR_SJAELLAND_KEY,
    FetchError,
    population_fetch_record,
    population_fetch_store,
)
from klynge.masterdata.statbank import (
    WEB_ATTEMPTS,
    WEB_TIMEOUT_SECONDS,
    StatbankError,
    fetch_folk1a,
)


@require_GET
@permission_required(perms.VIEW_REGISTER)
def timeline(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "masterdata/timeline.html",
        {
            "events": timeline_list(),
            "organisations": organisation_list(),
            "partnerships": partnership_list(),
        },
    )


def _fetch_trail() -> list[tuple[str, str]]:
    return [(reverse("population-edit"), _("Population figure"))]


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_REGISTER)
def population_fetch(request: HttpRequest) -> HttpResponse:
    """
    Fetch a quarter's FOLK1A figures from Statistics Denmark (first step).

    A checked answer is kept as a fetch awaiting confirmation and shown on its
    own page; nothing of the register changes here. A refused answer, a
    timeout or no connection is told on the form.
    """
    form = PopulationFetchForm(
        request.POST or None,
        initial={"quarter": f"{timezone.localdate().year}K1", "partnership": KKR_SJAELLAND_KEY},
    )
    if request.method == "POST" and form.is_valid():
        partnership: Partnership = form.cleaned_data["partnership"]
        municipalities = dict(partnership.members.values_list("code", "name"))
        try:
            answer = fetch_folk1a(
                municipalities=municipalities,
                quarter=form.cleaned_data["quarter"],
                attempts=WEB_ATTEMPTS,
                timeout=WEB_TIMEOUT_SECONDS,
            )
            fetch = population_fetch_record(
                actor=Actor.of(request.user), partnership=partnership, answer=answer
            )
        except (StatbankError, FetchError) as error:
            form.add_error(None, str(error))
        else:
            return redirect("population-fetch-detail", pk=fetch.pk)
    return render(
        request,
        "masterdata/population_fetch.html",
        {
            "form": form,
            "heading": _("Population from Statistics Denmark"),
            "trail": _fetch_trail(),
            "fetches": population_fetch_list(),
        },
    )


@require_GET
@permission_required(perms.CHANGE_REGISTER)
def population_fetch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A fetch's figures beside the stored ones; a pending fetch can be stored from here."""
    fetch = get_object_or_404(PopulationFetch.objects.select_related("partnership"), pk=pk)
    changes = population_changes(
        partnership=fetch.partnership, reference_date=fetch.reference_date, figures=fetch.figures
    )
    total = changes_total(changes)
    return render(
        request,
        "masterdata/population_fetch_detail.html",
        {
            "fetch": fetch,
            "heading": _("FOLK1A {quarter}").format(quarter=fetch.quarter),
            "trail": [*_fetch_trail(), (reverse("population-fetch"), _("Statistics Denmark"))],
            "changes": changes,
            "changed": sum(1 for c in changes if c.changed),
            "stored_total": total.stored,
            "fetched_total": total.fetched,
            "total_difference": total.difference,
            "pending": fetch.status == FetchStatus.PENDING,
        },
    )


@require_POST
@permission_required(perms.CHANGE_REGISTER)
def population_fetch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Store a pending fetch's figures as a new version (audited); only once."""
    fetch = get_object_or_404(PopulationFetch, pk=pk)
    try:
        population_fetch_store(actor=Actor.of(request.user), fetch_id=fetch.pk)
    except FetchError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The population figures of {table} {quarter} are stored as a new version.").format(
                table=fetch.table, quarter=fetch.quarter
            ),
        )
    return redirect("population-fetch-detail", pk=fetch.pk)
