"""
Audit entries as people read them.

An entry stores its row as JSON (foreign keys as ids, amounts in øre,
choices as codes). `shown_entries` turns a page of entries into what the
history tables show: each changed field with its label in the reader's
language and its value formatted: kr. in Danish format, ja/nej, names for
ids, the choice's words, dates in words, and a short summary for a nested
list or dict. Every id on the page is resolved with one query per model.

The apps describe what the generic rules cannot know (`describe`): labels
for fields whose verbose name is not translated, keys a snapshot adds, and
how a nested value is summed up. They do so in `AppConfig.ready`, so this
module never imports an app above it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klynge.audit.models import AuditEntry
from klynge.common.templatetags.dk import dk_date, dk_datetime
from klynge.core.money import format_decimal, format_dkk, format_percent, group_thousands

HIDDEN = frozenset({"id"})
ORE_SUFFIX = " (øre)"
DASH = "–"


class Lookup:
    """Names for ids and municipality codes, loaded in bulk for a page of entries."""

    def __init__(self) -> None:
        self._wanted: dict[str, set[Any]] = defaultdict(set)
        self._names: dict[str, dict[str, str]] = {}
        self._municipalities: dict[str, str] | None = None

    def want(self, model_label: str, pk: Any) -> None:
        if pk is not None:
            self._wanted[model_label].add(pk)

    def load(self) -> None:
        """One query per model for every id wanted so far."""
        for model_label, pks in self._wanted.items():
            model = apps.get_model(model_label)
            rows = model._default_manager.in_bulk(list(pks))
            self._names[model_label] = {str(pk): str(row) for pk, row in rows.items()}
        self._wanted.clear()

    def name(self, model_label: str, pk: Any) -> str:
        """The row's name; a row deleted since is said to be so, never shown by its id."""
        found = self._names.get(model_label, {}).get(str(pk))
        return found if found is not None else _("(deleted since)")

    def municipality(self, code: str) -> str:
        """The municipality's name for a code (all municipalities are loaded once)."""
        if self._municipalities is None:
            model = apps.get_model("masterdata", "Municipality")
            self._municipalities = dict(model._default_manager.values_list("code", "name"))
        return self._municipalities.get(code, code)


Formatter = Callable[[Any, Lookup], str]


@dataclass(frozen=True)
class Description:
    """What an app tells about one audited model's entries."""

    labels: Mapping[str, Promise] = field(default_factory=dict)
    values: Mapping[str, Formatter] = field(default_factory=dict)


_DESCRIPTIONS: dict[str, Description] = {}


def describe(
    model_label: str,
    *,
    labels: Mapping[str, Promise] | None = None,
    values: Mapping[str, Formatter] | None = None,
) -> None:
    """Register labels and value formatters for the entries of `model_label` (app.model)."""
    _DESCRIPTIONS[model_label] = Description(labels=labels or {}, values=values or {})


@dataclass(frozen=True)
class Change:
    """One field of an entry as shown: its label and the values before and after."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ShownEntry:
    """An audit entry with its changes ready to show."""

    entry: AuditEntry
    changes: list[Change]


def shown_entries(entries: Iterable[AuditEntry]) -> list[ShownEntry]:
    """The entries with their changes formatted; every id is resolved in bulk."""
    entries = list(entries)
    keys = [(entry, _changed_keys(entry)) for entry in entries]
    lookup = Lookup()
    for entry, changed in keys:
        for key in changed:
            related = _related_label(entry.model, key)
            if related is not None:
                lookup.want(related, (entry.before or {}).get(key))
                lookup.want(related, (entry.after or {}).get(key))
    lookup.load()
    return [
        ShownEntry(
            entry,
            [
                Change(
                    label=label(entry.model, key),
                    before=value_text(entry.model, key, (entry.before or {}).get(key), lookup),
                    after=value_text(entry.model, key, (entry.after or {}).get(key), lookup),
                )
                for key in changed
            ],
        )
        for entry, changed in keys
    ]


def _changed_keys(entry: AuditEntry) -> list[str]:
    """The keys whose value differs, in the model's field order, extras after."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN]
    return [k for k in keys if before.get(k) != after.get(k)]


def _field(model_label: str, key: str) -> models.Field[Any, Any] | None:
    return _fields(model_label).get(key)


