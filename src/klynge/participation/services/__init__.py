"""
The participant register's writes, audited; one module per concern.

- `register`: one participant at a time (a form or a command);
- `imports`: participant files as batches: checked (the dry run), stored
  all or nothing, or discarded;
- `undo`: a stored batch taken out again, restoring every row it changed;
- `gdpr`: a contact person's data, exported or anonymised;
- `batches`: what those share about a batch (its error, audited state, lock).

The public names are re-exported here, so callers import them from
`klynge.participation.services`.
"""

from klynge.participation.services.batches import BatchError
from klynge.participation.services.gdpr import ANONYMISED_NAME, contact_anonymise, contact_export
from klynge.participation.services.imports import (
    import_check,
    import_commit,
    import_discard,
    import_max_bytes,
    too_large_message,
)
from klynge.participation.services.register import (
    ParticipantData,
    ParticipantError,
    participant_upsert,
    participant_values,
)
from klynge.participation.services.undo import (
    UndoBlocker,
    handed_over,
    import_undo,
    undo_blockers,
)

__all__ = [
    "ANONYMISED_NAME",
    "BatchError",
    "ParticipantData",
    "ParticipantError",
    "UndoBlocker",
    "contact_anonymise",
    "contact_export",
    "handed_over",
    "import_check",
    "import_commit",
    "import_discard",
    "import_max_bytes",
    "import_undo",
    "participant_upsert",
    "participant_values",
    "too_large_message",
    "undo_blockers",
]
