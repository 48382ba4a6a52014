"""
System check: the admin shows audited rows read-only.

Changes to audited data go through the services, which write the audit trail;
an admin (or inline) that could add, change or delete such rows would bypass it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.core import checks
from django.db.models import Model

from klynge.audit.admin import ReadOnlyMixin
from klynge.audit.registry import is_audited


def admin_errors(site: AdminSite) -> list[checks.Error]:
    """An error for every admin or inline of `site` that may write an audited model."""
    errors = []
    for model, model_admin in site._registry.items():
        shown: list[tuple[type[Model], type[Any]]] = [(model, type(model_admin))]
        shown += [(inline.model, inline) for inline in model_admin.inlines]
        for shown_model, admin_class in shown:
            if is_audited(shown_model) and not issubclass(admin_class, ReadOnlyMixin):
                errors.append(
                    checks.Error(
                        f"{admin_class.__qualname__} lets the admin write the audited model "
                        f"{shown_model._meta.label}.",
                        hint="Derive it from klynge.audit.admin.ReadOnlyAdmin or ReadOnlyInline.",
                        obj=admin_class,
                        id="klynge_audit.E001",
                    )
                )
    return errors


@checks.register(checks.Tags.admin)
def audited_models_are_read_only_in_the_admin(**kwargs: Any) -> list[checks.Error]:
    return admin_errors(admin.site)
