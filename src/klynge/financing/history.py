"""
How the financing entries of the audit log read (registered in `FinancingConfig.ready`).

These labels (English msgids) name the fields as the history reads them, in
both languages; they may say more than the fields' verbose names.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klynge.audit.presentation import (
    Lookup,
    describe,
    fraction_percent,
    lines_total,
    plain_text,
    short_hash,
)
from klynge.core.money import format_dkk, group_thousands
from klynge.financing.models import KeyChoice

COMMON: dict[str, Promise] = {
    "year": gettext_lazy("year"),
    "name": gettext_lazy("name"),
    "first_year": gettext_lazy("first year"),
    "last_year": gettext_lazy("last year"),
    "basis": gettext_lazy("basis"),
    "note": gettext_lazy("note"),
    "source": gettext_lazy("source"),
    "created_at": gettext_lazy("created"),
    "created_by": gettext_lazy("created by"),
}


def _labels(**extra: Promise) -> dict[str, Promise]:
    return {**COMMON, **extra}


def run_inputs(value: Any, _lookup: Lookup) -> str:
    """A run's stored inputs in short: how many municipalities and offices."""
    if not isinstance(value, dict):
        return plain_text("inputs", value)
    municipalities = len(value.get("municipalities", []))
    offices = len(value.get("offices", []))
    return _("%(municipalities)s municipalities, %(offices)s cluster offices") % {
        "municipalities": group_thousands(municipalities),
        "offices": group_thousands(offices),
    }


def texts(value: Any, _lookup: Lookup) -> str:
    """A list of sentences (the reservations an approver confirmed), one after the other."""
    if not isinstance(value, list):
        return plain_text("", value)
    return " ".join(str(text) for text in value) if value else "–"


def scenario_changes(value: Any, lookup: Lookup) -> str:
    """A scenario's changes in words; codes become municipality names."""
    if not isinstance(value, dict):
        return plain_text("changes", value)

    def names(codes: Any) -> str:
        return ", ".join(lookup.municipality(str(code)) for code in codes)

    parts = []
    if value.get("leave"):
        parts.append(_("leave: %(names)s") % {"names": names(value["leave"])})
    if value.get("join"):
        parts.append(_("join: %(names)s") % {"names": names(value["join"])})
    for office, code in (value.get("leads") or {}).items():
        parts.append(
            _("lead of %(office)s: %(municipality)s")
            % {"office": office, "municipality": lookup.municipality(str(code)) if code else "–"}
        )
    for key, text in (
        ("office_amount_ore", gettext_lazy("amount per office")),
        ("lead_share_ore", gettext_lazy("lead share")),
    ):
        if value.get(key) is not None:
            parts.append(f"{text}: {format_dkk(int(value[key]))}")
    for key, text in (
        ("lead_share_percent", gettext_lazy("lead share in per cent")),
        ("index_percent", gettext_lazy("price and wage index")),
    ):
        if value.get(key):
            parts.append(f"{text}: {fraction_percent(value[key])}")
    if value.get("rounding_unit_ore"):
        parts.append(f"{_('rounding unit')}: {format_dkk(int(value['rounding_unit_ore']))}")
    if value.get("key"):
        choices = dict(KeyChoice.choices)
        parts.append(f"{_('allocation key')}: {choices.get(value['key'], value['key'])}")
    if value.get("custom_weights"):
        parts.append(
            _("custom weights: %(weights)s")
            % {
                "weights": ", ".join(
                    f"{lookup.municipality(str(code))} {group_thousands(int(weight))}"
                    for code, weight in value["custom_weights"].items()
                )
            }
        )
    if value.get("new_offices"):
        count = len(value["new_offices"])
        parts.append(
            ngettext("%(count)s new office", "%(count)s new offices", count) % {"count": count}
        )
    return "; ".join(parts) if parts else _("no changes")


def register() -> None:
    describe(
        "financing.agreement",
        labels=_labels(
            reference_date_rule=gettext_lazy("reference date for the population"),
            fixed_reference_date=gettext_lazy("fixed reference date"),
            index_base_year=gettext_lazy("base year of the price and wage index"),
            collector=gettext_lazy("collecting party"),
            collector_basis=gettext_lazy("basis of the collecting party"),
            collector_note=gettext_lazy("source of the collecting party"),
        ),
    )
    describe(
        "financing.agreementyear",
        labels=_labels(
            office_amount_ore=gettext_lazy("amount per office"),
            lead_share_ore=gettext_lazy("lead share"),
            key=gettext_lazy("allocation key"),
            rounding_unit_ore=gettext_lazy("rounding unit"),
            index_percent=gettext_lazy("price and wage index (%)"),
        ),
    )
    describe("financing.financedoffice", labels=_labels(first_year=gettext_lazy("financed from")))
    describe(
        "financing.officelead",
        labels=_labels(municipality_id=gettext_lazy("lead municipality")),
    )
    describe("financing.participation", labels=_labels(participates=gettext_lazy("takes part")))
    describe(
        "financing.allocationrun",
        labels=_labels(
            fingerprint=gettext_lazy("fingerprint"),
            inputs=gettext_lazy("basis of the computation"),
            status=gettext_lazy("status"),
            created_at=gettext_lazy("computed"),
            created_by=gettext_lazy("computed by"),
            approved_at=gettext_lazy("approved"),
            approved_by=gettext_lazy("approved by"),
            acknowledged=gettext_lazy("reservations the approver confirmed"),
            replaces=gettext_lazy("replaces"),
            replace_reason=gettext_lazy("reason for the correction"),
            replaced_at=gettext_lazy("replaced"),
            lines=gettext_lazy("lines"),
        ),
        values={
            "lines": lines_total,
            "inputs": run_inputs,
            "fingerprint": short_hash,
            "acknowledged": texts,
        },
    )
    describe(
        "financing.scenario",
        labels=_labels(changes=gettext_lazy("changes")),
        values={"changes": scenario_changes},
    )
