"""
What the import, undo and GDPR services share about a batch: its error, its
audited state and its row lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from klynge.audit.models import Action
from klynge.audit.services import Actor, record
from klynge.participation.models import ImportBatch


class BatchError(ValueError):
    """
    A batch cannot be stored, undone or discarded; the message says why.

    For an undo, `blockers` holds the `undo.UndoBlocker`s the message names.
    """

    def __init__(self, message: str, *, blockers: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.blockers = list(blockers)


def audit_batch(actor: Actor, batch: ImportBatch, before: dict[str, Any] | None) -> None:
    record(
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        instance=batch,
        before=before,
        after=batch_state(batch),
        office_id=batch.office_id,
    )


def batch_state(batch: ImportBatch) -> dict[str, Any]:
    state = {"status": batch.status, "file_name": batch.file_name, "sha256": batch.sha256,
             "rows": batch.row_count, "summary": batch.summary}  # fmt: skip
    if batch.differences:
        state["differences"] = len(batch.differences)
    return state


def locked(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().get(pk=batch.pk)
