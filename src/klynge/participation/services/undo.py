"""
Undoing a stored batch: its participations and the rows it created go, the rows
it changed get their values back, exactly; refused while later batches or edits
build on it.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klynge.audit.models import Action
from klynge.audit.services import Actor, record, snapshot
from klynge.common.db import analyze
from klynge.participation.imports import chunks
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    ContactPerson,
    ExporterYear,
    ImportBatch,
    ImportChange,
    ImportStatus,
    Participant,
)
from klynge.participation.services.batches import BatchError, batch_state, locked
from klynge.participation.services.imports import FILLED

MODELS: dict[str, type[models.Model]] = {
    "participant": Participant, "activity": Activity, "exporteryear": ExporterYear,
    "contactperson": ContactPerson,
}  # fmt: skip
UNDO_ORDER = ("contactperson", "exporteryear", "activity", "participant")


def undo_blockers(batch: ImportBatch) -> list[str]:
    """Why `batch` cannot be undone now (empty: it can): later batches or edits on its rows."""
    changes = list(batch.changes.all())
    by_model: dict[str, list[int]] = {}
    for change in changes:
        by_model.setdefault(change.model, []).append(change.object_pk)
    touched = {model_name: list(pks) for model_name, pks in by_model.items()}
    touched.setdefault("exporteryear", []).extend(
        ExporterYear.objects.filter(batch=batch).values_list("pk", flat=True)
    )
    later: set[int] = set()
    for model_name, pks in touched.items():
        for chunk in chunks(pks):
            later.update(
                ImportChange.objects.filter(
                    model=model_name, object_pk__in=chunk,
                    batch__status=ImportStatus.COMMITTED, batch__pk__gt=batch.pk,
                ).values_list("batch_id", flat=True)
            )  # fmt: skip
    reasons = [
        _("Batch %(pk)s changed the same rows later; undo it first.") % {"pk": pk}
        for pk in sorted(later)
    ]
    created = {(c.model, c.object_pk) for c in changes if c.created}
    users: set[int | None] = set()
    for field_name, model_name in (("participant_id", "participant"), ("activity_id", "activity")):
        pks = [pk for model, pk in created if model == model_name]
        for chunk in chunks(pks):
            users.update(
                ActivityParticipation.objects.exclude(batch=batch)
                .filter(**{f"{field_name}__in": chunk})
                .values_list("batch_id", flat=True)
            )
    for other in sorted(users - later, key=lambda pk: pk or 0):
        reasons.append(
            _("Batch %(pk)s uses rows this batch created; undo it first.") % {"pk": other}
            if other is not None
            else _("Participations stored outside an import use rows this batch created.")
        )
    if reasons:
        return reasons
    for model_name, pks in by_model.items():
        current = {}
        for chunk in chunks(pks):
            current.update(MODELS[model_name]._default_manager.in_bulk(chunk))
        for change in (c for c in changes if c.model == model_name):
            row = current.get(change.object_pk)
            if row is None or snapshot(row) != change.after:
                return [_("A row this batch stored has been changed since (%(row)s).")
                        % {"row": f"{change.model} {change.object_pk}"}]  # fmt: skip
    return []


def _restore(row: models.Model, values: dict[str, Any]) -> None:
    for model_field in row._meta.concrete_fields:
        if model_field.attname in values and not model_field.primary_key:
            setattr(row, model_field.attname, model_field.to_python(values[model_field.attname]))
    row.save()


@transaction.atomic
def import_undo(*, actor: Actor, batch: ImportBatch, reason: str = "") -> ImportBatch:
    """
    Take a stored batch out: its participations and the rows it created go, the
    rows it changed get their values back, exactly.

    :raises BatchError: if the batch is not stored, or later batches or
        edits build on it (the message says which)
    """
    batch = locked(batch)
    if batch.status != ImportStatus.COMMITTED:
        raise BatchError(_("Only a stored batch can be undone."))
    if blockers := undo_blockers(batch):
        raise BatchError(" ".join(blockers))
    before = batch_state(batch)
    ActivityParticipation.objects.filter(batch=batch).delete()
    ExporterYear.objects.filter(batch=batch).delete()
    changes = list(batch.changes.all())
    for model_name in UNDO_ORDER:
        model = MODELS[model_name]
        mine = [c for c in changes if c.model == model_name]
        for chunk in chunks([c.object_pk for c in mine if c.created]):
            model._default_manager.filter(pk__in=chunk).delete()
        rows = model._default_manager.in_bulk([c.object_pk for c in mine if not c.created])
        # in_bulk chunks its own IN list on backends with a parameter limit
        for change in mine:
            if not change.created:
                _restore(rows[change.object_pk], change.before or {})
    batch.status = ImportStatus.UNDONE
    batch.undone_at = timezone.now()
    batch.undone_label = actor.label[:150]
    batch.save()
    record(actor=actor, action=Action.UPDATE, instance=batch, before=before,
           after=batch_state(batch), reason=reason, office_id=batch.office_id)  # fmt: skip
    analyze(*FILLED)
    return batch
