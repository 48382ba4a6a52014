"""Fingerprints of allocation inputs: equal inputs, equal fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(value: Mapping[str, Any]) -> str:
    """Serialise `value` as JSON with sorted keys and no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(value: Mapping[str, Any]) -> str:
    """
    Return the SHA-256 hex digest of the canonical JSON of `value`.

    Two input sets have the same fingerprint exactly when their canonical JSON
    is equal, so a stored run can be matched to a recomputation.
    """
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
