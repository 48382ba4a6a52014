"""Loading the shipped grants, and registering money received on a grant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from klynge.audit.models import Action, AuditEntry
from klynge.audit.services import Actor, audited_upsert, record, snapshot
from klynge.common.choices import Basis
from klynge.common.db import analyze
from klynge.core.money import MoneyError, format_dkk, parse_dkk
from klynge.core.tabular import read_data_file
from klynge.core.text import is_digits
from klynge.funding.models import Grant, GrantReceipt
from klynge.masterdata.models import Cluster, Organisation
from klynge.masterdata.services import DataFileError, file_line

DATA_DIR = Path(__file__).parent / "data"


class FundingError(ValueError):
    """A receipt cannot be registered as asked; the message says why."""


@dataclass
class GrantsReport:
    created: list[str] = field(default_factory=list)


def _year(text: str, where: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if not is_digits(text):
        problems.append(_("%(where)s: '%(text)s' is not a year") % {"where": where, "text": text})
        return None
    return int(text)


@transaction.atomic
def grants_load(*, actor: Actor, data_dir: Path = DATA_DIR) -> GrantsReport:
    """
    Load the grants the seed names (facts only) from grants.csv; idempotent.

    A grant already stored is left as it is. Unknown values stay empty.

    :raises DataFileError: listing every bad row; nothing is stored
    """
    path = data_dir / "grants.csv"
    try:
        rows = [
            {key: value.strip() for key, value in row.items()}
            for row in read_data_file(path.read_text(encoding="utf-8-sig"), name=path.name)
        ]
    except OSError as error:
        raise DataFileError([f"{path.name}: {error}"]) from error
    except ValueError as error:  # TableError: one problem a line
        raise DataFileError(str(error).splitlines()) from error
    organisations = {o.name: o for o in Organisation.objects.all()}
    clusters = {c.key: c for c in Cluster.objects.all()}
    problems: list[str] = []
    parsed = []
    for number, row in enumerate(rows, start=2):
        where = file_line(path.name, number)
        grantor = organisations.get(row["grantor"]) if row["grantor"] else None
        if row["grantor"] and grantor is None:
            problems.append(
                _("%(where)s: unknown grantor '%(grantor)s'")
                % {"where": where, "grantor": row["grantor"]}
            )
        organisation = organisations.get(row["organisation"]) if row["organisation"] else None
        if row["organisation"] and organisation is None:
            problems.append(
                _("%(where)s: unknown organisation '%(organisation)s'")
                % {"where": where, "organisation": row["organisation"]}
            )
        keys = list(clusters) if row["clusters"] == "*" else row["clusters"].split()
        unknown = [key for key in keys if key not in clusters]
        if unknown:
            problems.append(
                _("%(where)s: unknown clusters %(clusters)s")
                % {"where": where, "clusters": unknown}
            )
        try:
            amount = parse_dkk(row["amount_kr"])
        except MoneyError as error:
            problems.append(f"{where}: {error}")
            amount = 0
        first = _year(row["first_year"], where, problems)
        last = _year(row["last_year"], where, problems)
        parsed.append((row, grantor, organisation, keys, amount, first, last))
    if problems:
        raise DataFileError(problems)
    report = GrantsReport()
    for row, grantor, organisation, keys, amount, first, last in parsed:
        grant, created = audited_upsert(
            Grant,
            actor=actor,
            lookup={"key": row["key"]},
            values={
                "grantor": grantor,
                "purpose": row["purpose"],
                "amount_ore": amount,
                "per_year": row["per_year"] == "ja",
                "first_year": first,
                "last_year": last,
                "organisation": organisation,
                "basis": Basis.FACT,
                "source": row["source"],
                "note": row["note"],
            },
            keep_existing=True,
        )
        if created:
            grant.clusters.set([clusters[key] for key in keys])
            report.created.append(grant.key)
    analyze(Grant, Grant.clusters.through, GrantReceipt, AuditEntry)
    return report


def received_ore(grant: Grant) -> int:
    return sum(grant.receipts.values_list("amount_ore", flat=True))


@transaction.atomic
def receipt_register(
    *,
    actor: Actor,
    grant: Grant,
    amount_ore: int,
    received_on: dt.date,
    reference: str,
    note: str = "",
) -> GrantReceipt:
    """
    Register money received on `grant`.

    :raises FundingError: if the amount is not positive, the reference is
        taken, or the amount exceeds what is still outstanding of a grant
        whose total is known
    """
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    reference = reference.strip()
    if amount_ore <= 0:
        raise FundingError(_("A receipt must be a positive amount."))
    if not reference:
        raise FundingError(_("A receipt needs a reference."))
    if GrantReceipt.objects.filter(reference=reference).exists():
        raise FundingError(
            _("The reference %(reference)s is already registered.") % {"reference": reference}
        )
    committed = grant.committed_ore()
    received = received_ore(grant)
    if committed is not None and received + amount_ore > committed:
        raise FundingError(
            _("%(amount)s is more than the %(owed)s still outstanding on the grant.")
            % {"amount": format_dkk(amount_ore), "owed": format_dkk(committed - received)}
        )
    receipt = GrantReceipt.objects.create(
        grant=grant, amount_ore=amount_ore, received_on=received_on, reference=reference, note=note
    )
    record(
        actor=actor, action=Action.CREATE, instance=receipt, before=None, after=snapshot(receipt)
    )
    return receipt


GRANT_YEARS = (2000, 2100)


@transaction.atomic
def grant_complete(
    *,
    actor: Actor,
    grant: Grant,
    grantor: Organisation | None,
    first_year: int | None,
    last_year: int | None,
    source: str,
    note: str = "",
    reason: str = "",
) -> Grant:
    """
    Fill in a grant's fields the sources left empty (grantor, years), with its source.

    :raises FundingError: if only one year is given, a year lies outside
        2000-2100, the last year is before the first, or the source is empty
    """
    if (first_year is None) != (last_year is None):
        raise FundingError(_("Give both the first and the last year, or neither."))
    low, high = GRANT_YEARS
    for year in (first_year, last_year):
        if year is not None and not low <= year <= high:
            raise FundingError(
                _("A year must lie in %(low)s-%(high)s.") % {"low": low, "high": high}
            )
    if first_year is not None and last_year is not None and last_year < first_year:
        raise FundingError(_("The last year cannot be before the first year."))
    if not source.strip():
        raise FundingError(_("Name the source of what you fill in."))
    row, _changed = audited_upsert(
        Grant,
        actor=actor,
        lookup={"pk": grant.pk},
        values={
            "grantor": grantor,
            "first_year": first_year,
            "last_year": last_year,
            "source": source.strip(),
            "note": note.strip(),
        },
        reason=reason,
    )
    return row
