"""Contracts, KPI sets and the follow-up round through the services."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.contracts.conftest import ACTOR, PDF, office_contract_input

from klynge.audit.models import AuditEntry
from klynge.contracts.models import (
    Contract,
    ContractDocument,
    ContractStatus,
    FollowUpRound,
    Indicator,
    IndicatorTarget,
    KpiResult,
    OfficeReport,
    ReportStatus,
)
from klynge.contracts.selectors import result_rows
from klynge.contracts.services import (
    ContractError,
    EnteredResult,
    IndicatorInput,
    contract_create,
    contract_sign,
    document_upload,
    indicator_save,
    report_new_version,
    report_review,
    report_save,
    report_submit,
    round_open,
    targets_set,
)
from klynge.core import kpi
from klynge.financing.models import Agreement, OfficeLead
from klynge.masterdata.models import Municipality

pytestmark = pytest.mark.django_db


def test_a_first_office_contract_starts_from_the_default_set(contract: Contract) -> None:
    keys = list(contract.indicators.values_list("key", flat=True))
    assert keys[:3] == ["unikke-virksomheder", "smv-under-50", "kommuner-naaet"]
    assert len(keys) == 12
    assert contract.status == ContractStatus.DRAFT
    assert AuditEntry.objects.filter(model="contracts.indicator").count() == 12


def test_a_new_period_copies_the_previous_set_with_the_same_keys(
    signed: Contract, demo: Agreement
) -> None:
    indicator_save(
        actor=ACTOR,
        contract=signed,
        data=IndicatorInput(key="egen-kpi", name="Egen", kind="milestone"),
    )
    # A contract before the first has no previous one: it starts from the default set.
    earlier = contract_create(
        actor=ACTOR, data=office_contract_input(demo, first_year=2021, last_year=2021)
    )
    assert "egen-kpi" not in set(earlier.indicators.values_list("key", flat=True))
    # The next period (the agreement ends 2024, so a cluster-less extension of it)
    # copies the signed set, the office's own indicator included.
    demo.last_year = 2026
    demo.save(update_fields=["last_year"])
    OfficeLead.objects.create(
        agreement=demo, office=signed.office, year=2025, municipality=signed.lead_municipality
    )
    next_one = contract_create(
        actor=ACTOR, data=office_contract_input(demo, first_year=2025, last_year=2026)
    )
    assert set(next_one.indicators.values_list("key", flat=True)) == set(
        signed.indicators.values_list("key", flat=True)
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_year": 2024, "last_year": 2022}, "slutter (2022) før den begynder (2024)"),
        ({"last_year": 2026}, "uden for aftalen"),
        ({"lead_municipality_code": "253"}, "Greve Kommune er ikke leadkommune"),
        ({"title": "  "}, "Skriv en titel"),
        ({"met_percent": 70}, "Tærsklerne"),
    ],
)
def test_a_bad_contract_is_refused_in_danish(
    demo: Agreement, changes: dict[str, object], message: str
) -> None:
    code = changes.pop("lead_municipality_code", None)
    if code:
        changes["lead_municipality"] = Municipality.objects.get(code=code)
    before = Contract.objects.count()
    with pytest.raises(ContractError, match=re.escape(message)):
        contract_create(actor=ACTOR, data=office_contract_input(demo, **changes))
    assert Contract.objects.count() == before


def test_a_document_must_be_a_pdf_by_its_content_and_within_the_cap(
    contract: Contract, settings
) -> None:
    with pytest.raises(ContractError, match="ikke en PDF"):
        document_upload(actor=ACTOR, contract=contract, file_name="k.pdf", data=b"PK\x03\x04zip")
    settings.KLYNGE_CONTRACT_MAX_BYTES = 1000
    with pytest.raises(ContractError, match="højst fylde"):
        document_upload(actor=ACTOR, contract=contract, file_name="k.pdf", data=PDF * 100)
    assert not ContractDocument.objects.exists()
    document = document_upload(
        actor=ACTOR, contract=contract, file_name="../../etc/kontrakt.pdf", data=PDF
    )
    assert document.file_name == "kontrakt.pdf"
    assert len(document.sha256) == 64
    entry = AuditEntry.objects.get(model="contracts.contractdocument")
    assert entry.after is not None and entry.after["sha256"] == document.sha256
    assert "content" not in entry.after


def test_signing_needs_the_document_and_refuses_an_overlap(
    contract: Contract, demo: Agreement
) -> None:
    with pytest.raises(ContractError, match="Upload den underskrevne kontrakt"):
        contract_sign(actor=ACTOR, contract=contract, signed_on=dt.date(2022, 1, 1))
    document_upload(actor=ACTOR, contract=contract, file_name="k.pdf", data=PDF)
    contract_sign(actor=ACTOR, contract=contract, signed_on=dt.date(2022, 1, 1))
    other = contract_create(
        actor=ACTOR, data=office_contract_input(demo, first_year=2024, last_year=2024)
    )
    document_upload(actor=ACTOR, contract=other, file_name="k.pdf", data=PDF)
    with pytest.raises(ContractError, match="overlapper"):
        contract_sign(actor=ACTOR, contract=other, signed_on=dt.date(2024, 1, 1))
    contract_sign(actor=ACTOR, contract=other, signed_on=dt.date(2024, 1, 1), replaces=contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REPLACED


def test_targets_are_read_by_kind_and_refused_outside_the_period(signed: Contract) -> None:
    share = signed.indicators.get(key="tilfredshed")
    targets_set(actor=ACTOR, indicator=share, targets={2022: "75", 2023: "80,5"})
    assert dict(share.targets.values_list("year", "value")) == {2022: 7500, 2023: 8050}
    with pytest.raises(ContractError, match="over 100 %"):
        targets_set(actor=ACTOR, indicator=share, targets={2024: "101"})
    with pytest.raises(ContractError, match="2025 ligger uden for kontraktens periode"):
        targets_set(actor=ACTOR, indicator=share, targets={2025: "80"})
    targets_set(actor=ACTOR, indicator=share, targets={2022: ""})
    assert list(share.targets.values_list("year", flat=True)) == [2023]


def test_a_round_needs_its_deadline_after_its_opening(signed: Contract) -> None:
    with pytest.raises(ContractError, match=r"Fristen .* ligger før åbningen"):
        round_open(actor=ACTOR, year=2024, opens_on=dt.date(2025, 2, 1),
                   deadline=dt.date(2025, 1, 31))  # fmt: skip
    assert not FollowUpRound.objects.exists()
    with pytest.raises(ContractError, match="Ingen underskrevet resultatkontrakt gælder for 2021"):
        round_open(actor=ACTOR, year=2021, opens_on=dt.date(2022, 1, 1),
                   deadline=dt.date(2022, 3, 1))  # fmt: skip


def _round(year: int = 2024) -> OfficeReport:
    follow_up = round_open(
        actor=ACTOR, year=year, opens_on=dt.date(2025, 1, 5), deadline=dt.date(2025, 3, 1)
    )
    return follow_up.reports.get()


def test_the_whole_round_in_services(signed: Contract) -> None:
    count = signed.indicators.get(key="samarbejdsprojekter")
    targets_set(actor=ACTOR, indicator=count, targets={2024: "10"})
    report = _round()
    entered = {
        i.pk: EnteredResult(value="8", comment="Godt år")
        for i in signed.indicators.filter(source="entered").exclude(kind__in=["text"])
    }
    entered[signed.indicators.get(key="tilfredshed").pk] = EnteredResult(value="85,5")
    entered[signed.indicators.get(key="ekstern-finansiering").pk] = EnteredResult(value="250.000")
    entered[signed.indicators.get(key="aarets-resultater").pk] = EnteredResult(value="Tre net.")
    # A value of the wrong kind names the indicator, and nothing is stored.
    bad = dict(entered)
    bad[count.pk] = EnteredResult(value="mange")
    with pytest.raises(ContractError, match=r"Virksomheder i samarbejds- .*ikke et helt antal"):
        report_save(actor=ACTOR, report=report, narrative="x", results=bad)
    assert not KpiResult.objects.exists()
    report_save(actor=ACTOR, report=report, narrative="Året i korte træk", results=entered)
    unique = signed.indicators.get(key="unikke-virksomheder")
    # The office cannot overwrite a computed value: what it types is ignored.
    report_save(actor=ACTOR, report=report, narrative="Året i korte træk",
                results={unique.pk: EnteredResult(value="999999", comment="Flot")})  # fmt: skip
    computed = KpiResult.objects.get(report=report, indicator=unique)
    assert computed.value != 999999 and computed.comment == "Flot"
    report = report_submit(actor=ACTOR, report=report)
    assert report.status == ReportStatus.SUBMITTED
    with pytest.raises(ContractError, match="Skriv, hvad der skal ændres"):
        report_review(actor=ACTOR, report=report, approve=False, comment=" ")
    report = report_review(actor=ACTOR, report=report, approve=False, comment="Ret tallet")
    report_save(actor=ACTOR, report=report, narrative="Rettet",
                results={count.pk: EnteredResult(value="12")})  # fmt: skip
    report = report_submit(actor=ACTOR, report=report)
    report = report_review(actor=ACTOR, report=report, approve=True, comment="")
    assert report.status == ReportStatus.APPROVED
    rows = {row.indicator.key: row for row in result_rows(report=report)}
    assert rows["samarbejdsprojekter"].status is kpi.Status.MET
    assert rows["tilfredshed"].actual_text == "85,5 %"
    assert rows["aarets-resultater"].status is kpi.Status.NOT_MEASURED
    with pytest.raises(ContractError, match="godkendt og kan ikke ændres; bed om en ny version"):
        report_save(actor=ACTOR, report=report, narrative="", results={})
    new = report_new_version(actor=ACTOR, report=report, reason="Tal rettet af revisor")
    assert new.version == 2 and new.status == ReportStatus.DRAFT
    assert KpiResult.objects.filter(report=new).count() == report.results.count()
    report.refresh_from_db()
    assert report.status == ReportStatus.REPLACED
    # Targets and indicators used by an approved report are frozen with it.
    with pytest.raises(ContractError, match="godkendt afrapportering"):
        targets_set(actor=ACTOR, indicator=count, targets={2024: "11"})
    assert IndicatorTarget.objects.get(indicator=count).value == 10


def test_submitting_needs_every_entered_value(signed: Contract) -> None:
    report = _round()
    with pytest.raises(ContractError, match="Udfyld en værdi for hver indikator"):
        report_submit(actor=ACTOR, report=report)
    assert OfficeReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_an_indicator_of_another_contract_is_refused(signed: Contract, demo: Agreement) -> None:
    report = _round()
    other = contract_create(
        actor=ACTOR, data=office_contract_input(demo, first_year=2021, last_year=2021)
    )
    foreign = Indicator.objects.filter(contract=other).first()
    assert foreign is not None
    with pytest.raises(ContractError, match="hører ikke til kontrakten"):
        report_save(actor=ACTOR, report=report, narrative="",
                    results={foreign.pk: EnteredResult(value="1")})  # fmt: skip


def test_actuals_for_a_year_outside_the_contract_are_refused(signed: Contract) -> None:
    # A round only asks the contracts in force; a report reaching a service for
    # another year (as an API client could send it) is refused all the same.
    follow_up = FollowUpRound.objects.create(
        year=2021, opens_on=dt.date(2022, 1, 1), deadline=dt.date(2022, 3, 1)
    )
    report = OfficeReport.objects.create(round=follow_up, contract=signed)
    count = signed.indicators.get(key="samarbejdsprojekter")
    with pytest.raises(ContractError, match="2021 ligger uden for kontraktens periode 2022-2024"):
        report_save(actor=ACTOR, report=report, narrative="",
                    results={count.pk: EnteredResult(value="5")})  # fmt: skip
    assert not KpiResult.objects.exists()
