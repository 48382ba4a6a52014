"""
Read-only admin for audited data.

The admin is the operators' back office (superusers only). Changes to
audited data go through the service functions, which write the audit
trail; so the admin may look at audited rows but never add, change or
delete them, and audit entries are read-only like everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from klynge.audit.models import AuditEntry


class ReadOnlyMixin:
    """Refuses add, change and delete in an admin or an inline."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Shows rows of an audited model; changes go through its services."""


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "actor_label", "reason"]
