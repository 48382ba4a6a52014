"""Register pages: the history and the actors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from klynge.common import perms
from klynge.common.perms import permission_required
from klynge.masterdata.selectors import organisation_list, partnership_list, timeline_list


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
