"""
Writes of agreements and allocation runs.

Every write is one atomic service call; views, commands and (later) the API
call these and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from klynge.audit.models import Action, AuditEntry
from klynge.audit.services import Actor, audited_upsert, record, snapshot
from klynge.common.choices import Basis
from klynge.common.db import analyze
from klynge.core.scenario import Changes
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    AllocationLine,
    AllocationRun,
    Collector,
    FinancedOffice,
    OfficeLead,
    Participation,
    RunStatus,
    Scenario,
)
from klynge.financing.selectors import allocation_compute, approval_checklist, run_approved
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.masterdata.services import DATA_DIR, DataFileError


class ApprovalError(ValueError):
    """A run cannot be approved."""


@transaction.atomic
def agreement_load(*, actor: Actor, data_dir: Path = DATA_DIR) -> Agreement:
    """
    Load the shipped agreement with its offices, leads and participation.

    Rows that already exist are kept as they are, so changes the secretariat
    made (participation, leads) survive a reload; each row created gets an
    audit entry. A lead named by a source (`lead_facts`) is stored as a fact
    with its source in the note; the others as the working assumption
    "lead = host municipality"; an office without a host gets no lead. A lead
    row that only the loader has written (no change by anyone else in the
    audit log), or that holds demo data, follows the file, so a new fact or a
    newly known host reaches an existing database. All municipalities are stored as participants,
    marked as an assumption (the source says 16 of 17 without naming the
    one outside).

    :raises DataFileError: if the file is missing or names an unknown office
    """
    path = data_dir / "agreement.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as error:
        raise DataFileError([f"{path.name}: {error}"]) from error
    offices = {o.name: o for o in ClusterOffice.objects.select_related("host_municipality")}
    unknown = [f["office"] for f in spec["financed_offices"] if f["office"] not in offices]
    if unknown:
        raise DataFileError(
            [
                gettext("%(file)s: unknown cluster offices %(names)s")
                % {"file": path.name, "names": unknown}
            ]
        )
    agreement, _ = audited_upsert(
        Agreement,
        actor=actor,
        lookup={"name": spec["name"]},
        values={
            "first_year": spec["first_year"],
            "last_year": spec["last_year"],
            "reference_date_rule": spec["reference_date_rule"],
            "source": spec["source"],
        },
        keep_existing=True,
    )
    for year in agreement.years():
        audited_upsert(
            AgreementYear,
            actor=actor,
            lookup={"agreement": agreement, "year": year},
            values={
                "office_amount_ore": spec["office_amount_ore"],
                "lead_share_ore": spec["lead_share_ore"],
            },
            keep_existing=True,
            year=year,
        )
    municipalities = list(Municipality.objects.all())
    lead_facts = _lead_facts(spec, path.name, offices, {m.code: m for m in municipalities})
    for financed in spec["financed_offices"]:
        office = offices[financed["office"]]
        audited_upsert(
            FinancedOffice,
            actor=actor,
            lookup={"agreement": agreement, "office": office},
            values={"first_year": financed["first_year"]},
            keep_existing=True,
            office_id=office.pk,
        )
        host = office.host_municipality
        values = lead_facts.get(office.name) or {
            "municipality": host,
            "basis": Basis.ASSUMPTION if host else Basis.FACT,
            "note": spec["lead_note"],
        }
        lead = values["municipality"]
        for year in range(financed["first_year"], agreement.last_year + 1):
            lookup = {"agreement": agreement, "office": office, "year": year}
            stored = OfficeLead.objects.filter(**lookup).first()
            audited_upsert(
                OfficeLead,
                actor=actor,
                lookup=lookup,
                values=values,
                keep_existing=(
                    stored is not None and stored.basis != Basis.DEMO and _changed_by_users(stored)
                ),
                reason=LOAD_REASON,
                municipality_code=lead.code if lead else "",
                office_id=office.pk,
                year=year,
            )
    for year in agreement.years():
        for municipality in municipalities:
            audited_upsert(
                Participation,
                actor=actor,
                lookup={"agreement": agreement, "municipality": municipality, "year": year},
                values={
                    "participates": True,
                    "basis": Basis.ASSUMPTION,
                    "note": spec["participation_note"],
                },
                keep_existing=True,
                municipality_code=municipality.code,
                year=year,
            )
    analyze(Agreement, AgreementYear, FinancedOffice, OfficeLead, Participation, AuditEntry)
    return agreement


LOAD_REASON = "load-sjaelland"


def _changed_by_users(row: OfficeLead) -> bool:
    """Whether anyone but the loader has changed `row` (an update not marked as a load)."""
    return (
        AuditEntry.objects.filter(
            model=row._meta.label_lower, object_pk=str(row.pk), action=Action.UPDATE
        )
        .exclude(reason=LOAD_REASON)
        .exists()
    )


def _lead_facts(
    spec: dict[str, Any],
    file_name: str,
    offices: dict[str, ClusterOffice],
    municipalities: dict[str, Municipality],
) -> dict[str, dict[str, Any]]:
    """The leads a source names, as OfficeLead values by office name. :raises DataFileError:"""
    facts = {}
    problems = []
    for fact in spec.get("lead_facts", []):
        office, code, note = fact.get("office"), fact.get("municipality"), fact.get("note", "")
        if office not in offices:
            problems.append(
                gettext("%(file)s: lead_facts names an unknown cluster office '%(office)s'")
                % {"file": file_name, "office": office}
            )
        elif code not in municipalities:
            problems.append(
                gettext("%(file)s: lead_facts names an unknown municipality code '%(code)s'")
                % {"file": file_name, "code": code}
            )
        elif not note.strip():
            problems.append(
                gettext("%(file)s: lead_facts for '%(office)s' has no source")
                % {"file": file_name, "office": office}
            )
        else:
            facts[office] = {
                "municipality": municipalities[code],
                "basis": Basis.FACT,
                "note": note,
            }
    if problems:
        raise DataFileError(problems)
    return facts


def _outside_agreement(agreement: Agreement, year: int) -> str:
    return gettext("%(year)s is outside the agreement's years %(first)s-%(last)s.") % {
        "year": year,
        "first": agreement.first_year,
        "last": agreement.last_year,
    }


@transaction.atomic
def participation_set(
    *,
    actor: Actor,
    agreement: Agreement,
    municipality: Municipality,
    years: Iterable[int],
    participates: bool,
    basis: str = Basis.FACT,
    note: str = "",
) -> list[Participation]:
    """
    Set whether `municipality` takes part in `agreement` in each of `years`.

    :raises ValueError: if a year is outside the agreement
    """
    rows = []
    for year in years:
        if year not in agreement.years():
            raise ValueError(_outside_agreement(agreement, year))
        row, _ = audited_upsert(
            Participation,
            actor=actor,
            lookup={"agreement": agreement, "municipality": municipality, "year": year},
            values={"participates": participates, "basis": basis, "note": note},
            municipality_code=municipality.code,
            year=year,
        )
        rows.append(row)
    return rows


@transaction.atomic
def lead_set(
    *,
    actor: Actor,
    agreement: Agreement,
    office: ClusterOffice,
    years: Iterable[int],
    municipality: Municipality | None,
    basis: str = Basis.FACT,
    note: str = "",
) -> list[OfficeLead]:
    """
    Set the lead municipality of `office` under `agreement` for each of `years`.

    :raises ValueError: if the office is not financed in a year, or the year
        is outside the agreement
    """
    financed = FinancedOffice.objects.filter(agreement=agreement, office=office).first()
    if financed is None:
        raise ValueError(
            gettext("%(office)s is not financed by '%(agreement)s'.")
            % {"office": office.name, "agreement": agreement.name}
        )
    rows = []
    for year in years:
        if year not in agreement.years() or year < financed.first_year:
            raise ValueError(
                gettext(
                    "%(office)s is financed by the agreement from %(first)s to %(last)s; "
                    "%(year)s is outside."
                )
                % {
                    "office": office.name,
                    "first": financed.first_year,
                    "last": agreement.last_year,
                    "year": year,
                }
            )
        row, _ = audited_upsert(
            OfficeLead,
            actor=actor,
            lookup={"agreement": agreement, "office": office, "year": year},
            values={"municipality": municipality, "basis": basis, "note": note},
            municipality_code=municipality.code if municipality else "",
            office_id=office.pk,
            year=year,
        )
        rows.append(row)
    return rows


@transaction.atomic
def terms_set(
    *,
    actor: Actor,
    agreement: Agreement,
    year: int,
    office_amount_ore: int,
    lead_share_ore: int,
    reason: str = "",
) -> AgreementYear:
    """
    Set the amount per office and the lead share of `agreement` in `year`.

    An approved run keeps its amounts; the change shows up as a new run.

    :raises ValueError: if the year is outside the agreement, an amount is
        negative, or the lead share exceeds the office amount
    """
    if year not in agreement.years():
        raise ValueError(_outside_agreement(agreement, year))
    if office_amount_ore < 0 or lead_share_ore < 0:
        raise ValueError(gettext("The amounts cannot be negative."))
    if lead_share_ore > office_amount_ore:
        raise ValueError(gettext("The lead share cannot be larger than the amount per office."))
    row, _ = audited_upsert(
        AgreementYear,
        actor=actor,
        lookup={"agreement": agreement, "year": year},
        values={"office_amount_ore": office_amount_ore, "lead_share_ore": lead_share_ore},
        reason=reason,
        year=year,
    )
    return row


@transaction.atomic
def collector_set(
    *,
    actor: Actor,
    agreement: Agreement,
    collector: str,
    basis: str = Basis.FACT,
    note: str = "",
) -> Agreement:
    """
    Set who collects the municipal shares under `agreement` (Collector), as a
    fact with its source in `note`, or as an assumption.

    Requests already made keep the payee they were made with.

    :raises ValueError: for an unknown collector or basis
    """
    if collector not in Collector.values:
        raise ValueError(
            gettext("Unknown collector '%(collector)s'; choose %(choices)s.")
            % {"collector": collector, "choices": gettext(" or ").join(Collector.values)}
        )
    if basis not in (Basis.FACT, Basis.ASSUMPTION):
        raise ValueError(
            gettext("Unknown basis '%(basis)s'; choose fact or assumption.") % {"basis": basis}
        )
    row, _ = audited_upsert(
        Agreement,
        actor=actor,
        lookup={"pk": agreement.pk},
        values={"collector": collector, "collector_basis": basis, "collector_note": note},
        reason=note,
    )
    return row


@transaction.atomic
def scenario_save(
    *, actor: Actor, agreement: Agreement, year: int, name: str, changes: Changes
) -> Scenario:
    """
    Save `changes` on `agreement` in `year` as a named scenario.

    :raises ValueError: if the name is empty or taken, or the year is outside the agreement
    """
    name = name.strip()
    if not name:
        raise ValueError(gettext("Give the scenario a name."))
    if year not in agreement.years():
        raise ValueError(
            gettext("%(year)s lies outside the agreement's years %(first)s-%(last)s.")
            % {"year": year, "first": agreement.first_year, "last": agreement.last_year}
        )
    if Scenario.objects.filter(name=name).exists():
        raise ValueError(gettext("A scenario named '%(name)s' already exists.") % {"name": name})
    scenario = Scenario.objects.create(
        agreement=agreement, year=year, name=name, changes=changes.as_json(),
        created_by=actor.label,
    )  # fmt: skip
    record(
        actor=actor, action=Action.CREATE, instance=scenario, before=None,
        after=snapshot(scenario), year=year,
    )  # fmt: skip
    return scenario


@transaction.atomic
def allocation_run_create(*, actor: Actor, agreement: Agreement, year: int) -> AllocationRun:
    """
    Compute and store the allocation of every financed office in `year`.

    A run with the same inputs (same fingerprint) is returned instead of
    storing a copy.

    :raises AllocationInputError: listing every missing input; nothing is stored
    """
    computation = allocation_compute(agreement=agreement, year=year)
    existing = (
        AllocationRun.objects.filter(
            agreement=agreement, year=year, fingerprint=computation.fingerprint
        )
        .exclude(status=RunStatus.REPLACED)
        .first()
    )
    if existing is not None:
        return existing
    run = AllocationRun.objects.create(
        agreement=agreement,
        year=year,
        fingerprint=computation.fingerprint,
        inputs=computation.inputs.as_json(),
        created_by=actor.label,
    )
    offices = {o.name: o for o in computation.inputs.offices}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    lines = AllocationLine.objects.bulk_create(
        AllocationLine(
            run=run,
            office=offices[line.office],
            municipality=municipalities[line.municipality_code],
            role=line.role.value,
            amount_ore=line.amount_ore,
            population=line.population.population if line.population else None,
            population_date=line.population.reference_date if line.population else None,
            population_source=line.population.source if line.population else "",
            weight=line.weight,
            key_total=line.key_total,
            split_ore=line.split_ore,
            quota_numerator=line.quota.numerator if line.quota is not None else None,
            quota_denominator=line.quota.denominator if line.quota is not None else None,
            explanation=line.explanation(),
        )
        for allocation in computation.allocations
        for line in allocation.lines
    )
    record(
        actor=actor,
        action=Action.CREATE,
        instance=run,
        before=None,
        after=_run_state(run, lines),
        year=year,
    )
    analyze(AllocationLine, AuditEntry)
    return run


def _run_state(run: AllocationRun, lines: Iterable[AllocationLine]) -> dict[str, object]:
    """A run as audited: its fields and, compactly, every line's amount."""
    return snapshot(
        run,
        lines=sorted(
            [line.office_id, line.municipality.code, line.role, line.amount_ore] for line in lines
        ),
    )


