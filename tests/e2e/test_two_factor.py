"""
Two-factor login in a browser: a user adds an app from the QR page's key, gets
recovery codes, logs in again with a code, and turns it off; axe checks each page.
"""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django_otp.oath import TOTP
from tests.conftest import TEST_ACTOR
from tests.e2e.conftest import axe_violations, describe

from klynge.accounts.models import Role
from klynge.accounts.services import Binding, user_create

USERNAME = "e2e.totp"
PASSWORD = "E2e-klynge-totp-2026"


def _log_in(page: Any, site: str) -> None:
    page.goto(f"{site}/log-ind/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit] >> text=Log ind")
    page.wait_for_load_state()


def _submit(page: Any, label: str) -> None:
    page.click(f"main button[type=submit] >> text={label}")
    page.wait_for_load_state()


def test_a_user_turns_on_two_factor_login_and_logs_in_with_a_code(site: str, page: Any) -> None:
    user_create(
        actor=TEST_ACTOR, username=USERNAME, password=PASSWORD, binding=Binding(role=Role.READER)
    )
    found: dict[str, Any] = {}

    def check(name: str) -> None:
        if violations := axe_violations(page):
            found[name] = violations

    _log_in(page, site)
    page.click(".additional-info >> text=Min konto")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Min konto"
    check("account")
    page.click("main >> text=Slå to-faktor-login til")
    page.wait_for_load_state()
    assert page.locator("svg.qr-code[role=img]").count() == 1
    check("set-up")

    _submit(page, "Slå to-faktor-login til")  # nothing typed: the errors are listed
    assert page.locator("[data-module=error-summary] a[href='#id_code']").count() == 1
    check("set-up with errors")
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret + "=" * (-len(secret) % 8)))
    page.fill("#id_code", f"{totp.token():06d}")
    page.fill("#id_password", PASSWORD)
    _submit(page, "Slå to-faktor-login til")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check("recovery codes")

    with page.expect_navigation():
        page.click(".additional-info button[type=submit]")  # "Log ud"
    _log_in(page, site)
    assert "/log-ind/kode/" in page.url
    assert page.locator(".navigation-menu").count() == 0  # no menu before the code
    check("login code")
    page.fill("#id_code", "000000")
    _submit(page, "Log ind")
    assert page.locator("text=Koden er forkert").count() >= 1
    check("login code, wrong")
    page.fill("#id_code", codes[0])
    _submit(page, "Log ind")
    assert "/log-ind/" not in page.url
    assert page.locator("text=9 tilbage").count() == 1

    for url in ["/konto/", "/konto/to-faktor/koder/", "/konto/to-faktor/slaa-fra/"]:
        page.goto(site + url)
        check(url)
    page.fill("#id_password", PASSWORD)
    _submit(page, "Slå fra")
    assert page.locator("text=To-faktor-login er slået fra.").count() == 1

    assert found == {}, describe([{"page": p, "violations": v} for p, v in found.items()])
    assert page.klynge_errors == []
