"""
The participant register: storing participants and whole import files, audited.

A participant file goes through three steps: `import_check` reads and checks
it and keeps it as a batch that is checked but not stored (the dry run);
`import_commit` stores all of it in one transaction or nothing; `import_undo`
takes a stored batch out again, restoring every row it changed. Each batch
writes one audit entry per step, and keeps every row it created or changed,
with the values before and after, as its `ImportChange` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klynge.audit.models import Action
from klynge.audit.services import Actor, audited_upsert, record, snapshot, snapshots
from klynge.common.choices import Basis
from klynge.core.money import group_thousands
from klynge.core.tabular import XLSX_MAGIC, TableError, read_table
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.imports import (
    Changes,
    ImportPlan,
    Progress,
    RowChecker,
    check_file,
    chunks,
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
    ParticipantKind,
)

INSERT_CHUNK = 5000  # rows per executemany; the progress bar moves per chunk


class ParticipantError(ValueError):
    """A participant is not valid; `problems` names every field that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class BatchError(ValueError):
    """A batch cannot be stored, undone or discarded; the message says why."""


@dataclass(frozen=True)
class ParticipantData:
    """A participant as a form or a command gives it, not yet checked."""

    name: str
    kind: str = ParticipantKind.COMPANY
    cvr: str = ""
    p_number: str = ""
    address: str = ""
    postal_code: str = ""
    municipality_code: str = ""
    employee_band: str = ""
    industry_code: str = ""
    basis: str = Basis.FACT


def participant_values(data: ParticipantData) -> dict[str, Any]:
    """
    The checked field values of `data`.

    :raises ParticipantError: listing every problem
    """
    checked = RowChecker(basis=data.basis).participant(
        (data.kind, data.cvr.strip(), data.p_number.strip(), data.name.strip(),
         data.address.strip(), data.postal_code.strip(), data.municipality_code.strip(),
         data.employee_band.strip(), data.industry_code.strip())
    )  # fmt: skip
    if isinstance(checked, list):
        raise ParticipantError([message for _key, message in checked])
    return dict(checked[1])


@transaction.atomic
def participant_upsert(*, actor: Actor, data: ParticipantData) -> tuple[Participant, bool]:
    """
    Store a participant, matched by CVR number (or by name when it has none); audited.

    Returns the row and whether it changed; the same data twice changes nothing.

    :raises ParticipantError: listing every problem; nothing is stored
    """
    values = participant_values(data)
    cvr = values.pop("cvr")
    lookup = {"cvr": cvr} if cvr else {"name": values.pop("name"), "cvr": None}
    return audited_upsert(
        Participant,
        actor=actor,
        lookup=lookup,
        values=values,
        municipality_code=str(values["municipality_code"]),
    )


# --- import batches ---------------------------------------------------------------------


def import_max_bytes() -> int:
    return int(settings.KLYNGE_IMPORT_MAX_BYTES)


def too_large_message(size: int) -> str:
    limit = import_max_bytes()
    return _(
        "The file is %(size)s MB; the limit is %(limit)s MB. Split it into several files "
        "(for example one per year)."
    ) % {"size": size // 1_000_000, "limit": limit // 1_000_000}


# The plan of the file checked last in this process, kept for the commit that usually
# follows (checking 100.000 rows takes seconds); keyed by everything the check reads.
_last_plan: dict[tuple[str, str, tuple[tuple[int, str, str], ...]], ImportPlan] = {}


def _plan(data: bytes, *, sha256: str, basis: str, progress: Progress | None) -> ImportPlan:
    """The checked plan of `data`: from the last check if it was this file, else checked now."""
    # The plan holds the municipalities' ids: the key has them too.
    register = tuple(Municipality.objects.order_by("code").values_list("pk", "code", "name"))
    key = (sha256, basis, register)
    plan = _last_plan.get(key)
    if plan is None:
        plan = check_file(data, basis=basis, progress=progress)
        _last_plan.clear()
        _last_plan[key] = plan
    return plan


def _forget_plan() -> None:
    _last_plan.clear()


def _audit_batch(actor: Actor, batch: ImportBatch, before: dict[str, Any] | None) -> None:
    record(
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        instance=batch,
        before=before,
        after=_batch_state(batch),
        office_id=batch.office_id,
    )


def _batch_state(batch: ImportBatch) -> dict[str, Any]:
    state = {"status": batch.status, "file_name": batch.file_name, "sha256": batch.sha256,
             "rows": batch.row_count, "summary": batch.summary}  # fmt: skip
    if batch.differences:
        state["differences"] = len(batch.differences)
    return state


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
        office=office, file_name=file_name[:255], sha256=file_hash(data), size_bytes=size,
        basis=basis, created_by_id=actor.user.pk if actor.user else None,
        created_label=actor.label[:150],
    )  # fmt: skip
    if size > import_max_bytes():
        batch.status = ImportStatus.REFUSED
        batch.problems = [{"row": 0, "column": "", "value": "", "message": too_large_message(size)}]
    else:
        plan = _plan(data, sha256=batch.sha256, basis=basis, progress=progress)
        _describe(batch, plan, office)
        if batch.status == ImportStatus.CHECKED:
            batch.content = data
    batch.save()
    _audit_batch(actor, batch, None)
    return batch