def run_state(run: AllocationRun) -> dict[str, object]:
    """The audited state of a stored run, to compare with a replay of the log."""
    return _run_state(run, run.lines.select_related("municipality"))


MAX_REASON_CHARS = 1000


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ApprovalError(
            gettext("Give a reason for correcting the approved allocation; it is kept with both.")
        )
    if len(reason) > MAX_REASON_CHARS:
        raise ApprovalError(
            gettext("The reason may be at most %(max)s characters.") % {"max": MAX_REASON_CHARS}
        )
    return reason


@transaction.atomic
def allocation_run_approve(
    *,
    actor: Actor,
    run: AllocationRun,
    confirmed: bool = False,
    replaces: AllocationRun | None = None,
    reason: str = "",
) -> AllocationRun:
    """
    Approve `run`, freezing it; only one run per agreement and year is approved.

    Approval is a confirmation: when the run rests on assumptions
    (`approval_checklist`), `confirmed` says the approver has read them, and
    they are stored on the run. A run can replace the year's approved run
    (`replaces`) with a `reason`: the old run stays frozen, marked replaced,
    and both changes are audited.

    :raises ApprovalError: if it is approved already, another run is approved
        and is not the one replaced, the checklist is not confirmed, or a
        replacement has no reason
    """
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.COMPUTED:
        raise ApprovalError(
            gettext("Allocation #%(run)s for %(year)s is already approved.")
            % {"run": run.pk, "year": run.year}
        )
    other = (
        AllocationRun.objects.select_for_update()
        .filter(agreement=run.agreement, year=run.year, status=RunStatus.APPROVED)
        .first()
    )
    if other is not None and (replaces is None or replaces.pk != other.pk):
        raise ApprovalError(
            gettext(
                "Allocation #%(run)s for %(year)s is already approved. To correct the year, "
                "approve the new allocation as a replacement of #%(run)s with a reason."
            )
            % {"run": other.pk, "year": run.year}
        )
    if replaces is not None and other is None:
        raise ApprovalError(
            gettext("Allocation #%(run)s is not the approved allocation for %(year)s.")
            % {"run": replaces.pk, "year": run.year}
        )
    checklist = approval_checklist(run=run)
    if checklist and not confirmed:
        raise ApprovalError(
            gettext(
                "Confirm that you have read the allocation's open assumptions and problems "
                "before approving it."
            )
        )
    if other is not None:
        run.replace_reason = _check_reason(reason)
        run.replaces = other
        before_old = run_state(other)
        other.status = RunStatus.REPLACED
        other.replaced_at = timezone.now()
        other.save(update_fields=["status", "replaced_at"])
        record(
            actor=actor, action=Action.UPDATE, instance=other, before=before_old,
            after=run_state(other), reason=run.replace_reason, year=other.year,
        )  # fmt: skip
    before = run_state(run)
    run.status = RunStatus.APPROVED
    run.approved_at = timezone.now()
    run.approved_by = actor.label
    run.acknowledged = checklist
    try:
        run.save(
            update_fields=[
                "status", "approved_at", "approved_by", "acknowledged", "replaces",
                "replace_reason",
            ]
        )  # fmt: skip
    except IntegrityError as error:  # a concurrent approval won the race
        raise ApprovalError(
            gettext("Another allocation for %(year)s was approved at the same time.")
            % {"year": run.year}
        ) from error
    record(
        actor=actor,
        action=Action.UPDATE,
        instance=run,
        before=before,
        after=run_state(run),
        reason=run.replace_reason,
        year=run.year,
    )
    return run


@transaction.atomic
def allocation_correct(
    *, actor: Actor, agreement: Agreement, year: int, reason: str, confirmed: bool
) -> AllocationRun:
    """
    Correct an approved year: store today's computation and approve it in
    place of the approved run, with `reason`.

    :raises ApprovalError: if the year has no approved run, nothing has changed
        since it, the reason is missing, or the checklist is not confirmed
    :raises AllocationInputError: if today's inputs cannot be computed
    """
    approved = run_approved(agreement=agreement, year=year)
    if approved is None:
        raise ApprovalError(
            gettext("%(year)s has no approved allocation to correct; approve one instead.")
            % {"year": year}
        )
    _check_reason(reason)
    run = allocation_run_create(actor=actor, agreement=agreement, year=year)
    if run.pk == approved.pk:
        raise ApprovalError(
            gettext(
                "Nothing has changed since allocation #%(run)s was approved; there is "
                "nothing to correct."
            )
            % {"run": approved.pk}
        )
    return allocation_run_approve(
        actor=actor, run=run, confirmed=confirmed, replaces=approved, reason=reason
    )
