"""
Participant files stored as batches: checked (the dry run), stored, or discarded.

`import_check` reads and checks a file and keeps it as a batch that is checked
but not stored; `import_commit` stores all of it in one transaction or
nothing, keeping every row it created or changed, with the values before and
after, as the batch's `ImportChange` rows (which `undo` uses); `import_discard`
drops a batch that was not stored. Each step writes one audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor, snapshot, snapshots
from klynge.common.choices import Basis
from klynge.common.db import analyze
from klynge.core.money import format_megabytes, group_thousands
from klynge.core.text import escape_controls
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation import plan_codec
from klynge.participation.imports import (
    Changes,
    ImportPlan,
    Progress,
    check_file,
    file_hash,
    plan_changes,
)
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
from klynge.participation.services.batches import BatchError, audit_batch, batch_state, locked

# The tables an import fills and an undo empties: analysed after either (PostgreSQL).
FILLED = (Participant, Activity, ActivityParticipation, ExporterYear, ContactPerson, ImportBatch,
          ImportChange, ParticipantObservation, AuditEntry)  # fmt: skip
INSERT_CHUNK = 5000  # rows per executemany; the progress bar moves per chunk


def import_max_bytes() -> int:
    return int(settings.KLYNGE_IMPORT_MAX_BYTES)


def too_large_message(size: int) -> str:
    limit = import_max_bytes()
    return _(
        "The file is %(size)s MB; the limit is %(limit)s MB. Split it into several files "
        "(for example one per year)."
    ) % {"size": format_megabytes(size), "limit": format_megabytes(limit)}


def _register() -> str:
    """The digest of the municipalities a checked plan's ids refer to."""
    return plan_codec.register_digest(
        Municipality.objects.order_by("code").values_list("pk", "code", "name")
    )


def _plan(batch: ImportBatch, *, progress: Progress | None) -> ImportPlan:
    """
    The checked plan of the batch's file: the one kept at the check, else checked now.

    The kept plan is read whichever process stores the batch; it is checked again from
    the file only if the register of municipalities has changed since the check.
    """
    register = _register()
    plan = plan_codec.decode(bytes(batch.plan), register=register)
    if plan is None:
        plan = check_file(bytes(batch.content), basis=batch.basis, progress=progress)
    return plan


@transaction.atomic
def import_check(
    *,
    actor: Actor,
    office: ClusterOffice,
    file_name: str,
    data: bytes,
    basis: str = Basis.FACT,
    progress: Progress | None = None,
) -> ImportBatch:
    """
    The dry run: check a file and keep it as a batch; nothing else is stored.

    The batch is `checked` (it can be stored) or `refused` (its `problems`
    list every row, column, value and message). A file over the configured
    limit is refused without being read.
    """
    size = len(data)
    batch = ImportBatch(
        office=office, file_name=escape_controls(file_name)[:255], sha256=file_hash(data),
        size_bytes=size, basis=basis, created_by_id=actor.user.pk if actor.user else None,
        created_label=actor.label[:150],
    )  # fmt: skip
    if size > import_max_bytes():
        batch.status = ImportStatus.REFUSED
        batch.problems = [{"row": 0, "column": "", "value": "", "message": too_large_message(size)}]
    else:
        plan = check_file(data, basis=basis, progress=progress)
        _describe(batch, plan, office)
        if batch.status == ImportStatus.CHECKED:
            batch.content = data
            batch.plan = plan_codec.encode(plan, register=_register())
    batch.save()
    audit_batch(actor, batch, None)
    return batch


def _describe(batch: ImportBatch, plan: ImportPlan, office: ClusterOffice) -> Changes | None:
    """Copy the plan's findings onto the batch; the changes it would make, if it has no problems."""
    batch.sheet = escape_controls(plan.sheet)[:100]
    batch.row_count = plan.rows
    batch.notes = plan.notes
    batch.problems = [problem.as_dict() for problem in plan.problems]
    if plan.problems.unlisted:
        message = _(
            "%(count)s more problems are not listed; only the first %(listed)s are kept. "
            "Correct these and check the file again."
        ) % {"count": group_thousands(plan.problems.unlisted),
             "listed": group_thousands(len(plan.problems))}  # fmt: skip
        batch.problems.append({"row": 0, "column": "", "value": "", "message": message})
    if plan.problems:
        batch.status = ImportStatus.REFUSED
        return None
    changes = plan_changes(plan, office=office)
    batch.summary = changes.summary()
    batch.differences = changes.differences
    batch.status = ImportStatus.CHECKED
    return changes