def _describe(batch: ImportBatch, plan: ImportPlan, office: ClusterOffice) -> Changes | None:
    """Copy the plan's findings onto the batch; the changes it would make, if it has no problems."""
    batch.sheet = plan.sheet[:100]
    batch.row_count = plan.rows
    batch.notes = plan.notes
    batch.problems = [problem.as_dict() for problem in plan.problems]
    if plan.problems:
        batch.status = ImportStatus.REFUSED
        return None
    changes = plan_changes(plan, office=office)
    batch.summary = changes.summary()
    batch.differences = changes.differences
    batch.status = ImportStatus.CHECKED
    return changes


def _locked(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().get(pk=batch.pk)


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
    participant another name, address or municipality (the batch's
    `differences`) is stored only with `accept_changes`, and only if those
    are still the differences the check listed.

    :raises BatchError: if the batch is not checked, now has problems, or has
        differences that are not accepted or have changed since the check
    """
    batch = _locked(batch)
    if batch.status != ImportStatus.CHECKED:
        raise BatchError(
            _("Batch %(pk)s is %(status)s; only a checked batch can be stored.")
            % {"pk": batch.pk, "status": batch.get_status_display().lower()}
        )
    before = _batch_state(batch)
    listed = batch.differences
    plan = _plan(bytes(batch.content), sha256=batch.sha256, basis=batch.basis, progress=progress)
    changes = _describe(batch, plan, batch.office)
    if changes is None:
        raise BatchError(_("The file now has problems; check it again."))
    if changes.differences and changes.differences != listed:
        raise BatchError(
            _("The differences from the register have changed since the check; check the "
              "file again.")
        )  # fmt: skip
    if changes.differences and not accept_changes:
        raise BatchError(
            ngettext(
                "The file gives %(n)s registered participant another name, address or "
                "municipality; nothing is stored. Check the differences and confirm them "
                "to store the file.",
                "The file gives %(n)s registered participants another name, address or "
                "municipality; nothing is stored. Check the differences and confirm them "
                "to store the file.",
                len(changes.differences),
            )
            % {"n": group_thousands(len(changes.differences))}
        )
    _store(batch, plan, changes, progress)
    batch.status = ImportStatus.COMMITTED
    batch.committed_at = timezone.now()
    batch.content = b""  # the file may hold contact persons; keep only what was stored
    batch.save()
    _audit_batch(actor, batch, before)
    transaction.on_commit(_forget_plan)
    return batch


def _store(
    batch: ImportBatch, plan: ImportPlan, changes: Changes, progress: Progress | None
) -> None:
    log: list[ImportChange] = []

    def created(rows: list[Any]) -> None:
        log.extend(ImportChange(model=row._meta.model_name, object_pk=row.pk, created=True,
                                after=after)
                   for row, after in zip(rows, snapshots(rows), strict=True))  # fmt: skip

    def update(row: Any, values: dict[str, Any]) -> None:
        old = snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
        log.append(ImportChange(model=row._meta.model_name, object_pk=row.pk, created=False,
                                before=old, after=snapshot(row)))  # fmt: skip

    new_participants = Participant.objects.bulk_create(
        [Participant(cvr=key[1] if key[0] == "cvr" else None, **values)
         for key, values in changes.participants_new]
    )  # fmt: skip
    created(new_participants)
    for (key, _values), row in zip(changes.participants_new, new_participants, strict=True):
        changes.participant_ids[key] = row.pk
    for participant, values in changes.participants_changed:
        update(participant, values)
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
            [(batch.pk, c.model, c.object_pk, c.created, as_json(c.before), as_json(c.after))
             for c in log], progress=None)  # fmt: skip
    _insert_participations(batch, plan, changes, progress)


def _insert_participations(
    batch: ImportBatch, plan: ImportPlan, changes: Changes, progress: Progress | None
) -> None:
    """The new participations, tagged with the batch (undo deletes by it)."""
    activity_ids, participant_ids, existing = (
        changes.activity_ids,
        changes.participant_ids,
        changes.existing_pairs,
    )
    rows = [
        (activity_ids[external_id], participant_ids[key], role, batch.pk)
        for (external_id, key), role in plan.participations.items()
    ]
    if existing:
        rows = [row for row in rows if (row[0], row[1]) not in existing]
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


@transaction.atomic
def import_discard(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Drop a batch that was checked but not stored, with its file."""
    batch = _locked(batch)
    if batch.status not in (ImportStatus.CHECKED, ImportStatus.REFUSED):
        raise BatchError(_("Only a batch that is not stored can be discarded."))
    before = _batch_state(batch)
    batch.status = ImportStatus.DISCARDED
    batch.content = b""
    batch.problems = []  # the problems quote values, which may be personal data
    batch.save()
    _forget_plan()
    _audit_batch(actor, batch, before)
    return batch


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
    batch = _locked(batch)
    if batch.status != ImportStatus.COMMITTED:
        raise BatchError(_("Only a stored batch can be undone."))
    if blockers := undo_blockers(batch):
        raise BatchError(" ".join(blockers))
    before = _batch_state(batch)
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
           after=_batch_state(batch), reason=reason, office_id=batch.office_id)  # fmt: skip
    return batch


