"""
Each role logs in through the real login form, opens every page it may
open, and axe-core finds no WCAG 2.1 A/AA violation on any of them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.e2e.conftest import axe_violations, describe, log_in
from tests.security.conftest import World
from tests.security.test_permission_matrix import MATRIX

from klynge.demo.services import DEMO_PASSWORD

EXTRA_PAGES = [
    "/overblik/?maal=total",
    "/overblik/?maal=population",
    "/overblik/?maal=reach_per_1000",
    "/fordeling/2022/",
]
# The annual report of a year without an approved run lists what is missing.
EXTRA_PAGES_BY_ROLE = {"sekretariat": ["/aarsrapport/?aar=2023"]}


def pages_for(username: str, world: World) -> list[str]:
    """Every HTML page the matrix says `username` may open (GET, 200); no files, no JSON."""
    urls = [
        entry.url(world)
        for name, entry in sorted(MATRIX.items())
        if entry.method == "get"
        and entry.expected[username] == 200
        and not name.endswith(
            ("-export", "-letter", "-template", "-report", "-zip", "-download", "-opendata")
        )
        and name != "api:*"  # JSON, not a page
    ]
    return urls + EXTRA_PAGES + EXTRA_PAGES_BY_ROLE.get(username, [])


# Index pages whose links lead to one page per object: every office, every
# municipality and every year is checked, not only the one the matrix names
# (an office with 1.000 companies or more once hid a label mismatch).
INDEXES = {
    "/klyngekontorer/": r"^/klyngekontorer/\d+/$",
    "/kommuner/": r"^/kommuner/\d+/$",
    "/fordeling/2024/": r"^/fordeling/\d{4}/$",
}
LINKS_JS = "() => [...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))"


def linked_pages(page: Any, site: str, seen: set[str]) -> list[str]:
    """The object pages the role's index pages link to, not yet in `seen`."""
    found: list[str] = []
    for index, pattern in INDEXES.items():
        response = page.goto(site + index)
        if response is None or response.status != 200:
            continue
        for href in page.evaluate(LINKS_JS):
            if re.match(pattern, href) and href not in seen and href not in found:
                found.append(href)
    return found


@pytest.mark.parametrize("username", ["sekretariat", "greve", "naestved", "webuild", "laeser"])
def test_every_page_of_the_role_has_no_axe_violations(
    site: str, page: Any, world: World, username: str
) -> None:
    log_in(page, site, username, DEMO_PASSWORD)
    found = {}
    visited = 0
    urls = pages_for(username, world)
    urls += linked_pages(page, site, set(urls))
    for url in urls:
        response = page.goto(site + url)
        assert response is not None and response.status == 200, url
        visited += 1
        violations = axe_violations(page)
        if violations:
            found[url] = violations

    assert visited >= 8
    assert found == {}, describe([{"url": u, "violations": v} for u, v in found.items()])
    assert page.klynge_errors == []


def test_pages_without_login_and_in_english_have_no_axe_violations(site: str, page: Any) -> None:
    found = {}
    for url in ["/log-ind/", "/tilgaengelighed/"]:
        page.goto(site + url)
        if violations := axe_violations(page):
            found[url] = violations
    log_in(page, site, "laeser", DEMO_PASSWORD)
    for url, status in [("/kommuner/999/", 404), ("/brugere/", 403)]:
        response = page.goto(site + url)
        assert response is not None and response.status == status
        if violations := axe_violations(page):
            found[url] = violations
    # The browser reports the 404 and 403 statuses themselves as console errors.
    assert all("status of 40" in error for error in page.klynge_errors)
    page.klynge_errors.clear()
    with page.expect_navigation():
        page.click(".additional-info button[type=submit]")  # "Log af"
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    for url in ["/overblik/", "/fordeling/2024/", "/brugere/ny/"]:
        page.goto(site + url)
        if violations := axe_violations(page):
            found[f"en {url}"] = violations

    assert found == {}, describe([{"url": u, "violations": v} for u, v in found.items()])
    assert page.klynge_errors == []


def test_a_form_with_errors_has_no_axe_violations_and_links_to_the_fields(
    site: str, page: Any
) -> None:
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.goto(site + "/aftale/2024/beloeb/")
    page.fill("#id_office_amount_ore", "mange penge")
    page.fill("#id_lead_share_ore", "")
    page.click("button[type=submit] >> text=Gem")
    page.wait_for_load_state()

    summary = page.locator("[data-module=error-summary]")
    assert summary.count() == 1
    assert summary.locator("a[href='#id_office_amount_ore']").count() == 1
    assert axe_violations(page) == []
    assert page.klynge_errors == []


def test_the_follow_up_forms_have_no_axe_violations(site: str, page: Any, world: World) -> None:
    """
    The office's report form with an error, sent; the lead's review form; a contract form.

    The matrix's world holds We Build Denmark's 2024 report as a draft; this
    test sends it for approval (last in the module: the other tests only
    open pages, which every state of the report allows).
    """
    from klynge.contracts.models import Indicator

    found = {}
    report = f"{site}/opfoelgning/afrapportering/{world.report_pk}/"
    entered = Indicator.objects.filter(contract_id=world.contract_pk, source="entered").values_list(
        "pk", "kind", "key"
    )
    log_in(page, site, "webuild", DEMO_PASSWORD)
    page.goto(report)
    count = next(pk for pk, kind, _key in entered if kind == "count")
    page.fill(f"#id_value_{count}", "mange")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert page.locator("[data-module=error-summary]").count() == 1
    assert page.locator(f"[data-module=error-summary] a[href='#id_value_{count}']").count() == 1
    if violations := axe_violations(page):
        found["report form with an error"] = violations
    typed = {"count": "8", "share": "85,5", "amount": "250.000", "milestone": "ja", "text": "Tre."}
    for pk, kind, _key in entered:
        page.fill(f"#id_value_{pk}", typed[kind])
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-module=error-summary]").count() == 0
    with page.expect_navigation():
        page.click(".additional-info button[type=submit]")  # "Log af"
    log_in(page, site, "naestved", DEMO_PASSWORD)
    page.goto(report)
    assert page.locator("button[name=decision]").count() == 2
    page.click("button[value=changes]")  # without the comment it needs
    page.wait_for_load_state()
    assert page.locator("[data-module=error-summary]").count() == 1
    if violations := axe_violations(page):
        found["review form with an error"] = violations
    with page.expect_navigation():
        page.click(".additional-info button[type=submit]")
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.goto(f"{site}/resultatkontrakter/ny/kontor/")
    page.fill("#id_first_year", "2024")
    page.fill("#id_last_year", "2022")
    page.click("button[type=submit] >> text=Gem")
    page.wait_for_load_state()
    assert page.locator("[data-module=error-summary]").count() == 1
    if violations := axe_violations(page):
        found["contract form with an error"] = violations
    page.goto(f"{site}/resultatkontrakter/{world.contract_pk}/dokument/")
    if violations := axe_violations(page):
        found["upload form"] = violations

    assert found == {}, describe([{"url": u, "violations": v} for u, v in found.items()])
    assert page.klynge_errors == []
