"""Reads of the audit trail: an object's history and the searchable log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from klynge.audit.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    """What the secretariat searches the log for; empty fields match everything."""

    text: str = ""
    model: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_search(criteria: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching every given criterion, newest first."""
    entries = AuditEntry.objects.all()
    if criteria.text:
        entries = entries.filter(
            Q(object_repr__icontains=criteria.text)
            | Q(reason__icontains=criteria.text)
            | Q(actor_label__icontains=criteria.text)
        )
    if criteria.model:
        entries = entries.filter(model=criteria.model)
    if criteria.actor:
        entries = entries.filter(actor_label=criteria.actor)
    if criteria.date_from:
        entries = entries.filter(at__date__gte=criteria.date_from)
    if criteria.date_to:
        entries = entries.filter(at__date__lte=criteria.date_to)
    return entries


def audit_models() -> list[str]:
    """Every model label that has entries, for the search form."""
    return sorted(AuditEntry.objects.values_list("model", flat=True).distinct())


def history_for(
    *,
    municipality_code: str = "",
    office_id: int | None = None,
    year: int | None = None,
    model: str = "",
    object_pk: str = "",
) -> QuerySet[AuditEntry]:
    """The entries about one municipality, office, year or row, newest first."""
    entries = AuditEntry.objects.all()
    if model:
        entries = entries.filter(model=model, object_pk=object_pk)
    if municipality_code:
        entries = entries.filter(municipality_code=municipality_code)
    if office_id is not None:
        entries = entries.filter(office_id=office_id)
    if year is not None:
        entries = entries.filter(year=year)
    return entries
