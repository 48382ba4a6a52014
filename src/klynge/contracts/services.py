"""
Writes of result contracts, KPI sets and the yearly follow-up; each audited.

Every function is atomic and keyword-only, and refuses bad input with a
`ContractError` whose Danish message names what is wrong; nothing is stored
then. Permissions are the caller's: views and commands ask
`klynge.common.perms` before they call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from klynge.audit.models import Action
from klynge.audit.services import Actor, record, snapshot
from klynge.common.choices import Basis
from klynge.contracts.models import (
    COMPUTED_SOURCES,
    Contract,
    ContractDocument,
    ContractKind,
    ContractStatus,
    FollowUpRound,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    KpiResult,
    OfficeReport,
    ReminderSent,
    ReminderStage,
    ReportStatus,
)
from klynge.core import kpi
from klynge.core.money import format_megabytes
from klynge.core.numbers import FIRST_YEAR, LAST_YEAR
from klynge.core.tabular import read_data_file
from klynge.financing.models import Agreement, OfficeLead
from klynge.masterdata.models import Cluster, ClusterOffice, Municipality, Organisation
from klynge.participation.selectors import register_counts

DATA_DIR = Path(__file__).parent / "data"
PDF_MAGIC = b"%PDF-"


class ContractError(ValueError):
    """A change is refused; the message (Danish) says why. `problems` lists each."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else problems
        super().__init__(" ".join(self.problems))


