"""
Names of the permissions every interface asks for.

The rules behind them live in `klynge.accounts.permissions`; views, admin,
commands and the API only ask `user.has_perm(NAME, obj)`, so they never
repeat a rule. Object permissions take the object as the second argument.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

VIEW_MUNICIPALITY = "klynge.view_municipality"  # object: Municipality
VIEW_OFFICE = "klynge.view_office"  # object: ClusterOffice
VIEW_HISTORY = "klynge.view_history"  # object: Municipality, ClusterOffice or None (all)
LEAD_OFFICE = "klynge.lead_office"  # object: ClusterOffice
VIEW_ALLOCATION = "klynge.view_allocation"
VIEW_REGISTER = "klynge.view_register"
VIEW_PERSONAL_DATA = "klynge.view_personal_data"
RUN_ALLOCATION = "klynge.run_allocation"
APPROVE_ALLOCATION = "klynge.approve_allocation"
CHANGE_AGREEMENT = "klynge.change_agreement"
MANAGE_USERS = "klynge.manage_users"
VIEW_AUDIT_LOG = "klynge.view_audit_log"
MANAGE_COLLECTION = "klynge.manage_collection"  # make, send, cancel requests; register payments
VIEW_REQUEST = "klynge.view_request"  # object: PaymentRequest
REGISTER_PAYMENT = "klynge.register_payment"  # object: PaymentRequest (the secretariat: any)
EDIT_PAYEE = "klynge.edit_payee"  # object: the collecting Municipality or ClusterOffice
COLLECT_FOR = "klynge.collect_for"  # object: Municipality; its lead-municipality users
VIEW_REQUESTS = "klynge.view_requests"  # the requests page (filtered to what the user may see)
IMPORT_PARTICIPATIONS = "klynge.import_participations"  # object: ClusterOffice, or None (any)
VIEW_CONTACTS = "klynge.view_contacts"  # object: ClusterOffice whose contacts, or None (any)
HAS_START_PAGE = "klynge.has_start_page"  # a start page of its own, not the Overblik
CHANGE_REGISTER = "klynge.change_register"  # population figures, grants' missing fields
# Result contracts and the yearly follow-up (issue 13).
VIEW_CONTRACTS = "klynge.view_contracts"  # the contract and follow-up pages (filtered)
VIEW_CONTRACT = "klynge.view_contract"  # object: Contract (its document too)
MANAGE_CONTRACTS = "klynge.manage_contracts"  # contracts, documents, KPI sets, targets
MANAGE_FOLLOW_UP = "klynge.manage_follow_up"  # open rounds, move deadlines, send reminders
VIEW_OFFICE_REPORT = "klynge.view_office_report"  # object: OfficeReport
ENTER_RESULTS = "klynge.enter_results"  # object: OfficeReport (its office's users)
REVIEW_RESULTS = "klynge.review_results"  # object: OfficeReport (its lead municipality's users)
REOPEN_RESULTS = "klynge.reopen_results"  # object: OfficeReport; ask for a new version
MAKE_ANNUAL_REPORT = "klynge.make_annual_report"  # generate and publish the report to KKR
VIEW_PUBLISHED = "klynge.view_published"  # the published reports and their dashboards

ViewFunc = Callable[..., HttpResponse]


def permission_required(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    """Refuse the view with 403 unless the user has `perm` (no object)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
