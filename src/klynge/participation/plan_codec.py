"""
A checked import plan as bytes, kept on its batch between the check and the store.

Checking 100.000 rows takes seconds. The store follows the check in another
request, often in another worker process, so the checked plan is kept with
the batch instead of in one process's memory. It is compact JSON, compressed:
never pickle, so bytes read back from the database can only ever become
plain data. Participants and activities are written once each and referred
to by position.

The plan holds the municipalities' ids. It is kept with a digest of the
register it was checked against, and `decode` gives None when the register
has changed since, or when the bytes are of another format: the caller then
checks the file again.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from klynge.participation.imports import ImportPlan, ParticipantKey

FORMAT = 2  # 2: participants carry sole_proprietor
MAX_BYTES = 200_000_000  # decompressed; a plan of the largest allowed file is far smaller


def register_digest(register: Iterable[tuple[int, str, str]]) -> str:
    """A digest of the municipalities (pk, code, name) a plan's ids refer to."""
    text = json.dumps(sorted(register), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def encode(plan: ImportPlan, *, register: str) -> bytes:
    """A plan without problems as bytes (see the module's docstring)."""
    if plan.problems:
        raise ValueError("only a plan without problems is kept")
    participants = list(plan.participants)
    person = {key: index for index, key in enumerate(participants)}
    activities = list(plan.activities)
    activity = {external_id: index for index, external_id in enumerate(activities)}
    document = {
        "format": FORMAT,
        "register": register,
        "rows": plan.rows,
        "sheet": plan.sheet,
        "notes": [str(note) for note in plan.notes],
        "participants": [
            [key[0], key[1], plan.participants[key], plan.participant_rows.get(key, 0)]
            for key in participants
        ],
        "activities": [
            [external_id, _activity_out(plan.activities[external_id])] for external_id in activities
        ],
        "participations": [
            [activity[external_id], person[key], role]
            for (external_id, key), role in plan.participations.items()
        ],
        "exporters": [
            [person[key], year, exporter] for (key, year), exporter in plan.exporters.items()
        ],
        "contacts": [
            [person[key], contact_key, values]
            for (key, contact_key), values in plan.contacts.items()
        ],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), 1)


def decode(data: bytes, *, register: str) -> ImportPlan | None:
    """The plan kept as `data`, or None if it was checked against another register."""
    if not data:
        return None
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(bytes(data), MAX_BYTES)
        if inflater.unconsumed_tail:
            return None
        document = json.loads(text)
    except (zlib.error, ValueError):
        return None
    if document.get("format") != FORMAT or document.get("register") != register:
        return None
    plan = ImportPlan(rows=document["rows"], sheet=document["sheet"], notes=document["notes"])
    keys: list[ParticipantKey] = []
    for kind, value, values, row in document["participants"]:
        key: ParticipantKey = (kind, value)
        keys.append(key)
        plan.participants[key] = values
        plan.participant_rows[key] = row
    external_ids = []
    for external_id, values in document["activities"]:
        external_ids.append(external_id)
        plan.activities[external_id] = _activity_in(values)
    plan.participations = {
        (external_ids[a], keys[p]): role for a, p, role in document["participations"]
    }
    plan.exporters = {(keys[p], year): exporter for p, year, exporter in document["exporters"]}
    plan.contacts = {(keys[p], contact_key): values for p, contact_key, values in
                     document["contacts"]}  # fmt: skip
    return plan


def _activity_out(values: dict[str, Any]) -> dict[str, Any]:
    held_on = values.get("held_on")
    return {**values, "held_on": held_on.isoformat() if held_on else None}


def _activity_in(values: dict[str, Any]) -> dict[str, Any]:
    held_on = values.get("held_on")
    return {**values, "held_on": date.fromisoformat(held_on) if held_on else None}
