"""
What `klynge purge` deletes: a list of steps, each registered by the app that owns the data.

A step is a name (what it deletes, in the user's language) and a function of
`(now, dry_run)` that deletes what is past its retention period and returns how
many rows it deleted, or with `dry_run` would delete, changing nothing. Apps
register their steps in `AppConfig.ready` (`purge_step(...)`), so this module
imports no app and the command runs every step in registration order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

Purge = Callable[[dt.datetime, bool], int]


@dataclass(frozen=True)
class PurgeStep:
    """One kind of data `klynge purge` deletes once it is past its retention period."""

    key: str  # stable, for --only and the tests: "import-files"
    name: str | Promise  # what it deletes, shown to the operator
    run: Purge


_STEPS: dict[str, PurgeStep] = {}


def purge_step(key: str, name: str | Promise, run: Purge) -> None:
    """Register (or replace) the step `key`; called from an app's `ready`."""
    _STEPS[key] = PurgeStep(key, name, run)


def purge_steps() -> list[PurgeStep]:
    """Every registered step, in the order the apps registered them."""
    return list(_STEPS.values())