@transaction.atomic
def import_commit(
    *,
    actor: Actor,
    batch: ImportBatch,
    accept_changes: bool = False,
    progress: Progress | None = None,
) -> ImportBatch:
    """
    Store a checked batch: everything or nothing.

    The file is checked again against the database as it is now, so a batch
    checked yesterday cannot store what has become wrong. Participants are
    matched by CVR number (or name), activities by the office's id, so storing
    the same file again changes nothing. A file that gives a registered
    participant of the office another name, address or municipality (the
    batch's `differences`) is stored only with `accept_changes`, and only if
    those are still the differences the check listed. A participant another
    office registered is never changed: where the file differs, the batch
    keeps the file's values as its observation (listed as kept differences,
    which need no acceptance).

    :raises BatchError: if the batch is not checked, now has problems, or has
        differences that are not accepted or have changed since the check
    """
    batch = locked(batch)
    if batch.status != ImportStatus.CHECKED:
        raise BatchError(
            _("Batch %(pk)s is %(status)s; only a checked batch can be stored.")
            % {"pk": batch.pk, "status": batch.get_status_display().lower()}
        )
    before = batch_state(batch)
    listed = batch.differences
    plan = _plan(batch, progress=progress)
    changes = _describe(batch, plan, batch.office)
    if changes is None:
        raise BatchError(_("The file now has problems; check it again."))
    if changes.differences and changes.differences != listed:
        raise BatchError(
            _("The differences from the register have changed since the check; check the "
              "file again.")
        )  # fmt: skip
    accepted = [d for d in changes.differences if not d.get("kept")]
    if accepted and not accept_changes:
        raise BatchError(
            ngettext(
                "The file gives %(n)s registered participant another name, address or "
                "municipality; nothing is stored. Check the differences and confirm them "
                "to store the file.",
                "The file gives %(n)s registered participants another name, address or "
                "municipality; nothing is stored. Check the differences and confirm them "
                "to store the file.",
                len(accepted),
            )
            % {"n": group_thousands(len(accepted))}
        )
    _store(batch, plan, changes, progress)
    batch.status = ImportStatus.COMMITTED
    batch.committed_at = timezone.now()
    batch.content = batch.plan = b""  # they may hold contact persons; keep what was stored
    batch.save()
    audit_batch(actor, batch, before)
    analyze(*FILLED)
    return batch


def _store(
    batch: ImportBatch, plan: ImportPlan, changes: Changes, progress: Progress | None
) -> None:
    # The ImportChange rows as (model, object_pk, created, before, after): plain tuples,
    # since thousands of model instances would be built only to be taken apart again.
    log: list[tuple[str, int, bool, dict[str, Any] | None, dict[str, Any] | None]] = []

    def created(rows: list[Any]) -> None:
        if rows:
            name = rows[0]._meta.model_name
            log.extend((name, row.pk, True, None, after)
                       for row, after in zip(rows, snapshots(rows), strict=True))  # fmt: skip

    def update(row: Any, values: dict[str, Any]) -> None:
        old = snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
        log.append((row._meta.model_name, row.pk, False, old, snapshot(row)))

    new_participants = Participant.objects.bulk_create(
        [Participant(cvr=key[1] if key[0] == "cvr" else None, office=batch.office, **values)
         for key, values in changes.participants_new]
    )  # fmt: skip
    created(new_participants)
    for (key, _values), row in zip(changes.participants_new, new_participants, strict=True):
        changes.participant_ids[key] = row.pk
    for participant, values in changes.participants_changed:
        update(participant, values)
    # Another office's participant: the file's values are kept beside it, never on it.
    ParticipantObservation.objects.bulk_create(
        [ParticipantObservation(batch=batch, participant_id=changes.participant_ids[key],
                                values=_json_safe(observed["values"]),
                                exporters=observed["exporters"])
         for key, observed in changes.observations.items()]
    )  # fmt: skip
    new_activities = Activity.objects.bulk_create(
        [Activity(office=batch.office, external_id=external_id, **values)
         for external_id, values in changes.activities_new]
    )  # fmt: skip
    created(new_activities)
    for (external_id, _values), activity in zip(
        changes.activities_new, new_activities, strict=True
    ):
        changes.activity_ids[external_id] = activity.pk
    for activity, values in changes.activities_changed:
        update(activity, values)
    ids = changes.participant_ids
    # Exporter statuses are many (a company per year) and tiny: inserted in one statement
    # per chunk and tagged with the batch, which undo deletes by, like participations.
    _insert(ExporterYear, ("participant_id", "year", "exporter", "batch_id"),
            [(ids[key], year, exporter, batch.pk) for key, year, exporter in changes.exporters_new],
            progress=None)  # fmt: skip
    for exporter_row, exporter in changes.exporters_changed:
        update(exporter_row, {"exporter": exporter})
    created(ContactPerson.objects.bulk_create(
        [ContactPerson(participant_id=ids[key], office=batch.office, **values)
         for key, values in changes.contacts_new]
    ))  # fmt: skip
    for contact, values in changes.contacts_changed:
        update(contact, values)
    json_field = ImportChange._meta.get_field("after")
    assert isinstance(json_field, models.JSONField)  # noqa: S101

    def as_json(value: dict[str, Any] | None) -> Any:
        return None if value is None else json_field.get_db_prep_save(value, connection)

    _insert(ImportChange, ("batch_id", "model", "object_pk", "created", "before", "after"),
            [(batch.pk, model, pk, is_new, as_json(before), as_json(after))
             for model, pk, is_new, before, after in log], progress=None)  # fmt: skip
    _insert_participations(batch, plan, changes, progress)


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """Checked participant values as JSON keeps them (choices as their plain value)."""
    return {name: str(value) if isinstance(value, str) else value for name, value in values.items()}