# --- GDPR: a contact person's data, exported or anonymised ------------------------------

ANONYMISED_NAME = "Anonymiseret"
PENDING = (ImportStatus.CHECKED, ImportStatus.REFUSED)


def _gdpr_email(email: str) -> str:
    """
    The email as given, without surrounding blanks.

    :raises ValueError: if it is blank (it would match every contact without an email)
    """
    email = email.strip()
    if not email:
        raise ValueError("An email address is needed.")
    return email


def _gdpr_contacts(email: str, office: ClusterOffice | None) -> models.QuerySet[ContactPerson]:
    contacts = ContactPerson.objects.filter(email__iexact=email)
    return contacts if office is None else contacts.filter(office=office)


def _gdpr_changes(
    email: str, contact_ids: list[int], office: ClusterOffice | None
) -> models.QuerySet[ImportChange]:
    """The contact snapshots of the contacts, or of deleted contacts with the same email."""
    changes = ImportChange.objects.filter(
        models.Q(object_pk__in=contact_ids)
        | models.Q(after__email__iexact=email)
        | models.Q(before__email__iexact=email),
        model="contactperson",
    )
    return changes if office is None else changes.filter(batch__office=office)


def _mentions(batch: ImportBatch, email: str) -> bool:
    """Whether a batch waiting to be stored holds `email` in its file or its problems."""
    needle = email.lower()
    quoted = (str(value).lower() for problem in batch.problems for value in problem.values())
    if any(needle in value for value in quoted):
        return True
    content = bytes(batch.content)
    if not content:
        return False
    lowered = content.lower()
    for encoding in ("utf-8", "cp1252"):
        try:
            if needle.encode(encoding) in lowered:
                return True
        except UnicodeEncodeError:
            continue
    if not content.startswith(XLSX_MAGIC):
        return False
    try:  # a workbook is compressed: look in its cells
        table = read_table(content)
    except TableError:
        return False
    cells = [*table.raw_header, *(value for _number, row in table.rows for value in row)]
    return any(needle in cell.lower() for cell in cells)


def _pending_batch_ids(email: str, office: ClusterOffice | None, *, lock: bool) -> list[int]:
    """The batches not yet stored whose file or problems hold `email`; one file in memory."""
    batches = ImportBatch.objects.filter(status__in=PENDING)
    if office is not None:
        batches = batches.filter(office=office)
    if lock:
        batches = batches.select_for_update()
    found = []
    for pk in list(batches.order_by("pk").values_list("pk", flat=True)):
        batch = ImportBatch.objects.only("content", "problems").get(pk=pk)
        if _mentions(batch, email):
            found.append(pk)
    return found


