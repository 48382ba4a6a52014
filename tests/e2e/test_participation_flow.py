"""The whole flow in a browser: an office uploads, checks and stores; a municipality sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import axe_violations, log_in
from tests.participation.files import FILE, csv_bytes, row

from klynge.demo.services import DEMO_PASSWORD


def _upload(page: Any, site: str, path: Path) -> None:
    page.goto(site + "/deltagelse/indlaesning/")
    page.set_input_files("#id_file", str(path))
    page.click("button[type=submit] >> text=Tjek filen")
    page.wait_for_load_state()


def test_an_office_uploads_its_list_and_a_municipality_sees_its_companies(
    site: str, page: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "fejl.csv"
    bad.write_bytes(csv_bytes([row(**{"CVR-nummer": "12345675"})]))
    good = tmp_path / "deltagere.csv"
    good.write_bytes(csv_bytes(FILE))
    log_in(page, site, "webuild", DEMO_PASSWORD)

    _upload(page, site, bad)
    assert page.locator("text=Filen har 1 fejl; intet er gemt").count() == 1
    assert page.locator("td", has_text="12345675").count() >= 1
    assert axe_violations(page) == []

    _upload(page, site, good)
    assert page.locator("text=Filen har ingen fejl. Intet er gemt endnu.").count() == 1
    assert axe_violations(page) == []
    # The shared site also holds the permission matrix's participants, so the file renames
    # one of them: the office confirms that it has seen the difference.
    if page.locator("#id_accept_changes").count():
        page.check("#id_accept_changes")
    page.click("button >> text=Gem filen")
    page.wait_for_load_state()
    assert page.locator("text=Filen er gemt.").count() == 1

    page.context.clear_cookies()
    log_in(page, site, "greve", DEMO_PASSWORD)
    page.goto(site + "/")  # Greve's start page: what it pays beside what it gets
    assert page.locator("h2 >> text=Det får vi").count() == 1
    page.goto(site + "/deltagelse/?aar=2024")
    roskilde = page.locator("tr", has=page.locator("th >> text=Roskilde"))
    assert roskilde.locator("a").first.inner_text() != "0"
    assert axe_violations(page) == []
    assert page.klynge_errors == []