@cache
def _fields(model_label: str) -> dict[str, models.Field[Any, Any]]:
    """The model's concrete fields by attribute name; empty for a model that is gone."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def _related_label(model_label: str, key: str) -> str | None:
    model_field = _field(model_label, key)
    if (
        model_field is None
        or not (model_field.many_to_one or model_field.one_to_one)
        or model_field.related_model is None
    ):
        return None
    related = model_field.related_model
    assert not isinstance(related, str)  # noqa: S101  (resolved once apps are ready)
    return related._meta.label_lower


def label(model_label: str, key: str) -> str:
    """The field's label in the reader's language, capitalised, without '(øre)'."""
    description = _DESCRIPTIONS.get(model_label)
    text: str | None = None
    model_field = _field(model_label, key)
    if description is not None and key in description.labels:
        text = str(description.labels[key])
    elif model_field is not None and isinstance(model_field.verbose_name, Promise):
        text = str(model_field.verbose_name)
    elif key in COMMON_LABELS:
        text = str(COMMON_LABELS[key])
    else:
        text = key.removesuffix("_id").replace("_", " ")
    return capfirst(text.removesuffix(ORE_SUFFIX)) or key


def value_text(model_label: str, key: str, value: Any, lookup: Lookup) -> str:
    """`value` of field `key` as a reader reads it; a dash for no value."""
    if value is None or value == "":
        return DASH
    description = _DESCRIPTIONS.get(model_label)
    if description is not None and key in description.values:
        return description.values[key](value, lookup)
    model_field = _field(model_label, key)
    if model_field is not None:
        related = _related_label(model_label, key)
        if related is not None:
            return lookup.name(related, value)
        if model_field.choices:
            choices = {str(code): text for code, text in model_field.flatchoices}
            return str(choices.get(str(value), value))
        if isinstance(model_field, models.DateTimeField):
            return _datetime_text(value)
        if isinstance(model_field, models.DateField):
            return _date_text(value)
        if isinstance(model_field, models.DecimalField):
            return decimal_text(value)
    return plain_text(key, value)


def plain_text(key: str, value: Any) -> str:
    """A value by its type and key: booleans in words, øre as kr., years as they are."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int):
        if key.endswith("_ore"):
            return format_dkk(value)
        if key == "year" or key.endswith("_year"):
            return str(value)
        return group_thousands(value)
    if isinstance(value, list):
        return count_text(value)
    if isinstance(value, dict):
        return "; ".join(
            f"{capfirst(str(k).replace('_', ' '))}: {plain_text(str(k), v)}"
            for k, v in value.items()
        )
    return str(value)


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def count_text(value: list[Any]) -> str:
    return ngettext("%(count)s item", "%(count)s items", len(value)) % {
        "count": group_thousands(len(value))
    }


def _date_text(value: Any) -> str:
    parsed = parse_date(str(value)) if not isinstance(value, dt.date) else value
    return dk_date(parsed) if parsed else str(value)


def _datetime_text(value: Any) -> str:
    parsed = parse_datetime(str(value)) if not isinstance(value, dt.datetime) else value
    return dk_datetime(parsed) if parsed else str(value)


def decimal_text(value: Any) -> str:
    """A stored decimal ('2.50') in Danish: '2,50'."""
    try:
        exact = Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_decimal(exact, places=2)


def fraction_percent(value: Any) -> str:
    """A percentage stored as 'numerator/denominator' text: '25/2' -> '12,5 %'."""
    try:
        return format_percent(Fraction(str(value)), places=2)
    except (ValueError, ZeroDivisionError):
        return str(value)


def lines_total(value: Any, _lookup: Lookup) -> str:
    """Lines stored as lists ending in their amount in øre: '17 lines, total 4.000.000,00 kr.'."""
    if not isinstance(value, list):
        return plain_text("lines", value)
    total = sum(line[-1] for line in value if isinstance(line, list) and line)
    return ngettext(
        "%(count)s line, total %(total)s", "%(count)s lines, total %(total)s", len(value)
    ) % {"count": group_thousands(len(value)), "total": format_dkk(total)}


def short_hash(value: Any, _lookup: Lookup) -> str:
    """A fingerprint by its first 12 characters, as the pages show it."""
    return str(value)[:12]


# Keys whose field has no translated verbose name in several models (a foreign key
# named after its model), and keys a snapshot adds.
COMMON_LABELS: dict[str, Promise] = {
    "agreement_id": gettext_lazy("agreement"),
    "grant_id": gettext_lazy("grant"),
    "municipality_id": gettext_lazy("municipality"),
    "office_id": gettext_lazy("cluster office"),
    "request_id": gettext_lazy("payment request"),
    "run_id": gettext_lazy("allocation run"),
    "user_id": gettext_lazy("user"),
    "lines": gettext_lazy("lines"),
}