@transaction.atomic
def contact_export(
    *, actor: Actor, email: str, office: ClusterOffice | None = None
) -> dict[str, Any]:
    """
    Everything held on the person with `email` (any case), as a JSON-able dict.

    That is every contact person with the email, with its participant, and
    every import batch that stored or changed such a contact or still holds
    the email in a file waiting to be stored. With `office`, only that
    office's contacts and batches. The export itself is audited, by ids only:
    the audit log is append-only, so it never holds personal data.

    :raises ValueError: if `email` is blank
    """
    email = _gdpr_email(email)
    contacts = list(
        _gdpr_contacts(email, office).select_related("participant", "office").order_by("pk")
    )
    contact_ids = [contact.pk for contact in contacts]
    batch_ids = set(
        _gdpr_changes(email, contact_ids, office).values_list("batch_id", flat=True)
    ) | set(_pending_batch_ids(email, office, lock=False))
    batches = list(ImportBatch.objects.filter(pk__in=batch_ids).order_by("pk"))
    export: dict[str, Any] = {
        "email": email,
        "contacts": [
            {
                "id": contact.pk,
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "office": contact.office.name if contact.office else None,
                "participant": {"name": contact.participant.name, "cvr": contact.participant.cvr},
                "anonymised": contact.anonymised,
            }
            for contact in contacts
        ],
        "import_batches": [
            {
                "id": batch.pk,
                "file_name": batch.file_name,
                "status": batch.status,
                "created_at": batch.created_at.isoformat(),
            }
            for batch in batches
        ],
    }
    after = {"export": True, "contacts": contact_ids, "import_batches": [b.pk for b in batches]}
    if contacts:
        first = contacts[0]
        # str() of a contact is its name: the entry names the row by its id instead
        stand_in = ContactPerson(
            pk=first.pk, name=f"kontaktperson #{first.pk}", office_id=first.office_id
        )
        record(actor=actor, action=Action.UPDATE, instance=stand_in, before=None, after=after,
               reason="GDPR", office_id=first.office_id)  # fmt: skip
    elif batches:
        record(actor=actor, action=Action.UPDATE, instance=batches[0], before=None, after=after,
               reason="GDPR", office_id=batches[0].office_id)  # fmt: skip
    return export


def _scrub(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A contact snapshot with the personal data taken out."""
    if values is None:
        return None
    scrubbed = dict(values)
    scrubbed.update(name=ANONYMISED_NAME, email="", phone="", anonymised=True)
    return scrubbed


def _holds(values: dict[str, Any] | None, email: str) -> bool:
    return values is not None and str(values.get("email", "")).lower() == email.lower()


@transaction.atomic
def contact_anonymise(*, actor: Actor, email: str, office: ClusterOffice | None = None) -> int:
    """
    Anonymise the person with `email` (any case); returns the contacts anonymised.

    Every contact with the email gets the name "Anonymiseret" and no email
    or phone; the snapshots the import batches keep of it (for undo) are
    scrubbed the same way, so an undo still works and brings no data back;
    a batch waiting to be stored whose file or problems hold the email is
    discarded with its file. The participant and its participations stay,
    so every statistic is the same. With `office`, only that office's
    contacts and batches. One audit entry per contact, by id only.

    :raises ValueError: if `email` is blank
    """
    email = _gdpr_email(email)
    _forget_plan()  # a checked file kept in memory may hold the person
    contacts = list(_gdpr_contacts(email, office).select_for_update().order_by("pk"))
    contact_ids = [contact.pk for contact in contacts]
    changes = list(_gdpr_changes(email, contact_ids, office).select_for_update())
    for change in changes:
        whole = change.object_pk in contact_ids
        # a snapshot of another contact that once had the email: scrub only that side
        if whole or _holds(change.before, email):
            change.before = _scrub(change.before)
        if whole or _holds(change.after, email):
            change.after = _scrub(change.after)
    ImportChange.objects.bulk_update(changes, ["before", "after"], batch_size=500)
    for contact in contacts:
        was = contact.anonymised
        contact.name, contact.email, contact.phone = ANONYMISED_NAME, "", ""
        contact.anonymised = True
        contact.save(update_fields=["name", "email", "phone", "anonymised"])
        record(actor=actor, action=Action.UPDATE, instance=contact, before={"anonymised": was},
               after={"anonymised": True}, reason="GDPR", office_id=contact.office_id)  # fmt: skip
    for pk in _pending_batch_ids(email, office, lock=True):
        batch = ImportBatch.objects.get(pk=pk)
        before = {"status": batch.status}
        batch.status = ImportStatus.DISCARDED
        batch.content = b""
        batch.problems = []
        batch.save(update_fields=["status", "content", "problems"])
        record(actor=actor, action=Action.UPDATE, instance=batch, before=before,
               after={"status": batch.status}, reason="GDPR",
               office_id=batch.office_id)  # fmt: skip
    return len(contacts)
