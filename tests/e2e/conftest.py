"""
The browser suite: Playwright drives Debian's chromium against a live server.

Never `playwright install`: the suite uses /usr/bin/chromium (apt package
`chromium`). Without it the tests are skipped with a notice, unless
KLYNGE_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TEST_ACTOR
from tests.security.conftest import World, make_world

CHROMIUM = os.environ.get("KLYNGE_CHROMIUM", "/usr/bin/chromium")
VENDOR = Path(__file__).parent / "vendor"
AXE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
AXE_DA = (VENDOR / "axe-da.json").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _browser_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"chromium not found at {CHROMIUM} (apt install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _browser_missing()
    if reason is None:
        return
    if os.environ.get("KLYNGE_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"The browser suite is required here, but {reason}.")
    marker = pytest.mark.skip(reason=f"browser suite skipped: {reason}")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    reason = _browser_missing()
    if reason is not None:
        terminalreporter.write_sep(
            "!", f"NOTICE: browser and accessibility tests were SKIPPED: {reason}", yellow=True
        )


@dataclass(frozen=True)
class DemoSite:
    """The live server's URL and the objects the permission matrix asks about."""

    url: str
    world: World


@contextmanager
def _test_database(connection: Any) -> Iterator[None]:
    """
    The test database, created here when no other test asked for one.

    pytest-django creates it only for tests that ask for database access;
    the browser tests reach it through the server instead, so alone they
    would find the real database's name in the settings.
    """
    from django.test.utils import setup_databases, teardown_databases

    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield
        return
    config = setup_databases(verbosity=0, interactive=False, aliases={connection.alias})
    try:
        yield
    finally:
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="package")
def demo_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSite]:
    """
    A live server over the demo data at full volume, loaded once for the suite.

    What `klynge load-sjaelland`, `load-grants` and `demo` load (3.000 demo
    companies, 24.000 participations), plus the matrix's world (an approved
    2024 run with its requests, a saved scenario, stored participant files),
    so that figures of 1.000 and more are on the pages axe checks. The suite
    shares it: tests that write (the keyboard flow, the upload) change data no
    other test asserts on. Database access stays open for as long as the
    server runs (the server thread needs it), and the database is emptied
    when the suite ends so that the tests after it start from nothing.
    """
    from django.core.management import call_command
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    from klynge.demo.contracts import demo_contracts_load
    from klynge.demo.participation import demo_participation_load
    from klynge.demo.services import demo_load
    from klynge.financing.services import agreement_load
    from klynge.funding.services import grants_load
    from klynge.masterdata.services import register_load

    with django_db_blocker.unblock(), _test_database(connection):
        register_load()
        agreement = agreement_load(actor=TEST_ACTOR)
        grants_load(actor=TEST_ACTOR)
        demo_load()
        counts = demo_participation_load()
        assert counts["companies"] >= 3000 and counts["participations"] >= 24000, counts
        demo_contracts_load()
        world = make_world(agreement)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield DemoSite(url=str(server.url), world=world)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            if connection.vendor == "sqlite":  # let the flush delete audit entries
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def browser(demo_site: DemoSite) -> Iterator[Any]:
    """
    Chromium for one test module.

    Playwright's sync API keeps an event loop running in the test's thread
    while it is open, so the ORM there needs DJANGO_ALLOW_ASYNC_UNSAFE for
    exactly as long as the module; the rest of the suite runs with Django's
    async safety on.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def site(browser: Any, demo_site: DemoSite) -> str:
    """The live server's URL, with the register and the demo data loaded."""
    return demo_site.url


@pytest.fixture
def world(demo_site: DemoSite) -> World:
    return demo_site.world


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh Danish browser page; console errors and page errors fail the test."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.klynge_errors = errors
    yield page
    context.close()


def log_in(page: Any, site: str, username: str, password: str) -> None:
    page.goto(f"{site}/log-ind/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit] >> text=Log ind")
    page.wait_for_load_state()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """
    Run axe-core (Danish messages) with the WCAG 2.1 A and AA rules, folds opened.

    axe is evaluated through the DevTools protocol, not added as a <script>:
    the site's Content-Security-Policy (rightly) refuses inline scripts, and
    the policy stays on so that a violation of it shows up as a console error.
    """
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.evaluate(AXE)
    page.evaluate(f"axe.configure({{locale: {AXE_DA}}})")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)
