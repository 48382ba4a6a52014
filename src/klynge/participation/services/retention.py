"""
How long a refused import keeps what its file said.

A refused batch lists every problem with the cell's value, so the office can
correct its file; those values can be names and e-mail addresses. After
`KLYNGE_REFUSED_BATCH_DAYS` days the values are removed and the row, column
and message stay: the batch still shows what was wrong, not what was written.
`klynge purge` runs this.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from klynge.audit.models import Action
from klynge.audit.services import Actor, record
from klynge.participation.models import ImportBatch, ImportStatus
from klynge.participation.services.batches import batch_state


def refused_values_purge(*, actor: Actor, before: datetime, dry_run: bool = False) -> int:
    """Remove the cell values of batches refused before `before`; the number of batches."""
    purged = 0
    rows = (
        ImportBatch.objects.filter(status=ImportStatus.REFUSED, created_at__lt=before)
        .only("pk", "office", "problems", "status", "file_name", "sha256", "row_count", "summary")
        .order_by("pk")
    )
    for batch in rows.iterator(chunk_size=200):
        if not any(problem.get("value") for problem in batch.problems):
            continue
        purged += 1
        if dry_run:
            continue
        with transaction.atomic():
            state = batch_state(batch)
            batch.problems = [{**problem, "value": ""} for problem in batch.problems]
            batch.save(update_fields=["problems"])
            record(
                actor=actor, action=Action.UPDATE, instance=batch, before=state,
                after={**state, "values_removed": True}, office_id=batch.office_id,
                reason="retention: a refused file's cell values are removed",
            )  # fmt: skip
    return purged


def refused_values_purge_step(now: datetime, dry_run: bool) -> int:
    """`klynge purge`'s step: the values of batches refused over `KLYNGE_REFUSED_BATCH_DAYS` ago."""
    before = now - timedelta(days=int(settings.KLYNGE_REFUSED_BATCH_DAYS))
    return refused_values_purge(actor=Actor.system("purge"), before=before, dry_run=dry_run)
