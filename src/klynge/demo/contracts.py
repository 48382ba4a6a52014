"""
Deterministic demo result contracts and follow-up, through the contracts services.

No source holds the text of a result contract (kpis.md: "Not found: the
result-contract text"), so every contract, target, value and narrative here
is demo data: stored with basis demo and saying so in its title or text. Each
financed office gets a signed contract with its lead municipality for the
years it is financed, starting from the default KPI set, with demo targets;
We Build Denmark's cluster gets a demo contract with UFS. The follow-up of
2022 and 2023 is opened, reported and approved, so the report and the
dashboards have history; 2024 is left for the secretariat to open.

Targets of the register-computed indicators are set around the register's own
count (70 % to 120 % of it), so some are met, some partly and some not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from random import Random

import typst
from django.db import transaction

import klynge.common
from klynge.common.choices import Basis
from klynge.contracts.models import (
    Contract,
    ContractKind,
    FollowUpRound,
    Indicator,
    IndicatorTarget,
)
from klynge.contracts.services import (
    ContractInput,
    EnteredResult,
    IndicatorInput,
    contract_create,
    contract_sign,
    document_upload,
    indicator_save,
    report_review,
    report_save,
    report_submit,
    round_open,
    targets_set,
)
from klynge.core import kpi
from klynge.demo.services import DEMO_ACTOR
from klynge.financing.models import Agreement, FinancedOffice, OfficeLead
from klynge.masterdata.models import ClusterOffice, Organisation
from klynge.participation.selectors import register_counts

FONTS = Path(klynge.common.__file__).parent / "fonts"
APPROVED_YEARS = (2022, 2023)
CLUSTER_OFFICE = "We Build Denmark – Næstved"  # its cluster gets the demo UFS contract
UFS = "Uddannelses- og Forskningsstyrelsen"
NOTE = (
    "Demodata: resultatkontraktens tekst, periode, indikatorer og mål kendes ikke fra "
    "kilderne. Kontrakten viser, hvordan opfølgningen virker."
)
DOCUMENT = Path(__file__).parent / "templates" / "demo" / "contract.typ"


def demo_document(title: str, parties: str, period: str) -> bytes:
    """A one-page, tagged PDF saying it is demo data (the same bytes every time)."""
    pdf: bytes = typst.compile(
        DOCUMENT,
        font_paths=[FONTS],
        ignore_system_fonts=True,
        sys_inputs={"title": title, "parties": parties, "period": period},
        pdf_standards=["ua-1"],
    )
    return pdf


def _target_text(indicator: Indicator, rng: Random, counted: int) -> str:
    kind = indicator.core_kind
    if indicator.computed:
        return str(max(1, counted * rng.randint(70, 120) // 100))
    if kind is kpi.Kind.SHARE:
        return str(rng.choice((75, 80, 85)))
    if kind is kpi.Kind.AMOUNT:
        return str(rng.choice((500_000, 750_000, 1_000_000)))
    if kind is kpi.Kind.MILESTONE:
        return "ja"
    return str(rng.randint(8, 30))


def _actual_text(indicator: Indicator, rng: Random, target: int | None, year: int) -> str:
    kind = indicator.core_kind
    if kind is kpi.Kind.TEXT:
        return (
            f"Demodata: i {year} samlede kontoret virksomheder fra hele regionen om "
            "fælles udviklingsprojekter og nye netværk."
        )
    if kind is kpi.Kind.MILESTONE:
        return "ja" if rng.randrange(10) < 8 else "nej"
    base = target if target is not None else 10
    value = base * rng.randint(60, 125) // 100
    if kind is kpi.Kind.SHARE:
        return str(min(100, value // 100))
    if kind is kpi.Kind.AMOUNT:
        return str(value // 100)
    return str(value)


def _office_contracts(agreement: Agreement) -> list[Contract]:
    contracts = []
    for financed in FinancedOffice.objects.filter(agreement=agreement).select_related("office"):
        office = financed.office
        first = max(financed.first_year, agreement.first_year)
        lead = (
            OfficeLead.objects.filter(
                agreement=agreement, office=office, year=first, municipality__isnull=False
            )
            .select_related("municipality")
            .first()
        )
        if lead is None or lead.municipality is None:
            continue
        title = f"Resultatkontrakt {first}-{agreement.last_year} – {office.name} (demodata)"
        contract = contract_create(
            actor=DEMO_ACTOR,
            data=ContractInput(
                kind=ContractKind.OFFICE, title=title, first_year=first,
                last_year=agreement.last_year, office=office,
                lead_municipality=lead.municipality, agreement=agreement, note=NOTE,
                basis=Basis.DEMO,
            ),
        )  # fmt: skip
        parties = f"{office.name} og {lead.municipality.name} Kommune (leadkommune)"
        contracts.append(_sign(contract, parties))
    return contracts


def _sign(contract: Contract, parties: str) -> Contract:
    period = f"{contract.first_year}-{contract.last_year}"
    document_upload(
        actor=DEMO_ACTOR,
        contract=contract,
        file_name=f"resultatkontrakt-{contract.first_year}-demodata.pdf",
        data=demo_document(contract.title, parties, period),
    )
    return contract_sign(
        actor=DEMO_ACTOR, contract=contract, signed_on=dt.date(contract.first_year, 1, 15)
    )


def _cluster_contract(agreement: Agreement) -> int:
    office = ClusterOffice.objects.select_related("cluster").filter(name=CLUSTER_OFFICE).first()
    ufs = Organisation.objects.filter(name=UFS).first()
    if office is None or ufs is None:
        return 0
    cluster = office.cluster
    contract = contract_create(
        actor=DEMO_ACTOR,
        data=ContractInput(
            kind=ContractKind.CLUSTER, title=f"Resultatkontrakt {cluster} – UFS (demodata)",
            first_year=agreement.first_year, last_year=agreement.last_year, cluster=cluster,
            counterparty=ufs, note=NOTE, basis=Basis.DEMO,
        ),
    )  # fmt: skip
    for position, (key, name) in enumerate(
        (("unikke-virksomheder", "Unikke virksomheder i hele landet"),
         ("smv-under-50", "Virksomheder under 50 ansatte")), start=1,
    ):  # fmt: skip
        indicator_save(
            actor=DEMO_ACTOR,
            contract=contract,
            data=IndicatorInput(key=key, name=name, kind="count", position=position),
        )
    _sign(contract, f"{cluster} og {ufs.name}")
    return 1


def _targets(contract: Contract, counts_by_year: dict[int, dict[int, dict[str, int]]]) -> None:
    rng = Random(f"targets {contract.title}")  # noqa: S311 - demo data, not security
    for year in contract.years():
        if year not in counts_by_year:  # every office's counts of the year, in one query
            counts_by_year[year] = register_counts(year=year)
        counts = counts_by_year[year].get(contract.office_id or 0, {})
        for indicator in contract.indicators.all():
            if indicator.core_kind is kpi.Kind.TEXT:
                continue
            text = _target_text(indicator, rng, counts.get(indicator.source, 0))
            targets_set(actor=DEMO_ACTOR, indicator=indicator, targets={year: text})


def demo_reports_approve(follow_up: FollowUpRound) -> None:
    """Fill in, submit and approve every report of the round with demo values."""
    for report in follow_up.reports.select_related("contract"):
        contract = report.contract
        rng = Random(f"actuals {contract.title} {follow_up.year}")  # noqa: S311
        targets = {
            t.indicator_id: t.value
            for t in IndicatorTarget.objects.filter(
                indicator__contract=contract, year=follow_up.year
            )
        }
        results = {
            i.pk: EnteredResult(
                value=_actual_text(i, rng, targets.get(i.pk), follow_up.year),
                comment="Demodata." if rng.randrange(10) < 3 else "",
            )
            for i in contract.indicators.all()
        }
        narrative = (
            f"Demodata: sammenfatning af {contract.holder_name}s resultater i {follow_up.year}."
        )
        report_save(actor=DEMO_ACTOR, report=report, narrative=narrative, results=results)
        report_submit(actor=DEMO_ACTOR, report=report)
        report_review(actor=DEMO_ACTOR, report=report, approve=True, comment="Demodata: godkendt.")


@transaction.atomic
def demo_contracts_load() -> dict[str, int]:
    """
    The demo contracts and the approved follow-up of 2022 and 2023; idempotent.

    Nothing is loaded when any demo contract exists already. Load the demo
    participation first: the computed indicators count it.
    """
    if Contract.objects.filter(basis=Basis.DEMO).exists():
        return {"contracts": 0, "rounds": 0}
    agreement = Agreement.objects.order_by("first_year").first()
    if agreement is None:
        return {"contracts": 0, "rounds": 0}
    contracts = _office_contracts(agreement)
    cluster_contracts = _cluster_contract(agreement)
    counts_by_year: dict[int, dict[int, dict[str, int]]] = {}
    for contract in contracts:
        _targets(contract, counts_by_year)
    rounds = 0
    for year in APPROVED_YEARS:
        if FollowUpRound.objects.filter(year=year).exists():
            continue
        follow_up = round_open(
            actor=DEMO_ACTOR, year=year, opens_on=dt.date(year + 1, 1, 10),
            deadline=dt.date(year + 1, 3, 1), note="Demodata.",
        )  # fmt: skip
        demo_reports_approve(follow_up)
        rounds += 1
    return {"contracts": len(contracts) + cluster_contracts, "rounds": rounds}