def _insert_participations(
    batch: ImportBatch, plan: ImportPlan, changes: Changes, progress: Progress | None
) -> None:
    """The new participations, tagged with the batch (undo deletes by it)."""
    activity_ids, participant_ids, existing = (
        changes.activity_ids,
        changes.participant_ids,
        changes.existing_pairs,
    )
    batch_id = batch.pk
    rows = [
        (activity_ids[external_id], participant_ids[key], role, batch_id)
        for (external_id, key), role in plan.participations.items()
    ]
    if existing:
        rows = [row for row in rows if (row[0], row[1]) not in existing]
    rows.sort()  # in the unique index's order: each index page is written once, not many times
    columns = ("activity_id", "participant_id", "role", "batch_id")
    _insert(ActivityParticipation, columns, rows, progress=progress)


def _insert(
    model: type[models.Model],
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    progress: Progress | None,
) -> None:
    """
    Insert `rows` with one parameterised statement per chunk of INSERT_CHUNK rows.

    Much faster than `bulk_create` for 100.000 small rows; the table and
    column names are the model's own, quoted, and every value is a parameter.
    """
    quote = connection.ops.quote_name
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    names = ", ".join(quote(column_of[c]) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):
            if progress is not None:
                progress("store", start, len(rows))
            cursor.executemany(sql, rows[start : start + INSERT_CHUNK])
    if progress is not None:
        progress("store", len(rows), len(rows))


def staged_file_max_age() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.KLYNGE_STAGED_FILE_HOURS))


def purge_staged_files(now: dt.datetime, dry_run: bool) -> int:
    """
    Discard the batches checked but never stored or discarded, older than the limit.

    An upload that was checked and then abandoned (the browser closed, the
    command interrupted) would keep the whole file, which may hold contact
    persons, in the database. Each is discarded as `import_discard` does,
    audited; a batch in any other state that still holds a file loses it.
    Returns how many batches were (or, with `dry_run`, would be) purged.
    """
    cutoff = now - staged_file_max_age()
    old = ImportBatch.objects.filter(created_at__lt=cutoff)
    abandoned = list(old.filter(status=ImportStatus.CHECKED).only("pk"))
    leftovers = old.exclude(status=ImportStatus.CHECKED).exclude(content=b"", plan=b"")
    if dry_run:
        return len(abandoned) + leftovers.count()
    actor = Actor.system("purge")
    for batch in abandoned:
        import_discard(actor=actor, batch=batch)
    return len(abandoned) + leftovers.update(content=b"", plan=b"")


@transaction.atomic
def import_discard(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Drop a batch that was checked but not stored, with its file."""
    batch = locked(batch)
    if batch.status not in (ImportStatus.CHECKED, ImportStatus.REFUSED):
        raise BatchError(_("Only a batch that is not stored can be discarded."))
    before = batch_state(batch)
    batch.status = ImportStatus.DISCARDED
    batch.content = batch.plan = b""
    batch.problems = []  # the problems quote values, which may be personal data
    batch.save()
    audit_batch(actor, batch, before)
    return batch
