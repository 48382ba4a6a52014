"""
Writing audit entries.

Every service that changes audited data calls `record` inside its own
`transaction.atomic()`, so the change and its entry commit or roll back
together. `snapshot` turns a row into the JSON-safe dict stored as
before/after; `replay` folds the log back into the state it describes.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import translation

from klynge.audit.models import Action, AuditEntry
from klynge.audit.registry import is_audited

_M = TypeVar("_M", bound=models.Model)

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a user, or the system (a command run without --user)."""

    user: AbstractBaseUser | None
    label: str

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser | None) -> Actor:
        if user is None or not user.is_authenticated:
            return cls(None, "anonym")
        return cls(user, user.get_username())

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(None, label)


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Tag every entry written inside the block with `request_id`."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def snapshot(instance: models.Model, **extra: Any) -> dict[str, Any]:
    """The row's concrete fields (foreign keys as ids), JSON-normalised, plus `extra`."""
    data = {
        field.attname: field.value_from_object(instance) for field in instance._meta.concrete_fields
    }
    data.update(extra)
    normalised: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return normalised


def snapshots(instances: list[models.Model]) -> list[dict[str, Any]]:
    """`snapshot` of many rows at once (one JSON round trip, for imports of thousands)."""
    data = [
        {field.attname: field.value_from_object(row) for field in row._meta.concrete_fields}
        for row in instances
    ]
    normalised: list[dict[str, Any]] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return normalised


def record(
    *,
    actor: Actor,
    action: Action,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str = "",
    municipality_code: str = "",
    office_id: int | None = None,
    year: int | None = None,
) -> AuditEntry:
    """
    Write one audit entry for a change of `instance`.

    Must run inside the transaction that makes the change.

    :raises RuntimeError: outside a transaction (the entry could outlive a
        rolled-back change, or the change could commit without its entry), or for
        a model its app has not named as audited (`klynge.audit.registry`)
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must be called inside the change's transaction.")
    if not is_audited(type(instance)):
        raise RuntimeError(
            f"{instance._meta.label} is not named as audited: add it to audited() "
            "in its AppConfig.ready."
        )
    # The entry's title is stored in the site's language, whoever made the change.
    with translation.override(settings.LANGUAGE_CODE):
        title = str(instance)[:300]
    return AuditEntry.objects.create(
        actor_id=actor.user.pk if actor.user is not None else None,
        actor_label=actor.label[:150],
        action=action,
        model=instance._meta.label_lower,
        object_pk=str(instance.pk),
        object_repr=title,
        before=before,
        after=after,
        reason=reason[:300],
        municipality_code=municipality_code,
        office_id=office_id,
        year=year,
        request_id=_request_id.get(),
    )


def replay(model_label: str) -> dict[str, dict[str, Any]]:
    """The state of every row of `model_label` that the log describes, by pk."""
    state: dict[str, dict[str, Any]] = {}
    entries = AuditEntry.objects.filter(model=model_label).order_by("pk")
    for entry in entries.only("action", "object_pk", "after"):
        if entry.action == Action.DELETE:
            state.pop(entry.object_pk, None)
        else:
            state[entry.object_pk] = entry.after or {}
    return state


def audited_upsert(
    model: type[_M],
    *,
    actor: Actor,
    lookup: dict[str, Any],
    values: dict[str, Any],
    keep_existing: bool = False,
    reason: str = "",
    municipality_code: str = "",
    office_id: int | None = None,
    year: int | None = None,
) -> tuple[_M, bool]:
    """
    Create the row matching `lookup` with `values`, or update it; audit the change.

    With `keep_existing`, an existing row is left as it is (a reload never
    overwrites what users changed). A row whose values do not change gets no
    entry. Returns the row and whether it changed.
    """
    row = model._default_manager.select_for_update().filter(**lookup).first()
    if row is None:
        row = model._default_manager.create(**lookup, **values)
        record(
            actor=actor, action=Action.CREATE, instance=row, before=None, after=snapshot(row),
            reason=reason, municipality_code=municipality_code, office_id=office_id, year=year,
        )  # fmt: skip
        return row, True
    if keep_existing:
        return row, False
    before = snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    after = snapshot(row)
    if after == before:
        return row, False
    row.save(update_fields=list(values))
    record(
        actor=actor, action=Action.UPDATE, instance=row, before=before, after=after,
        reason=reason, municipality_code=municipality_code, office_id=office_id, year=year,
    )  # fmt: skip
    return row, True
