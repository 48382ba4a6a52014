"""Result contracts and the yearly follow-up through the web pages, as the demo users."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from tests.contracts.conftest import ACTOR, OFFICE, PDF

from klynge.audit.models import AuditEntry
from klynge.contracts.models import (
    Contract,
    ContractDocument,
    ContractKind,
    ContractStatus,
    FollowUpRound,
    KpiResult,
    OfficeReport,
    ReportStatus,
)
from klynge.contracts.services import ContractInput, contract_create, round_open
from klynge.financing.models import Agreement, AllocationRun, OfficeLead
from klynge.masterdata.models import ClusterOffice, Municipality, Organisation

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _row(page: str, name: str) -> str:
    """The row of the results table that names the indicator `name`."""
    start = page.index(f'<th scope="row">{escape(name)}</th>')
    return page[start : page.index("</tr>", start)]


def _create_through_the_web(client: Client, demo: Agreement) -> Contract:
    response = client.post(
        reverse("contract-new", args=["kontor"]),
        {
            "office": ClusterOffice.objects.get(name=OFFICE).pk,
            "lead_municipality": Municipality.objects.get(code="370").pk,
            "agreement": demo.pk,
            "title": "Resultatkontrakt We Build Denmark 2022-2024",
            "first_year": "2022",
            "last_year": "2024",
            "met_percent": "100",
            "partly_percent": "80",
            "note": "",
        },
    )
    assert response.status_code == 302, _page(response)
    contract = Contract.objects.get()
    assert response["Location"] == reverse("contract-detail", args=[contract.pk])
    return contract


def _report_values(contract: Contract, *, count: str) -> dict[str, str]:
    """What the office types: every entered indicator, `count` for the collaborations."""
    typed = {"count": "8", "share": "85,5", "amount": "250.000", "milestone": "ja"}
    data = {"narrative": "Året i korte træk.", "action": "submit"}
    for indicator in contract.indicators.filter(source="entered"):
        value = "Tre nye netværk." if indicator.kind == "text" else typed[indicator.kind]
        if indicator.key == "samarbejdsprojekter":
            value = count
        data[f"value_{indicator.pk}"] = value
        data[f"comment_{indicator.pk}"] = ""
    return data


def test_a_full_round_through_the_web(login_as: Login, demo: Agreement) -> None:
    secretariat = login_as("sekretariat")
    contract = _create_through_the_web(secretariat, demo)
    assert contract.status == ContractStatus.DRAFT
    assert contract.indicators.count() == 12
    # The signed PDF, a target, the signature.
    response = secretariat.post(
        reverse("contract-document", args=[contract.pk]),
        {"file": SimpleUploadedFile("kontrakt.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302, _page(response)
    count = contract.indicators.get(key="samarbejdsprojekter")
    response = secretariat.post(
        reverse("indicator-targets", args=[contract.pk, count.pk]),
        {"target_2022": "", "target_2023": "", "target_2024": "10"},
    )
    assert response.status_code == 302, _page(response)
    assert count.targets.get().value == 10
    response = secretariat.post(
        reverse("contract-sign", args=[contract.pk]), {"signed_on": "15-01-2022", "replaces": ""}
    )
    assert response.status_code == 302, _page(response)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    # The 2024 round, opened through the web: one report for the office.
    response = secretariat.post(
        reverse("round-new"),
        {"year": "2024", "opens_on": "05-01-2025", "deadline": "01-03-2025", "note": ""},
    )
    assert response.status_code == 302, _page(response)
    assert response["Location"] == reverse("round-detail", args=[2024])
    report = OfficeReport.objects.get(round__year=2024, contract=contract)
    url = reverse("report-detail", args=[report.pk])

    # The office sees its form, with the register's value read-only for a computed one.
    office = login_as("webuild")
    page = _page(office.get(url))
    unique = contract.indicators.get(key="unikke-virksomheder")
    assert f'name="value_{count.pk}"' in page
    assert f'name="value_{unique.pk}"' not in page and f'name="comment_{unique.pk}"' in page
    shown = page.index(f'<p class="form-label">{escape(unique.name)}</p>')
    # "beregnet fra deltagerregistret" (the msgid is English until the catalogue has it)
    assert _("computed from the participant register") in page[shown : shown + 300]
    assert _("entered") not in _row(page, unique.name)
    # It enters too few collaborations and sends the report.
    response = office.post(url, _report_values(contract, count="7"))
    assert response.status_code == 302, _page(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert "afventer godkendelse" in _page(secretariat.get(reverse("round-detail", args=[2024])))

    # Greve pays and may look, but neither enter nor review.
    greve = login_as("greve")
    assert greve.get(url).status_code == 200
    assert greve.post(url, _report_values(contract, count="9")).status_code == 403
    review = reverse("report-review", args=[report.pk])
    assert greve.post(review, {"decision": "approve", "comment": ""}).status_code == 403
    # Næstved, the lead, asks for a change with a comment.
    lead = login_as("naestved")
    assert 'name="decision"' in _page(lead.get(url))
    response = lead.post(review, {"decision": "changes", "comment": "Tjek antallet af projekter."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES
    assert report.review_comment == "Tjek antallet af projekter."
    assert "ændringer ønsket" in _page(office.get(reverse("round-detail", args=[2024])))

    # The office corrects and sends again; Næstved approves.
    response = office.post(url, _report_values(contract, count="12"))
    assert response.status_code == 302, _page(response)
    response = lead.post(review, {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    page = _page(greve.get(url))
    assert "opfyldt" in page and "godkendt" in page
    computed = _row(page, unique.name)
    assert "beregnet" in computed and _("entered") not in computed

    # The secretariat approves the year's allocation and downloads the report to KKR
    # Sjælland, which carries the approved figures of the office.
    response = secretariat.post(reverse("allocation-save", args=[2024]))
    assert response.status_code == 302
    run = AllocationRun.objects.get(year=2024)
    response = secretariat.post(
        reverse("allocation-approve", args=[2024, run.pk]), {"confirmed": "on"}
    )
    assert response.status_code == 302, _page(response)
    response = secretariat.get(reverse("annual-report-download", args=[2024, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    words = " ".join(text.split())
    assert "Virksomheder i samarbejds- og innovationsprojekter" in words
    assert "10 virksomheder 12 virksomheder opfyldt" in words  # target, corrected actual
    assert "Året i korte træk." in words

    # Approved: editing is refused, and nothing changes.
    results = list(KpiResult.objects.filter(report=report).values_list("value", "text"))
    response = office.post(url, _report_values(contract, count="1"))
    assert response.status_code == 200
    assert "bed om en ny version" in _page(response)
    assert list(KpiResult.objects.filter(report=report).values_list("value", "text")) == results
    # The lead asks for a new version: the approved one is kept, replaced.
    response = lead.post(reverse("report-new-version", args=[report.pk]), {"reason": "Revisor"})
    new = OfficeReport.objects.get(round=report.round, contract=contract, version=2)
    assert response["Location"] == reverse("report-detail", args=[new.pk])
    assert new.status == ReportStatus.DRAFT
    assert "Revisor" in _page(office.get(reverse("report-detail", args=[new.pk])))
    # Every step is in the audit trail.
    assert AuditEntry.objects.filter(model="contracts.officereport").count() >= 6

    # The reader sees neither the contracts nor the follow-up.
    reader = login_as("laeser")
    for page_url in [
        reverse("contract-list"),
        reverse("contract-detail", args=[contract.pk]),
        reverse("round-list"),
        reverse("round-detail", args=[2024]),
        url,
    ]:
        assert reader.get(page_url).status_code == 403, page_url


@pytest.fixture
def round_2024(signed: Contract) -> OfficeReport:
    follow_up = round_open(
        actor=ACTOR, year=2024, opens_on=dt.date(2025, 1, 5), deadline=dt.date(2025, 3, 1)
    )
    return follow_up.reports.get()


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("samarbejdsprojekter", "mange", "er ikke et helt antal"),
        ("tilfredshed", "101", "over 100 %"),
        ("ekstern-finansiering", "1e10000000", "ikke et beløb i kroner"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_by_name(
    login_as: Login, round_2024: OfficeReport, key: str, typed: str, message: str
) -> None:
    contract = round_2024.contract
    data = _report_values(contract, count="8")
    data["action"] = "save"
    indicator = contract.indicators.get(key=key)
    data[f"value_{indicator.pk}"] = typed

    response = login_as("webuild").post(reverse("report-detail", args=[round_2024.pk]), data)

    page = _page(response)
    assert response.status_code == 200
    assert 'data-module="error-summary"' in page
    assert f'href="#id_value_{indicator.pk}"' in page
    assert message in page
    assert not KpiResult.objects.exists()
    round_2024.refresh_from_db()
    assert round_2024.narrative == ""


def test_sending_without_every_value_stores_nothing(
    login_as: Login, round_2024: OfficeReport
) -> None:
    contract = round_2024.contract
    data = _report_values(contract, count="")

    response = login_as("webuild").post(reverse("report-detail", args=[round_2024.pk]), data)

    assert response.status_code == 200
    assert "Udfyld en værdi for hver indikator" in _page(response)
    assert not KpiResult.objects.exists()
    assert OfficeReport.objects.get(pk=round_2024.pk).status == ReportStatus.DRAFT


def test_asking_for_changes_needs_a_comment(login_as: Login, round_2024: OfficeReport) -> None:
    office = login_as("webuild")
    url = reverse("report-detail", args=[round_2024.pk])
    assert office.post(url, _report_values(round_2024.contract, count="8")).status_code == 302

    response = login_as("naestved").post(
        reverse("report-review", args=[round_2024.pk]), {"decision": "changes", "comment": " "}
    )

    assert response.status_code == 200
    assert "Skriv, hvad der skal ændres." in _page(response)
    assert OfficeReport.objects.get(pk=round_2024.pk).status == ReportStatus.SUBMITTED


def test_a_deadline_before_the_opening_is_refused(login_as: Login, signed: Contract) -> None:
    secretariat = login_as("sekretariat")
    response = secretariat.post(
        reverse("round-new"),
        {"year": "2024", "opens_on": "01-02-2025", "deadline": "31-01-2025", "note": ""},
    )

    assert response.status_code == 200
    assert "ligger før åbningen" in _page(response)
    assert not FollowUpRound.objects.exists()


def test_a_deadline_is_not_moved_before_the_opening(
    login_as: Login, round_2024: OfficeReport
) -> None:
    secretariat = login_as("sekretariat")
    url = reverse("round-deadline", args=[2024])

    response = secretariat.post(url, {"deadline": "01-01-2025"})

    assert response.status_code == 200
    assert "ligger før åbningen" in _page(response)
    assert FollowUpRound.objects.get().deadline == dt.date(2025, 3, 1)
    assert secretariat.post(url, {"deadline": "15-03-2025"}).status_code == 302
    assert FollowUpRound.objects.get().deadline == dt.date(2025, 3, 15)


def test_an_upload_that_is_no_pdf_is_refused(login_as: Login, contract: Contract) -> None:
    response = login_as("sekretariat").post(
        reverse("contract-document", args=[contract.pk]),
        {
            "file": SimpleUploadedFile(
                "kontrakt.pdf", b"PK\x03\x04 a zip", content_type="application/pdf"
            )
        },
    )

    assert response.status_code == 200
    assert "ikke en PDF" in _page(response)
    assert not ContractDocument.objects.exists()


def test_a_too_large_upload_is_refused(login_as: Login, contract: Contract, settings) -> None:
    settings.KLYNGE_CONTRACT_MAX_BYTES = 1000
    big = PDF[:-6] + b" " * 2000 + b"%%EOF\n"

    response = login_as("sekretariat").post(
        reverse("contract-document", args=[contract.pk]),
        {"file": SimpleUploadedFile("kontrakt.pdf", big, content_type="application/pdf")},
    )

    page = _page(response)
    assert response.status_code == 200
    assert 'href="#id_file"' in page
    assert "0,1 MB" in page  # the limit, in Danish megabytes (rounded up)
    assert not ContractDocument.objects.exists()


def test_an_upload_over_the_body_limit_is_answered_413(
    login_as: Login, contract: Contract, settings
) -> None:
    settings.KLYNGE_REQUEST_MAX_BYTES = 2000
    settings.KLYNGE_CONTRACT_MAX_BYTES = 1000
    settings.KLYNGE_UPLOAD_FORM_BYTES = 1000
    big = PDF[:-6] + b" " * 5000 + b"%%EOF\n"

    response = login_as("sekretariat").post(
        reverse("contract-document", args=[contract.pk]),
        {"file": SimpleUploadedFile("kontrakt.pdf", big, content_type="application/pdf")},
    )

    assert response.status_code == 413
    assert not ContractDocument.objects.exists()


def test_the_document_is_downloaded_from_the_database(login_as: Login, signed: Contract) -> None:
    document = signed.documents.get()
    url = reverse("contract-download", args=[signed.pk, document.pk])

    response = login_as("webuild").get(url)

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kontrakt.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login_as("laeser").get(url).status_code == 403
    assert signed.documents.get().sha256 in _page(
        login_as("greve").get(reverse("contract-detail", args=[signed.pk]))
    )


def _other_office_contract(demo: Agreement) -> Contract:
    """Food & Bio's draft contract with its lead municipality: not webuild's."""
    office = ClusterOffice.objects.get(name="Food & Bio Cluster Denmark – Slagelse")
    lead = OfficeLead.objects.filter(agreement=demo, office=office, year=2022).first()
    assert lead is not None
    return contract_create(
        actor=ACTOR,
        data=ContractInput(
            kind=ContractKind.OFFICE, title="Resultatkontrakt Food & Bio", first_year=2022,
            last_year=2022, office=office, lead_municipality=lead.municipality, agreement=demo,
        ),
    )  # fmt: skip


def test_an_office_sees_its_own_and_its_clusters_contracts_only(
    login_as: Login, signed: Contract, demo: Agreement
) -> None:
    other = _other_office_contract(demo)
    office = ClusterOffice.objects.get(name=OFFICE)
    cluster = contract_create(
        actor=ACTOR,
        data=ContractInput(
            kind=ContractKind.CLUSTER, title="Klyngens kontrakt med UFS", first_year=2022,
            last_year=2024, cluster=office.cluster,
            counterparty=Organisation.objects.get(name="Uddannelses- og Forskningsstyrelsen"),
        ),
    )  # fmt: skip
    document = ContractDocument.objects.get(contract=signed)
    client = login_as("webuild")

    page = _page(client.get(reverse("contract-list")))

    assert escape(signed.title) in page and escape(cluster.title) in page
    assert escape(other.title) not in page
    assert client.get(reverse("contract-detail", args=[cluster.pk])).status_code == 200
    assert client.get(reverse("contract-detail", args=[other.pk])).status_code == 404
    wrong = reverse("contract-download", args=[other.pk, document.pk])
    assert client.get(wrong).status_code == 404
    assert escape(other.title) in _page(login_as("greve").get(reverse("contract-list")))


def test_an_office_sees_only_its_own_row_of_a_round(
    login_as: Login, round_2024: OfficeReport, demo: Agreement
) -> None:
    other = _other_office_contract(demo)
    report = OfficeReport.objects.create(round=round_2024.round, contract=other)

    office_page = _page(login_as("webuild").get(reverse("round-detail", args=[2024])))
    municipality_page = _page(login_as("greve").get(reverse("round-detail", args=[2024])))

    assert OFFICE in office_page and "Food &amp; Bio" not in office_page
    assert OFFICE in municipality_page and "Food &amp; Bio" in municipality_page
    assert login_as("webuild").get(reverse("report-detail", args=[report.pk])).status_code == 404


def test_a_signed_contract_is_not_edited(login_as: Login, signed: Contract) -> None:
    response = login_as("sekretariat").post(
        reverse("contract-edit", args=[signed.pk]),
        {
            "office": signed.office_id, "lead_municipality": signed.lead_municipality_id,
            "agreement": signed.agreement_id, "title": "Ny titel", "first_year": "2022",
            "last_year": "2024", "met_percent": "100", "partly_percent": "80", "note": "",
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "kan ikke ændres" in _page(response)
    assert Contract.objects.get(pk=signed.pk).title == signed.title


def test_an_indicator_is_added_edited_and_deleted(login_as: Login, contract: Contract) -> None:
    client = login_as("sekretariat")
    data = {
        "key": "messer", "name": "Messer", "definition": "", "unit": "messer", "kind": "count",
        "direction": "higher", "source": "entered", "baseline": "1.200", "position": "20",
    }  # fmt: skip
    assert client.post(reverse("indicator-new", args=[contract.pk]), data).status_code == 302
    indicator = contract.indicators.get(key="messer")
    assert indicator.baseline == 1200
    edit = reverse("indicator-edit", args=[contract.pk, indicator.pk])
    assert 'value="1200"' in _page(client.get(edit))
    # A share as a baseline of a count, and a key used twice: each named.
    response = client.post(edit, {**data, "key": "tilfredshed", "baseline": "45,5"})
    page = _page(response)
    assert response.status_code == 200
    assert escape("Nøglen 'tilfredshed' bruges allerede") in page
    assert "er ikke et helt antal" in page
    response = client.post(reverse("indicator-delete", args=[contract.pk, indicator.pk]))
    assert response.status_code == 302
    assert not contract.indicators.filter(key="messer").exists()


def test_a_target_of_the_wrong_kind_is_refused(login_as: Login, contract: Contract) -> None:
    share = contract.indicators.get(key="tilfredshed")

    response = login_as("sekretariat").post(
        reverse("indicator-targets", args=[contract.pk, share.pk]),
        {"target_2022": "75", "target_2023": "101", "target_2024": "80,5"},
    )

    assert response.status_code == 200
    assert "over 100 %" in _page(response)
    assert not share.targets.exists()


def test_the_main_menu_shows_the_contracts_to_staff_only(login_as: Login) -> None:
    for username, shown in [("sekretariat", True), ("webuild", True), ("laeser", False)]:
        page = _page(login_as(username).get(reverse("allocation", args=[2024])))
        menu = page[page.index('<ul class="mainmenu">') :]
        assert (reverse("contract-list") in menu) is shown, username
        assert (reverse("round-list") in menu) is shown, username


def test_a_cluster_contract_with_ufs_is_created_through_the_web(login_as: Login) -> None:
    office = ClusterOffice.objects.get(name=OFFICE)
    ufs = Organisation.objects.get(name="Uddannelses- og Forskningsstyrelsen")
    client = login_as("sekretariat")
    url = reverse("contract-new", args=["klynge"])
    data = {
        "cluster": office.cluster_id, "counterparty": ufs.pk, "title": "Klyngen og UFS",
        "first_year": "2022", "last_year": "2024", "met_percent": "100",
        "partly_percent": "80", "note": "",
    }  # fmt: skip

    refused = client.post(url, {**data, "met_percent": "70"})
    response = client.post(url, data)

    assert refused.status_code == 200 and "Tærsklerne" in _page(refused)
    contract = Contract.objects.get()
    assert response["Location"] == reverse("contract-detail", args=[contract.pk])
    assert (contract.kind, contract.counterparty, contract.office) == ("cluster", ufs, None)
    assert client.get(reverse("contract-new", args=["andet"])).status_code == 404
