"""The secretariat's searchable audit log (read-only: there is no edit or delete)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from klynge.audit.forms import AuditSearchForm
from klynge.audit.selectors import AuditFilter, audit_models, audit_search
from klynge.common import perms
from klynge.common.perms import permission_required

PAGE_SIZE = 100


@require_GET
@permission_required(perms.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None, models=audit_models())
    criteria = AuditFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        criteria = AuditFilter(
            text=data["text"],
            model=data["model"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    page = Paginator(audit_search(criteria), PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "entries": page.object_list, "query": query.urlencode()},
    )
