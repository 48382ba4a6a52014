"""
Undoing a stored batch: its participations and the rows it created go, the rows
it changed get their values back, exactly; refused while later batches or edits
build on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klynge.audit.models import Action
from klynge.audit.services import Actor, record, snapshot
from klynge.common.db import analyze
from klynge.core.dates import format_datetime
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
    ParticipantObservation,
)
from klynge.participation.services.batches import BatchError, batch_state, locked
from klynge.participation.services.imports import FILLED

MODELS: dict[str, type[models.Model]] = {
    "participant": Participant, "activity": Activity, "exporteryear": ExporterYear,
    "contactperson": ContactPerson,
}  # fmt: skip
UNDO_ORDER = ("contactperson", "exporteryear", "activity", "participant")


@dataclass(frozen=True)
class UndoBlocker:
    """
    What keeps a batch from being undone now, said so the user can act on it.

    `batch_id` is the batch that builds on it (None for an edit outside an
    import); `office_id` and `office_name` say whose it is, so a page can link
    to a batch the user may see and name the office to contact otherwise.
    """

    message: str
    batch_id: int | None = None
    office_id: int | None = None
    office_name: str = ""
    file_name: str = ""
    stored_at: datetime | None = None

    def __str__(self) -> str:
        return self.message


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    language = "en" if translation.get_language() == "en" else "da"
    return format_datetime(timezone.localtime(moment), language=language)


def _blocker(batch: ImportBatch, other: ImportBatch, *, changed: bool) -> UndoBlocker:
    """A later batch that builds on `batch`: which, whose, and what to do about it."""
    names = {"pk": other.pk, "file": other.file_name, "date": _when(other.committed_at),
             "office": other.office.name}  # fmt: skip
    if other.office_id == batch.office_id:
        message = (
            _("Batch %(pk)s (%(file)s, stored %(date)s) changed the same rows later; "
              "undo it first.")
            if changed
            else _("Batch %(pk)s (%(file)s, stored %(date)s) uses rows this batch created; "
                   "undo it first.")
        ) % names  # fmt: skip
    else:
        message = (
            _("Batch %(pk)s of %(office)s (%(file)s, stored %(date)s) changed the same rows "
              "later; ask %(office)s to undo it first.")
            if changed
            else _("Batch %(pk)s of %(office)s (%(file)s, stored %(date)s) uses rows this batch "
                   "created; ask %(office)s to undo it first.")
        ) % names  # fmt: skip
    return UndoBlocker(message, other.pk, other.office_id, other.office.name, other.file_name,
                       other.committed_at)  # fmt: skip


def handed_over(batch: ImportBatch) -> dict[int, tuple[int, int]]:
    """
    The participants `batch` created that another office's stored batches use now.

    They are that office's data too, so undoing `batch` keeps them and hands them
    to the earliest such batch: {participant id: (its office id, its batch id)}.
    That batch then counts as having created the participant, so undoing it in
    turn removes the participant, unless yet another office uses it.
    """
    created = list(
        batch.changes.filter(model="participant", created=True).values_list("object_pk", flat=True)
    )
    users: dict[int, tuple[int, int]] = {}
    for chunk in chunks(created):
        for participant_id, office_id, batch_id in (
            ActivityParticipation.objects.filter(
                participant_id__in=chunk, batch__status=ImportStatus.COMMITTED
            )
            .exclude(batch__office_id=batch.office_id)
            .order_by("-batch_id")
            .values_list("participant_id", "batch__office_id", "batch_id")
        ):
            users[participant_id] = (office_id, batch_id)  # the earliest batch comes last
    return users


def undo_blockers(batch: ImportBatch) -> list[UndoBlocker]:
    """
    Why `batch` cannot be undone now (empty: it can): later batches or edits on its rows.

    Another office's batch that only uses a participant this batch created
    blocks nothing: the participant is kept for it (`handed_over`).
    """
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
    created = {(c.model, c.object_pk) for c in changes if c.created}
    users: set[int | None] = set()
    for field_name, model_name in (("participant_id", "participant"), ("activity_id", "activity")):
        pks = [pk for model, pk in created if model == model_name]
        for chunk in chunks(pks):
            uses = ActivityParticipation.objects.exclude(batch=batch).filter(
                **{f"{field_name}__in": chunk}
            )
            if model_name == "participant":  # another office's batch keeps the participant
                uses = uses.filter(
                    models.Q(batch=None) | models.Q(batch__office_id=batch.office_id)
                )
            users.update(uses.values_list("batch_id", flat=True))
    others = ImportBatch.objects.select_related("office").in_bulk(
        [pk for pk in later | users if pk is not None]
    )
    reasons = [_blocker(batch, others[pk], changed=True) for pk in sorted(later)]
    reasons.extend(
        _blocker(batch, others[pk], changed=False)
        for pk in sorted(pk for pk in users - later if pk is not None)
    )
    if None in users:
        reasons.append(
            UndoBlocker(_("Participations stored outside an import use rows this batch created."))
        )
    if reasons:
        return reasons
    for model_name, pks in by_model.items():
        current = {}
        for chunk in chunks(pks):
            current.update(MODELS[model_name]._default_manager.in_bulk(chunk))
        for change in (c for c in changes if c.model == model_name):
            row = current.get(change.object_pk)
            # compared on what the batch stored: a field added since is no change
            if row is None or _stored_part(snapshot(row), change.after) != change.after:
                name = str(row) if row is not None and model_name != "contactperson" else ""
                return [
                    UndoBlocker(
                        _("A row this batch stored has been changed since (%(row)s); see its "
                          "history.") % {"row": f"{change.model} {change.object_pk} {name}".strip()}
                    )
                ]  # fmt: skip
    return []


def _stored_part(current: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    return {name: current.get(name) for name in stored or {}}


def _restore(row: models.Model, values: dict[str, Any]) -> None:
    for model_field in row._meta.concrete_fields:
        if model_field.attname in values and not model_field.primary_key:
            setattr(row, model_field.attname, model_field.to_python(values[model_field.attname]))
    row.save()


@transaction.atomic
def import_undo(*, actor: Actor, batch: ImportBatch, reason: str = "") -> ImportBatch:
    """
    Take a stored batch out: its participations and the rows it created go, the
    rows it changed get their values back, exactly. A participant it created that
    another office's batch uses now stays, as that office's (`handed_over`);
    the observations it kept of other offices' participants go.

    :raises BatchError: if the batch is not stored, or later batches or
        edits build on it (the message says which)
    """
    batch = locked(batch)
    if batch.status != ImportStatus.COMMITTED:
        raise BatchError(_("Only a stored batch can be undone."))
    if blockers := undo_blockers(batch):
        raise BatchError(" ".join(map(str, blockers)), blockers=blockers)
    before = batch_state(batch)
    kept = handed_over(batch)
    ActivityParticipation.objects.filter(batch=batch).delete()
    ExporterYear.objects.filter(batch=batch).delete()
    ParticipantObservation.objects.filter(batch=batch).delete()
    changes = list(batch.changes.all())
    for model_name in UNDO_ORDER:
        model = MODELS[model_name]
        mine = [c for c in changes if c.model == model_name]
        stays = kept if model_name == "participant" else {}
        gone = [c.object_pk for c in mine if c.created and c.object_pk not in stays]
        for chunk in chunks(gone):
            model._default_manager.filter(pk__in=chunk).delete()
        rows = model._default_manager.in_bulk([c.object_pk for c in mine if not c.created])
        # in_bulk chunks its own IN list on backends with a parameter limit
        for change in mine:
            if not change.created:
                _restore(rows[change.object_pk], change.before or {})
    handed = []
    for participant in Participant.objects.filter(pk__in=list(kept)).order_by("pk"):
        owner = participant.office_id
        participant.office_id, user_batch = kept[participant.pk]
        participant.save(update_fields=["office"])
        handed.append(ImportChange(batch_id=user_batch, model="participant",
                                   object_pk=participant.pk, created=True, before=None,
                                   after=snapshot(participant)))  # fmt: skip
        record(actor=actor, action=Action.UPDATE, instance=participant,
               before={"office_id": owner}, after={"office_id": participant.office_id},
               reason=_("Kept on undoing batch %(pk)s: another office's batch uses it.")
               % {"pk": batch.pk}, municipality_code=participant.municipality_code,
               office_id=participant.office_id)  # fmt: skip
    ImportChange.objects.bulk_create(handed)
    batch.status = ImportStatus.UNDONE
    batch.undone_at = timezone.now()
    batch.undone_label = actor.label[:150]
    batch.save()
    record(actor=actor, action=Action.UPDATE, instance=batch, before=before,
           after=batch_state(batch), reason=reason, office_id=batch.office_id)  # fmt: skip
    analyze(*FILLED)
    return batch
