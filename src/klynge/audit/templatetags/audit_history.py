"""The history tables' template tag: a page of audit entries, ready to read."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from klynge.audit.models import AuditEntry
from klynge.audit.presentation import ShownEntry, shown_entries

register = template.Library()


@register.simple_tag
def shown_history(entries: Iterable[AuditEntry]) -> list[ShownEntry]:
    """`{% shown_history entries as rows %}`: labels and formatted values, ids resolved in bulk."""
    return shown_entries(entries)
