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
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """
    Chromium for one test module.

    Playwright's sync API keeps an event loop running in the test's thread
    while it is open, so the ORM there (fixtures, the flush after each test)
    needs DJANGO_ALLOW_ASYNC_UNSAFE. Both last exactly as long as the module,
    so the rest of the suite runs with Django's async safety on.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def site(browser: Any, live_server: Any, audit_maintenance: None, demo: Any) -> str:
    """The live server's URL, with the register and demo data loaded."""
    return str(live_server.url)


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
    Run axe-core (Danish messages) with the WCAG 2.1 A and AA rules.

    axe is evaluated through the DevTools protocol, not added as a <script>:
    the site's Content-Security-Policy (rightly) refuses inline scripts, and
    the policy stays on so that a violation of it shows up as a console error.
    """
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
