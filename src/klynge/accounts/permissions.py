"""
Who may do what: the rules behind the names in `klynge.common.perms`.

| permission            | sekretariat | kommune | leadkommune          | klyngekontor | læser |
|-----------------------|-------------|---------|----------------------|--------------|-------|
| view_municipality(m)  | all         | own     | own                  | -            | all   |
| view_office(o)        | all         | all     | all                  | own          | all   |
| view_history(x)       | all         | own m.  | own m., led offices  | own office   | -     |
| lead_office(o)        | -           | -       | offices it leads     | -            | -     |
| view_allocation       | yes         | yes     | yes                  | yes          | yes   |
| view_register         | yes         | yes     | yes                  | yes          | yes   |
| view_personal_data    | yes         | yes     | yes                  | yes          | -     |
| view_request(r)       | all         | own     | own, and those it collects | -      | -     |
| register_payment(r)   | all         | -       | those it collects    | -            | -     |
| edit_payee(m or o)    | all         | -       | own municipality     | -            | -     |
| collect_for(m)        | -           | -       | own municipality     | -            | -     |
| import_participations(o) | all      | -       | -                    | own          | -     |
| view_contacts(o)      | all         | -       | -                    | own office's | -     |
| view_contracts        | yes         | yes     | yes                  | yes          | -     |
| view_contract(c)      | all         | all     | all                  | own, its cluster's | - |
| view_office_report(r) | all         | all     | all                  | own office's | -     |
| enter_results(r)      | -           | -       | -                    | own office's | -     |
| review_results(r)     | -           | -       | its contract's lead  | -            | -     |
| reopen_results(r)     | all         | -       | its contract's lead  | own office's | -     |
| view_published        | yes         | yes     | yes                  | yes          | yes   |
| run/approve_allocation, change_agreement, manage_users, view_audit_log,
  manage_collection, manage_contracts, manage_follow_up, make_annual_report:
  sekretariat only |

A municipality pays for every office, so municipality users see every
office; an office sees only itself. The reader (politicians, the public)
sees published figures and no personal data, so no history (it names users).
"""

from __future__ import annotations

from typing import Any

import rules

from klynge.accounts.models import MUNICIPALITY_ROLES, Profile, Role
from klynge.collection.models import PaymentRequest
from klynge.common import perms
from klynge.contracts.models import Contract, OfficeReport
from klynge.financing.models import OfficeLead
from klynge.masterdata.models import ClusterOffice, Municipality


def profile_of(user: Any) -> Profile | None:
    """
    The user's profile with its municipality and office, cached on the user object.

    The user object lives for one request (AuthenticationMiddleware loads it
    anew each time), so a changed role or binding counts from the next
    request; every rule and the header read it from here. None without one.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_klynge_profile"):
        if user.__class__.profile.is_cached(user):  # loaded with the user (accounts.backends)
            user._klynge_profile = getattr(user, "profile", None)
        else:
            user._klynge_profile = (
                Profile.objects.select_related("municipality", "office").filter(user=user).first()
            )
    profile: Profile | None = user._klynge_profile
    return profile


def role_of(user: Any) -> Role | None:
    """The user's role; a superuser without a profile counts as the secretariat."""
    profile = profile_of(user)
    if profile is not None and user.is_active:
        return Role(profile.role)
    if getattr(user, "is_superuser", False) and user.is_active:
        return Role.SECRETARIAT
    return None


@rules.predicate
def is_secretariat(user: Any) -> bool:
    return role_of(user) == Role.SECRETARIAT


@rules.predicate
def is_reader(user: Any) -> bool:
    return role_of(user) == Role.READER


@rules.predicate
def is_municipality_user(user: Any) -> bool:
    return role_of(user) in MUNICIPALITY_ROLES


@rules.predicate
def is_office_user(user: Any) -> bool:
    return role_of(user) == Role.OFFICE


@rules.predicate
def has_role(user: Any) -> bool:
    return role_of(user) is not None


def _bound_id(user: Any, roles: frozenset[Role], field: str) -> int | None:
    """The id in the user's profile `field` if the user has one of `roles`, else None."""
    profile = profile_of(user)
    if profile is None or role_of(user) not in roles:
        return None
    bound: int | None = getattr(profile, field)
    return bound


@rules.predicate
def is_own_municipality(user: Any, obj: Any) -> bool:
    return (
        isinstance(obj, Municipality)
        and _bound_id(user, MUNICIPALITY_ROLES, "municipality_id") == obj.pk
    )


@rules.predicate
def is_own_office(user: Any, obj: Any) -> bool:
    return (
        isinstance(obj, ClusterOffice)
        and _bound_id(user, frozenset({Role.OFFICE}), "office_id") == obj.pk
    )


@rules.predicate
def leads_office(user: Any, obj: Any) -> bool:
    """A lead-municipality user whose municipality leads `obj` in some year."""
    if not isinstance(obj, ClusterOffice):
        return False
    municipality_id = _bound_id(user, frozenset({Role.LEAD_MUNICIPALITY}), "municipality_id")
    return (
        municipality_id is not None
        and OfficeLead.objects.filter(office=obj, municipality_id=municipality_id).exists()
    )


@rules.predicate
def is_office(user: Any, obj: Any) -> bool:
    return isinstance(obj, ClusterOffice)


everyone = has_role
staff_of_an_organisation = has_role & ~is_reader