def _audit(
    actor: Actor,
    action: Action,
    instance: Any,
    before: dict[str, Any] | None,
    *,
    contract: Contract,
    year: int | None = None,
    reason: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    record(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=after if after is not None else (snapshot(instance) if action != Action.DELETE
                                               else None),
        reason=reason,
        office_id=contract.office_id,
        municipality_code=contract.lead_municipality.code if contract.lead_municipality else "",
        year=year,
    )  # fmt: skip


# --- contracts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractInput:
    """What the secretariat states about a contract."""

    kind: str
    title: str
    first_year: int
    last_year: int
    office: ClusterOffice | None = None
    cluster: Cluster | None = None
    lead_municipality: Municipality | None = None
    counterparty: Organisation | None = None
    agreement: Agreement | None = None
    met_percent: int = 100
    partly_percent: int = 80
    note: str = ""
    basis: str = Basis.FACT


def _check_input(data: ContractInput) -> list[str]:
    problems = []
    if not data.title.strip():
        problems.append("Skriv en titel.")
    for year in (data.first_year, data.last_year):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            problems.append(f"Året {year} ligger uden for {FIRST_YEAR}-{LAST_YEAR}.")
    if data.last_year < data.first_year:
        problems.append(
            f"Perioden slutter ({data.last_year}) før den begynder ({data.first_year})."
        )
    if not 0 < data.partly_percent <= data.met_percent <= 1000:
        problems.append("Tærsklerne skal opfylde: 0 < delvist opfyldt fra ≤ opfyldt fra ≤ 1.000 %.")
    if data.kind == ContractKind.OFFICE:
        if data.office is None:
            problems.append("Vælg klyngekontoret.")
        if data.lead_municipality is None:
            problems.append("Vælg leadkommunen.")
        if data.agreement is None:
            problems.append("Vælg den aftale, kontrakten hører til.")
    elif data.kind == ContractKind.CLUSTER:
        if data.cluster is None:
            problems.append("Vælg klyngen.")
        if data.counterparty is None:
            problems.append("Vælg kontraktparten (Uddannelses- og Forskningsstyrelsen).")
    else:
        problems.append(f"Ukendt kontrakttype '{data.kind}'.")
    if problems:
        return problems
    agreement = data.agreement
    if agreement is not None and not (
        agreement.first_year <= data.first_year and data.last_year <= agreement.last_year
    ):
        problems.append(
            f"Perioden {data.first_year}-{data.last_year} ligger uden for aftalen "
            f"»{agreement.name}« ({agreement.first_year}-{agreement.last_year})."
        )
    if data.kind == ContractKind.OFFICE and agreement is not None and data.office is not None:
        leads = OfficeLead.objects.filter(
            agreement=agreement,
            office=data.office,
            year__range=(data.first_year, data.last_year),
        )
        lead = data.lead_municipality
        if lead is not None and not leads.filter(municipality=lead).exists():
            problems.append(
                f"{lead.name} Kommune er ikke leadkommune for "
                f"{data.office.name} i perioden {data.first_year}-{data.last_year}."
            )
    return problems


def _previous(contract: Contract) -> Contract | None:
    """The holder's contract before this one (the latest ending before it begins)."""
    holder = Q(office=contract.office) if contract.office_id else Q(cluster=contract.cluster)
    return (
        Contract.objects.filter(holder, last_year__lt=contract.first_year)
        .exclude(pk=contract.pk)
        .order_by("-last_year", "-pk")
        .first()
    )


@transaction.atomic
def contract_create(*, actor: Actor, data: ContractInput) -> Contract:
    """
    Create a draft contract with its KPI set.

    The set is copied from the holder's previous contract (same keys, so the
    periods stay comparable); an office's first contract gets the default set
    (data/default_kpis.csv, with its sources); a cluster's first gets none.

    :raises ContractError: listing what is wrong
    """
    problems = _check_input(data)
    if problems:
        raise ContractError(problems)
    contract = Contract.objects.create(
        kind=data.kind,
        title=data.title.strip()[:200],
        office=data.office,
        cluster=data.cluster,
        lead_municipality=data.lead_municipality,
        counterparty=data.counterparty,
        agreement=data.agreement,
        first_year=data.first_year,
        last_year=data.last_year,
        met_percent=data.met_percent,
        partly_percent=data.partly_percent,
        note=data.note,
        basis=data.basis,
    )
    _audit(actor, Action.CREATE, contract, None, contract=contract)
    previous = _previous(contract)
    if previous is not None:
        _copy_indicators(actor, source=previous, target=contract)
    elif contract.kind == ContractKind.OFFICE:
        for row in default_indicator_rows():
            _indicator_create(actor, contract, row)
    return contract


def _copy_indicators(actor: Actor, *, source: Contract, target: Contract) -> None:
    for old in source.indicators.all():
        _indicator_create(
            actor,
            target,
            {
                "key": old.key, "name": old.name, "definition": old.definition,
                "unit": old.unit, "kind": old.kind, "direction": old.direction,
                "source": old.source, "baseline": old.baseline, "position": old.position,
            },
        )  # fmt: skip


def default_indicator_rows(data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    """The default KPI set for an office's first contract (our proposal, sourced)."""
    path = data_dir / "default_kpis.csv"
    rows = read_data_file(path.read_text(encoding="utf-8-sig"), name=path.name)
    return [
        {
            "key": row["key"], "name": row["name"], "definition": row["definition"],
            "unit": row["unit"], "kind": row["kind"], "direction": row["direction"],
            "source": row["source"], "baseline": None, "position": position,
        }
        for position, row in enumerate(rows, start=1)
    ]  # fmt: skip


def _indicator_create(actor: Actor, contract: Contract, values: Mapping[str, Any]) -> Indicator:
    indicator = Indicator.objects.create(contract=contract, **values)
    _audit(actor, Action.CREATE, indicator, None, contract=contract)
    return indicator


def _frozen(contract: Contract) -> None:
    if contract.status != ContractStatus.DRAFT:
        raise ContractError(
            f"Kontrakten er {contract.get_status_display().lower()} og kan ikke ændres; "
            "lav en ny kontrakt, der erstatter den."
        )


@transaction.atomic
def contract_update(*, actor: Actor, contract: Contract, data: ContractInput) -> Contract:
    """
    Change a draft contract's parties, period or thresholds.

    :raises ContractError: if it is no longer a draft, or the input is wrong
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _frozen(contract)
    if data.kind != contract.kind:
        raise ContractError("En kontrakts type kan ikke ændres.")
    problems = _check_input(data)
    if problems:
        raise ContractError(problems)
    before = snapshot(contract)
    contract.title = data.title.strip()[:200]
    contract.office, contract.cluster = data.office, data.cluster
    contract.lead_municipality, contract.counterparty = data.lead_municipality, data.counterparty
    contract.agreement = data.agreement
    contract.first_year, contract.last_year = data.first_year, data.last_year
    contract.met_percent, contract.partly_percent = data.met_percent, data.partly_percent
    contract.note = data.note
    contract.save()
    IndicatorTarget.objects.filter(indicator__contract=contract).exclude(
        year__range=(contract.first_year, contract.last_year)
    ).delete()
    _audit(actor, Action.UPDATE, contract, before, contract=contract)
    return contract


def _overlapping(contract: Contract) -> list[Contract]:
    holder = Q(office=contract.office) if contract.office_id else Q(cluster=contract.cluster)
    return list(
        Contract.objects.filter(
            holder,
            status=ContractStatus.SIGNED,
            first_year__lte=contract.last_year,
            last_year__gte=contract.first_year,
        ).exclude(pk__in=[contract.pk, contract.replaces_id or 0])
    )


@transaction.atomic
def contract_sign(
    *, actor: Actor, contract: Contract, signed_on: dt.date, replaces: Contract | None = None
) -> Contract:
    """
    Mark a draft contract signed, with its signed PDF already uploaded.

    With `replaces`, that signed contract of the same holder becomes
    "erstattet". Two signed contracts of one holder never cover the same year.

    :raises ContractError: not a draft, no document, overlapping, or a bad date
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _frozen(contract)
    problems = []
    if not contract.documents.exists():
        problems.append("Upload den underskrevne kontrakt som PDF, før den markeres underskrevet.")
    if not contract.indicators.exists():
        problems.append("Kontrakten har ingen indikatorer.")
    if signed_on > timezone.localdate():
        problems.append("Underskriftsdatoen ligger i fremtiden.")
    if replaces is not None:
        replaces = Contract.objects.select_for_update().get(pk=replaces.pk)
        same_holder = (replaces.office_id, replaces.cluster_id) == (
            contract.office_id, contract.cluster_id,
        )  # fmt: skip
        if not same_holder or replaces.status != ContractStatus.SIGNED or replaces == contract:
            problems.append(
                "Kun en underskrevet kontrakt for samme kontor eller klynge kan erstattes."
            )
    before = snapshot(contract)
    contract.replaces = replaces
    clash = _overlapping(contract)
    if clash:
        problems.append(
            "Perioden overlapper en anden underskreven kontrakt: "
            + ", ".join(str(other) for other in clash)
            + ". Vælg den som den, der erstattes, eller ret perioden."
        )
    if problems:
        raise ContractError(problems)
    if replaces is not None:  # locked above
        old_before = snapshot(replaces)
        replaces.status = ContractStatus.REPLACED
        replaces.save(update_fields=["status"])
        _audit(actor, Action.UPDATE, replaces, old_before, contract=replaces,
               reason=f"Erstattet af {contract}")  # fmt: skip
    contract.status = ContractStatus.SIGNED
    contract.signed_on = signed_on
    contract.save(update_fields=["status", "signed_on", "replaces"])
    _audit(actor, Action.UPDATE, contract, before, contract=contract, reason="Underskrevet")
    for follow_up in FollowUpRound.objects.filter(year__in=list(contract.years())):
        _ensure_reports(actor, follow_up)
    return contract


@transaction.atomic
def contract_expire(*, actor: Actor, contract: Contract) -> Contract:
    """Mark a signed contract whose period has ended as expired."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.SIGNED:
        raise ContractError("Kun en underskrevet kontrakt kan markeres udløbet.")
    if contract.last_year >= timezone.localdate().year:
        raise ContractError(f"Kontraktens periode løber til og med {contract.last_year}.")
    before = snapshot(contract)
    contract.status = ContractStatus.EXPIRED
    contract.save(update_fields=["status"])
    _audit(actor, Action.UPDATE, contract, before, contract=contract, reason="Udløbet")
    return contract


def _document_state(document: ContractDocument) -> dict[str, Any]:
    return {
        "contract_id": document.contract_id, "file_name": document.file_name,
        "size": document.size, "sha256": document.sha256,
    }  # fmt: skip


def check_pdf(data: bytes, *, max_bytes: int | None = None) -> list[str]:
    """
    Why `data` is not an acceptable contract document: empty when it is.

    The content decides, not the name: a PDF begins with '%PDF-' (within the
    first 1.024 bytes, as readers allow) and ends with '%%EOF'.
    """
    limit = max_bytes if max_bytes is not None else int(settings.KLYNGE_CONTRACT_MAX_BYTES)
    if not data:
        return ["Filen er tom."]
    if len(data) > limit:
        return [
            f"Filen er {format_megabytes(len(data))} MB; en kontrakt må højst fylde "
            f"{format_megabytes(limit)} MB."
        ]
    if PDF_MAGIC not in data[:1024] or b"%%EOF" not in data[-1024:]:
        return ["Filen er ikke en PDF (indholdet begynder ikke som en PDF-fil)."]
    return []


@transaction.atomic
def document_upload(
    *, actor: Actor, contract: Contract, file_name: str, data: bytes
) -> ContractDocument:
    """
    Store a contract's signed PDF with its SHA-256 checksum.

    :raises ContractError: not a PDF, too large, or the contract is replaced
    """
    problems = check_pdf(data)
    if contract.status in (ContractStatus.REPLACED, ContractStatus.EXPIRED):
        problems.append("Kontrakten er afsluttet; der kan ikke tilføjes dokumenter.")
    if problems:
        raise ContractError(problems)
    name = Path(file_name.replace("\\", "/")).name.strip()[:200] or "kontrakt.pdf"
    document = ContractDocument.objects.create(
        contract=contract,
        file_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by=actor.label[:150],
    )
    _audit(actor, Action.CREATE, document, None, contract=contract,
           after=_document_state(document))  # fmt: skip
    return document


# --- indicators ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    key: str
    name: str
    kind: str
    direction: str = "higher"
    source: str = "entered"
    unit: str = ""
    definition: str = ""
    baseline: str = ""  # as typed; read by the kind
    position: int = 0


def _used_in_approved(indicator: Indicator) -> bool:
    return indicator.results.filter(
        report__status__in=[ReportStatus.APPROVED, ReportStatus.REPLACED]
    ).exists()


@transaction.atomic
def indicator_save(
    *, actor: Actor, contract: Contract, data: IndicatorInput, indicator: Indicator | None = None
) -> Indicator:
    """
    Add an indicator to a contract's set, or change one.

    :raises ContractError: a bad key, kind or baseline, a key used twice, a
        text indicator computed from the register, or an indicator whose
        results are approved (its meaning is frozen with them)
    """
    problems = []
    key = data.key.strip().lower()
    if not key or len(key) > 60 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        problems.append("Nøglen skal være 1-60 tegn: a-z, 0-9, bindestreg og understreg.")
    if not data.name.strip():
        problems.append("Skriv indikatorens navn.")
    try:
        kind = kpi.Kind(data.kind)
        kpi.Direction(data.direction)
        IndicatorSource(data.source)
    except ValueError:
        problems.append("Ukendt type, retning eller kilde.")
        raise ContractError(problems) from None
    if kind is kpi.Kind.TEXT and data.source != IndicatorSource.ENTERED:
        problems.append("En tekstindikator kan ikke beregnes fra registret.")
    if data.source in COMPUTED_SOURCES and kind is not kpi.Kind.COUNT:
        problems.append("En indikator fra registret er en optælling.")
    baseline = None
    if data.baseline.strip() and kind is not kpi.Kind.TEXT:
        try:
            baseline = kpi.parse_value(kind, data.baseline)
        except kpi.KpiValueError as error:
            problems.append(f"Udgangspunkt: {error}")
    clash = contract.indicators.filter(key=key)
    if indicator is not None:
        clash = clash.exclude(pk=indicator.pk)
    if clash.exists():
        problems.append(f"Nøglen '{key}' bruges allerede i kontrakten.")
    if indicator is not None and _used_in_approved(indicator):
        problems.append(
            f"Indikatoren '{indicator.key}' indgår i en godkendt afrapportering og kan ikke ændres."
        )
    if problems:
        raise ContractError(problems)
    values = {
        "key": key, "name": data.name.strip()[:200], "definition": data.definition.strip(),
        "unit": data.unit.strip()[:40], "kind": kind.value, "direction": data.direction,
        "source": data.source, "baseline": baseline, "position": data.position,
    }  # fmt: skip
    if indicator is None:
        return _indicator_create(actor, contract, values)
    before = snapshot(indicator)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.save()
    _audit(actor, Action.UPDATE, indicator, before, contract=contract)
    return indicator


@transaction.atomic
def indicator_delete(*, actor: Actor, indicator: Indicator) -> None:
    """Remove an indicator that no report has used."""
    if indicator.results.exists():
        raise ContractError(f"Indikatoren '{indicator.key}' har resultater og kan ikke slettes.")
    contract = indicator.contract
    for target in indicator.targets.all():
        _audit(actor, Action.DELETE, target, snapshot(target), contract=contract,
               year=target.year)  # fmt: skip
    before = snapshot(indicator)
    indicator.targets.all().delete()
    _audit(actor, Action.DELETE, indicator, before, contract=contract)
    indicator.delete()


@transaction.atomic
def targets_set(*, actor: Actor, indicator: Indicator, targets: Mapping[int, str]) -> None:
    """
    Set an indicator's target per year from typed values; an empty value removes it.

    :raises ContractError: a year outside the contract, or a value of the wrong kind
    """
    contract = indicator.contract
    kind = indicator.core_kind
    problems = []
    parsed: dict[int, int | None] = {}
    for year, text in sorted(targets.items()):
        if year not in contract.years():
            problems.append(
                f"{year} ligger uden for kontraktens periode "
                f"{contract.first_year}-{contract.last_year}."
            )
            continue
        if not text.strip() or kind is kpi.Kind.TEXT:
            parsed[year] = None
            continue
        try:
            parsed[year] = kpi.parse_value(kind, text)
        except kpi.KpiValueError as error:
            problems.append(f"Mål for {year}: {error}")
    if _used_in_approved(indicator):
        problems.append(
            f"Indikatoren '{indicator.key}' indgår i en godkendt afrapportering; "
            "dens mål kan ikke ændres."
        )
    if problems:
        raise ContractError(problems)
    existing = {t.year: t for t in indicator.targets.all()}
    for year, value in parsed.items():
        row = existing.get(year)
        if value is None:
            if row is not None:
                _audit(actor, Action.DELETE, row, snapshot(row), contract=contract, year=year)
                row.delete()
        elif row is None:
            created = IndicatorTarget.objects.create(indicator=indicator, year=year, value=value)
            _audit(actor, Action.CREATE, created, None, contract=contract, year=year)
        elif row.value != value:
            before = snapshot(row)
            row.value = value
            row.save(update_fields=["value"])
            _audit(actor, Action.UPDATE, row, before, contract=contract, year=year)


# --- the yearly follow-up --------------------------------------------------------------


def _deadline_before_opening(deadline: dt.date, opens_on: dt.date) -> str:
    return f"Fristen ({deadline:%d-%m-%Y}) ligger før åbningen ({opens_on:%d-%m-%Y})."


def round_contracts(year: int) -> list[Contract]:
    """The office contracts in force in `year` (signed, or expired since): due to report."""
    return list(
        Contract.objects.filter(
            kind=ContractKind.OFFICE,
            status__in=[ContractStatus.SIGNED, ContractStatus.EXPIRED],
            first_year__lte=year,
            last_year__gte=year,
        )
        .select_related("office", "lead_municipality")
        .order_by("office__name")
    )


def _ensure_reports(actor: Actor, follow_up: FollowUpRound) -> list[OfficeReport]:
    created = []
    have = set(follow_up.reports.values_list("contract_id", flat=True))
    for contract in round_contracts(follow_up.year):
        if contract.pk in have:
            continue
        report = OfficeReport.objects.create(
            round=follow_up, contract=contract, basis=contract.basis
        )
        _audit(actor, Action.CREATE, report, None, contract=contract, year=follow_up.year)
        created.append(report)
    return created


@transaction.atomic
def round_open(
    *, actor: Actor, year: int, opens_on: dt.date, deadline: dt.date, note: str = ""
) -> FollowUpRound:
    """
    Open the follow-up of `year`: one report to fill in per office contract in force.

    :raises ContractError: a deadline before the opening, a year already
        opened, a year outside the window, or no contract in force that year
    """
    problems = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(f"Året {year} ligger uden for {FIRST_YEAR}-{LAST_YEAR}.")
    if deadline < opens_on:
        problems.append(_deadline_before_opening(deadline, opens_on))
    if FollowUpRound.objects.filter(year=year).exists():
        problems.append(f"Opfølgningen for {year} er allerede åbnet.")
    if not problems and not round_contracts(year):
        problems.append(
            f"Ingen underskrevet resultatkontrakt gælder for {year}; der er intet at følge op på."
        )
    if problems:
        raise ContractError(problems)
    try:
        with transaction.atomic():
            follow_up = FollowUpRound.objects.create(
                year=year, opens_on=opens_on, deadline=deadline, note=note,
                opened_by=actor.label[:150],
            )  # fmt: skip
    except IntegrityError:
        raise ContractError(f"Opfølgningen for {year} er allerede åbnet.") from None
    record(actor=actor, action=Action.CREATE, instance=follow_up, before=None,
           after=snapshot(follow_up), year=year)  # fmt: skip
    _ensure_reports(actor, follow_up)
    return follow_up


@transaction.atomic
def round_change_deadline(
    *, actor: Actor, follow_up: FollowUpRound, deadline: dt.date
) -> FollowUpRound:
    """Move a round's deadline (not before its opening)."""
    if deadline < follow_up.opens_on:
        raise ContractError(_deadline_before_opening(deadline, follow_up.opens_on))
    before = snapshot(follow_up)
    follow_up.deadline = deadline
    follow_up.save(update_fields=["deadline"])
    record(actor=actor, action=Action.UPDATE, instance=follow_up, before=before,
           after=snapshot(follow_up), year=follow_up.year)  # fmt: skip
    return follow_up


def _locked(report: OfficeReport) -> OfficeReport:
    return (
        OfficeReport.objects.select_for_update(of=("self",))
        .select_related("round", "contract", "contract__lead_municipality")
        .get(pk=report.pk)
    )


def _refuse_unless_editable(report: OfficeReport) -> None:
    if report.status == ReportStatus.APPROVED:
        raise ContractError(
            "Afrapporteringen er godkendt og kan ikke ændres; bed om en ny version."
        )
    if not report.editable:
        raise ContractError(
            f"Afrapporteringen er {report.get_status_display().lower()} og kan ikke ændres nu."
        )


def computed_values(report: OfficeReport) -> dict[str, int]:
    """The register's counts for the report's office and year, by indicator source."""
    contract = report.contract
    counts = register_counts(year=report.round.year, office_id=contract.office_id)
    found = counts.get(contract.office_id or 0, {})
    return {source: found.get(source, 0) for source in COMPUTED_SOURCES}


@dataclass(frozen=True)
class EnteredResult:
    """What the office typed for one indicator: the value (ignored if computed), a comment."""

    value: str = ""
    comment: str = ""


@transaction.atomic
def report_save(
    *,
    actor: Actor,
    report: OfficeReport,
    narrative: str,
    results: Mapping[int, EnteredResult],
) -> OfficeReport:
    """
    Store the office's actuals and comments; computed indicators come from the register.

    An empty value leaves the indicator without an actual (it is reported as
    missing). Every value is checked against its indicator's kind first.

    :raises ContractError: the report is not editable, the year lies outside
        the contract, an indicator is not the contract's, or a value is of
        the wrong kind; each named
    """
    report = _locked(report)
    _refuse_unless_editable(report)
    contract, year = report.contract, report.round.year
    if year not in contract.years():
        raise ContractError(
            f"{year} ligger uden for kontraktens periode "
            f"{contract.first_year}-{contract.last_year}."
        )
    indicators = {i.pk: i for i in contract.indicators.all()}
    problems = []
    unknown = sorted(set(results) - set(indicators))
    if unknown:
        problems.append(f"Indikator {unknown[0]} hører ikke til kontrakten.")
    computed = computed_values(report)
    now = timezone.now()
    parsed: dict[int, tuple[int | None, str]] = {}
    for pk, entered in results.items():
        indicator = indicators.get(pk)
        if indicator is None:
            continue
        if len(entered.comment) > kpi.MAX_TEXT:
            problems.append(f"{indicator.name}: kommentaren er længere end 2.000 tegn.")
        if indicator.computed:
            parsed[pk] = (computed[indicator.source], "")
            continue
        kind = indicator.core_kind
        if not entered.value.strip():
            parsed[pk] = (None, "")
            continue
        try:
            value = kpi.parse_value(kind, entered.value)
        except kpi.KpiValueError as error:
            problems.append(f"{indicator.name}: {error}")
            continue
        parsed[pk] = (value, entered.value.strip() if kind is kpi.Kind.TEXT else "")
    if len(narrative) > 10 * kpi.MAX_TEXT:
        problems.append("Sammenfatningen er længere end 20.000 tegn.")
    if problems:
        raise ContractError(problems)
    # The computed indicators are always refreshed, typed for or not.
    for pk, indicator in indicators.items():
        if indicator.computed and pk not in parsed:
            parsed[pk] = (computed[indicator.source], "")
    existing = {r.indicator_id: r for r in report.results.all()}
    for pk, (value, text) in parsed.items():
        indicator = indicators[pk]
        comment = (
            results[pk].comment.strip()
            if pk in results
            else (existing[pk].comment if pk in existing else "")
        )
        row = existing.get(pk)
        fields = {"value": value, "text": text, "comment": comment,
                  "computed_at": now if indicator.computed else None}  # fmt: skip
        if row is None:
            row = KpiResult.objects.create(report=report, indicator=indicator, **fields)
            _audit(actor, Action.CREATE, row, None, contract=contract, year=year)
            continue
        before = snapshot(row)
        for name, field_value in fields.items():
            setattr(row, name, field_value)
        if {k: v for k, v in snapshot(row).items() if k != "computed_at"} == {
            k: v for k, v in before.items() if k != "computed_at"
        }:
            continue
        row.save()
        _audit(actor, Action.UPDATE, row, before, contract=contract, year=year)
    if narrative.strip() != report.narrative:
        before = snapshot(report)
        report.narrative = narrative.strip()
        report.save(update_fields=["narrative", "updated_at"])
        _audit(actor, Action.UPDATE, report, before, contract=contract, year=year)
    return report


@transaction.atomic
def report_enter(
    *,
    actor: Actor,
    report: OfficeReport,
    narrative: str,
    results: Mapping[int, EnteredResult],
    submit: bool = False,
) -> OfficeReport:
    """Save what the office typed (`report_save`) and, with `submit`, send it: both or neither."""
    report = report_save(actor=actor, report=report, narrative=narrative, results=results)
    return report_submit(actor=actor, report=report) if submit else report


def missing_values(report: OfficeReport) -> list[str]:
    """The names of the entered number indicators that still have no actual value."""
    have = {
        r.indicator_id
        for r in report.results.all()
        if r.value is not None or (r.indicator.kind == "text" and r.text)
    }
    return [i.name for i in report.contract.indicators.all() if not i.computed and i.pk not in have]


def _transition(
    actor: Actor, report: OfficeReport, status: str, reason: str, **fields: Any
) -> OfficeReport:
    before = snapshot(report)
    report.status = status
    for name, value in fields.items():
        setattr(report, name, value)
    report.save()
    _audit(actor, Action.UPDATE, report, before, contract=report.contract,
           year=report.round.year, reason=reason)  # fmt: skip
    return report


@transaction.atomic
def report_submit(*, actor: Actor, report: OfficeReport) -> OfficeReport:
    """
    Send the report to the lead municipality for review.

    The computed indicators are taken from the register again at this moment.

    :raises ContractError: not editable, or an entered indicator has no value
    """
    report = _locked(report)
    _refuse_unless_editable(report)
    report_save(actor=actor, report=report, narrative=report.narrative, results={})
    missing = missing_values(report)
    if missing:
        raise ContractError(
            ["Udfyld en værdi for hver indikator, før afrapporteringen sendes: "
             + ", ".join(missing) + "."]
        )  # fmt: skip
    return _transition(actor, report, ReportStatus.SUBMITTED, "Indsendt",
                       submitted_at=timezone.now(), submitted_by=actor.label[:150])  # fmt: skip


@transaction.atomic
def report_review(
    *, actor: Actor, report: OfficeReport, approve: bool, comment: str
) -> OfficeReport:
    """
    The lead municipality approves the report, or asks for changes with a comment.

    :raises ContractError: the report is not awaiting review, or changes are
        asked for without saying which
    """
    report = _locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ContractError(
            f"Afrapporteringen er {report.get_status_display().lower()}; "
            "kun en indsendt afrapportering kan godkendes eller sendes tilbage."
        )
    comment = comment.strip()
    if not approve and not comment:
        raise ContractError("Skriv, hvad der skal ændres.")
    if len(comment) > kpi.MAX_TEXT:
        raise ContractError("Kommentaren er længere end 2.000 tegn.")
    status = ReportStatus.APPROVED if approve else ReportStatus.CHANGES
    return _transition(
        actor, report, status, "Godkendt" if approve else "Ændringer ønsket",
        reviewed_at=timezone.now(), reviewed_by=actor.label[:150], review_comment=comment,
    )  # fmt: skip


@transaction.atomic
def report_new_version(*, actor: Actor, report: OfficeReport, reason: str) -> OfficeReport:
    """
    Reopen an approved report as a new version; the approved one is kept, replaced.

    :raises ContractError: the report is not approved, or no reason is given
    """
    report = _locked(report)
    if report.status != ReportStatus.APPROVED:
        raise ContractError("Kun en godkendt afrapportering kan få en ny version.")
    if not reason.strip():
        raise ContractError("Skriv, hvorfor der skal en ny version.")
    _transition(actor, report, ReportStatus.REPLACED, f"Ny version: {reason.strip()[:250]}")
    new = OfficeReport.objects.create(
        round=report.round, contract=report.contract, version=report.version + 1,
        narrative=report.narrative, version_reason=reason.strip(), basis=report.basis,
    )  # fmt: skip
    _audit(actor, Action.CREATE, new, None, contract=new.contract, year=new.round.year,
           reason=reason.strip()[:300])  # fmt: skip
    for old in report.results.all():
        copy = KpiResult.objects.create(
            report=new, indicator_id=old.indicator_id, value=old.value, text=old.text,
            comment=old.comment, computed_at=old.computed_at,
        )  # fmt: skip
        _audit(actor, Action.CREATE, copy, None, contract=new.contract, year=new.round.year)
    return new


# --- reminders -------------------------------------------------------------------------


def reminder_record(
    *, actor: Actor, report: OfficeReport, stage: ReminderStage, recipients: list[str]
) -> ReminderSent | None:
    """
    Record that the reminder of `report` at `stage` goes out to `recipients`.

    Call it in the transaction that sends the mail. None: the stage was
    recorded before (by another run), so the mail must not go out again.
    """
    try:
        with transaction.atomic():
            row = ReminderSent.objects.create(
                report=report, stage=stage, recipients=", ".join(recipients)
            )
    except IntegrityError:
        return None
    _audit(actor, Action.CREATE, row, None, contract=report.contract, year=report.round.year,
           reason="Påmindelse sendt pr. e-mail")  # fmt: skip
    return row
