"""
GDPR: a contact person's data, exported or anonymised (in the register, in the
snapshots the batches keep for undo, and in files waiting to be stored).
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from klynge.audit.models import Action
from klynge.audit.services import Actor, record
from klynge.core.tabular import XLSX_MAGIC, TableError, read_table
from klynge.masterdata.models import ClusterOffice
from klynge.participation.models import ContactPerson, ImportBatch, ImportChange, ImportStatus

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
        batch.content = batch.plan = b""
        batch.problems = []
        batch.save(update_fields=["status", "content", "plan", "problems"])
        record(actor=actor, action=Action.UPDATE, instance=batch, before=before,
               after={"status": batch.status}, reason="GDPR",
               office_id=batch.office_id)  # fmt: skip
    return len(contacts)