rules.add_perm(perms.VIEW_MUNICIPALITY, is_secretariat | is_reader | is_own_municipality)
rules.add_perm(
    perms.VIEW_OFFICE,
    is_secretariat | is_reader | (is_municipality_user & is_office) | is_own_office,
)
rules.add_perm(
    perms.VIEW_HISTORY, is_secretariat | is_own_municipality | is_own_office | leads_office
)
rules.add_perm(perms.LEAD_OFFICE, leads_office)
rules.add_perm(perms.VIEW_ALLOCATION, everyone)
rules.add_perm(perms.VIEW_REGISTER, everyone)
rules.add_perm(perms.VIEW_PERSONAL_DATA, staff_of_an_organisation)
rules.add_perm(perms.HAS_START_PAGE, is_municipality_user | is_office_user)


@rules.predicate
def is_own_request(user: Any, obj: Any) -> bool:
    """A municipality user's own municipality's payment request."""
    return (
        isinstance(obj, PaymentRequest)
        and _bound_id(user, MUNICIPALITY_ROLES, "municipality_id") == obj.municipality_id
    )


@rules.predicate
def works_for_office(user: Any, obj: Any) -> bool:
    """An office user: for `obj`, only if it is the user's own office; without one, any."""
    if obj is None:
        return role_of(user) == Role.OFFICE and profile_of(user) is not None
    return bool(is_own_office(user, obj))


@rules.predicate
def collects_request(user: Any, obj: Any) -> bool:
    """A lead-municipality user whose municipality collects a line of the request."""
    if not isinstance(obj, PaymentRequest):
        return False
    municipality_id = _bound_id(user, frozenset({Role.LEAD_MUNICIPALITY}), "municipality_id")
    return municipality_id is not None and any(
        line.payee_municipality_id == municipality_id for line in obj.lines.all()
    )


@rules.predicate
def is_own_lead_municipality(user: Any, obj: Any) -> bool:
    return (
        isinstance(obj, Municipality)
        and _bound_id(user, frozenset({Role.LEAD_MUNICIPALITY}), "municipality_id") == obj.pk
    )


@rules.predicate
def contract_of_own_office(user: Any, obj: Any) -> bool:
    """An office user's own office's contract, or its cluster's contract with UFS."""
    if not isinstance(obj, Contract):
        return False
    profile = profile_of(user)
    if profile is None or role_of(user) != Role.OFFICE or profile.office is None:
        return False
    if obj.office_id is not None:
        return obj.office_id == profile.office_id
    return obj.cluster_id == profile.office.cluster_id


@rules.predicate
def report_of_own_office(user: Any, obj: Any) -> bool:
    return (
        isinstance(obj, OfficeReport)
        and _bound_id(user, frozenset({Role.OFFICE}), "office_id") == obj.contract.office_id
    )


@rules.predicate
def reviews_report(user: Any, obj: Any) -> bool:
    """A lead-municipality user whose municipality is the report's contract party."""
    return (
        isinstance(obj, OfficeReport)
        and obj.contract.lead_municipality_id is not None
        and _bound_id(user, frozenset({Role.LEAD_MUNICIPALITY}), "municipality_id")
        == obj.contract.lead_municipality_id
    )


@rules.predicate
def is_contract(user: Any, obj: Any) -> bool:
    return isinstance(obj, Contract)


@rules.predicate
def is_office_report(user: Any, obj: Any) -> bool:
    return isinstance(obj, OfficeReport)


rules.add_perm(perms.VIEW_CONTRACTS, staff_of_an_organisation)
rules.add_perm(
    perms.VIEW_CONTRACT,
    (is_secretariat & is_contract) | (is_municipality_user & is_contract) | contract_of_own_office,
)
rules.add_perm(
    perms.VIEW_OFFICE_REPORT,
    ((is_secretariat | is_municipality_user) & is_office_report) | report_of_own_office,
)
rules.add_perm(perms.ENTER_RESULTS, report_of_own_office)
rules.add_perm(perms.REVIEW_RESULTS, reviews_report)
rules.add_perm(
    perms.REOPEN_RESULTS,
    (is_secretariat & is_office_report) | report_of_own_office | reviews_report,
)
rules.add_perm(perms.VIEW_PUBLISHED, everyone)
rules.add_perm(perms.VIEW_REQUEST, is_secretariat | is_own_request | collects_request)
rules.add_perm(perms.REGISTER_PAYMENT, is_secretariat | collects_request)
rules.add_perm(perms.EDIT_PAYEE, is_secretariat | is_own_lead_municipality)
rules.add_perm(perms.COLLECT_FOR, is_own_lead_municipality)
rules.add_perm(perms.IMPORT_PARTICIPATIONS, is_secretariat | works_for_office)
rules.add_perm(perms.VIEW_CONTACTS, is_secretariat | works_for_office)
rules.add_perm(perms.VIEW_REQUESTS, is_secretariat | is_municipality_user)
for name in (
    perms.RUN_ALLOCATION,
    perms.APPROVE_ALLOCATION,
    perms.CHANGE_AGREEMENT,
    perms.MANAGE_USERS,
    perms.VIEW_AUDIT_LOG,
    perms.MANAGE_COLLECTION,
    perms.CHANGE_REGISTER,
    perms.MANAGE_CONTRACTS,
    perms.MANAGE_FOLLOW_UP,
    perms.MAKE_ANNUAL_REPORT,
):
    rules.add_perm(name, is_secretariat)
