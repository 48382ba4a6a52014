"""
Two-factor login (TOTP with recovery codes, django-otp): who must use it, the
enrolment, the login's second step, wrong codes and their lockout, recovery codes.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from klynge.accounts.two_factor import (
    ENROL_KEY_SESSION_KEY,
    MONEY_PERMISSIONS,
    two_factor_required,
)
from klynge.common import perms
from klynge.demo.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/log-ind/"
CODE_PAGE = reverse("login-code")
SETUP_PAGE = reverse("two-factor-setup")
CODE_PATTERN = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>")


def _code(hex_key: str, *, steps_ahead: int = 0) -> str:
    """The app's code for `hex_key` now, or `steps_ahead` 30-second steps later."""
    totp = TOTP(unhexlify(hex_key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _log_in(client: Client, username: str, ip: str = "10.1.0.1") -> None:
    response = client.post(LOGIN, {"username": username, "password": DEMO_PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302, response.content.decode()[:500]


def _enrol(client: Client) -> tuple[str, list[str]]:
    """Add an app through the pages; return its secret and the recovery codes shown."""
    assert client.get(SETUP_PAGE).status_code == 200
    hex_key = client.session[ENROL_KEY_SESSION_KEY]
    response = client.post(SETUP_PAGE, {"code": _code(hex_key), "password": DEMO_PASSWORD})
    assert response.status_code == 200
    codes = CODE_PATTERN.findall(response.content.decode())
    assert len(codes) == 10
    return hex_key, codes


def _unthrottle(username: str) -> None:
    """Let the wait after wrong codes pass, as the clock would."""
    long_ago = timezone.now() - timedelta(days=400)
    TOTPDevice.objects.filter(user__username=username).update(throttling_failure_timestamp=long_ago)
    StaticDevice.objects.filter(user__username=username).update(
        throttling_failure_timestamp=long_ago
    )


@pytest.fixture
def required(settings) -> None:
    settings.KLYNGE_REQUIRE_2FA = True


@pytest.fixture
def enrolled_greve(demo) -> tuple[str, list[str]]:
    """Greve (a municipality, two factors optional) with an app and recovery codes."""
    client = Client()
    _log_in(client, "greve")
    return _enrol(client)


# Who must use it ---------------------------------------------------------------


def test_the_requirement_follows_the_money_permissions(demo, required) -> None:
    users = {u.username: u for u in get_user_model().objects.all()}
    operator = get_user_model().objects.create_superuser("drift", password="Drift-kode-2026")

    required_for = {name for name, user in users.items() if two_factor_required(user)}

    # The secretariat approves runs; Næstved, a lead municipality, registers the
    # payments it collects and keeps its payee account. Greve, the office and
    # the reader can do neither.
    assert required_for == {"sekretariat", "naestved"}
    assert two_factor_required(operator)
    naestved = users["naestved"]
    assert naestved.has_perm(perms.COLLECT_FOR, naestved.profile.municipality)
    assert perms.COLLECT_FOR in MONEY_PERMISSIONS


def test_nobody_is_required_with_the_setting_off(demo, settings) -> None:
    settings.KLYNGE_REQUIRE_2FA = False

    assert not any(two_factor_required(u) for u in get_user_model().objects.all())


def test_the_login_page_says_when_two_factor_login_is_off(demo, settings) -> None:
    settings.KLYNGE_REQUIRE_2FA = False
    assert "To-faktor-login er slået fra i denne demo" in Client().get(LOGIN).content.decode()

    settings.KLYNGE_REQUIRE_2FA = True
    assert "To-faktor-login er slået fra" not in Client().get(LOGIN).content.decode()


# Enrolment ----------------------------------------------------------------------


def test_a_required_user_without_an_app_is_sent_to_add_one_before_anything_else(
    demo, required
) -> None:
    client = Client()
    _log_in(client, "sekretariat")

    for url in ["/", reverse("overview"), reverse("user-list"), reverse("account"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP_PAGE), url
    assert client.post(reverse("allocation-save", args=[2024])).status_code == 302
    page = client.get(SETUP_PAGE).content.decode()
    assert "Din rolle kræver to-faktor-login" in page
    assert 'class="navigation-menu"' not in page  # no menu before the login is complete
    assert client.get(reverse("accessibility")).status_code == 200  # public pages stay open
    assert client.post(reverse("logout")).status_code == 302


def test_an_optional_user_is_not_asked_for_anything(demo, required) -> None:
    client = Client()
    _log_in(client, "greve")

    assert client.get(reverse("overview")).status_code == 200


def test_the_set_up_page_shows_a_qr_code_as_inline_svg_and_the_key_as_text(demo) -> None:
    client = Client()
    _log_in(client, "greve")

    page = client.get(SETUP_PAGE).content.decode()

    svg = page[page.index("<svg role=") : page.index("</svg>", page.index("<svg role="))]
    assert 'role="img"' in svg and "<title>" in svg
    assert "style=" not in svg and "<script" not in svg  # nothing the CSP would refuse
    key = client.session[ENROL_KEY_SESSION_KEY]
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert b32decode(secret.replace(" ", "")) == unhexlify(key)
    assert "no-store" in client.get(SETUP_PAGE)["Cache-Control"]


def test_enrolment_needs_a_right_code_and_the_password(demo) -> None:
    client = Client()
    _log_in(client, "greve")
    client.get(SETUP_PAGE)
    hex_key = client.session[ENROL_KEY_SESSION_KEY]

    wrong_code = client.post(SETUP_PAGE, {"code": "000000", "password": DEMO_PASSWORD})
    wrong_password = client.post(SETUP_PAGE, {"code": _code(hex_key), "password": "forkert"})

    assert "Koden passer ikke" in wrong_code.content.decode()
    assert "Adgangskoden er forkert" in wrong_password.content.decode()
    assert not TOTPDevice.objects.filter(user__username="greve").exists()


def test_enrolment_shows_ten_recovery_codes_once_and_keeps_the_session_verified(demo) -> None:
    client = Client()
    _log_in(client, "greve")

    hex_key, codes = _enrol(client)

    device = TOTPDevice.objects.get(user__username="greve")
    assert device.confirmed and device.key == hex_key
    assert StaticToken.objects.filter(device__user__username="greve").count() == 10
    assert len(set(codes)) == 10
    assert client.get(reverse("overview")).status_code == 200
    account = client.get(reverse("account")).content.decode()
    assert "10 ubrugte gendannelseskoder" in account
    assert not any(code in account for code in codes)  # shown once, on the enrolment only


# The login's second step ----------------------------------------------------------


def test_an_enrolled_user_logs_in_with_password_then_code(enrolled_greve) -> None:
    hex_key, _codes = enrolled_greve
    client = Client()
    _log_in(client, "greve")

    blocked = client.get(reverse("overview"))
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{CODE_PAGE}?next=%2Foverblik%2F"
    page = client.get(blocked["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert 'class="navigation-menu"' not in page
    session_key = client.session.session_key

    response = client.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1), "next": "/overblik/"})

    assert response.status_code == 302 and response["Location"] == "/overblik/"
    assert client.get(reverse("overview")).status_code == 200
    assert client.session.session_key != session_key  # a new session key after the code


def test_the_code_page_sends_only_to_pages_of_this_site(enrolled_greve) -> None:
    hex_key, _codes = enrolled_greve
    client = Client()
    _log_in(client, "greve")

    response = client.post(
        CODE_PAGE, {"code": _code(hex_key, steps_ahead=1), "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("home")


def test_a_code_of_the_app_is_accepted_once(enrolled_greve) -> None:
    hex_key, _codes = enrolled_greve
    code = _code(hex_key, steps_ahead=1)
    first = Client()
    _log_in(first, "greve")
    assert first.post(CODE_PAGE, {"code": code}).status_code == 302

    second = Client()
    _log_in(second, "greve", ip="10.1.0.2")
    _unthrottle("greve")
    response = second.post(CODE_PAGE, {"code": code})

    assert response.status_code == 200
    assert "Koden er forkert" in response.content.decode()


def test_wrong_codes_make_the_next_try_wait_longer_each_time(enrolled_greve) -> None:
    hex_key, _codes = enrolled_greve
    client = Client()
    _log_in(client, "greve")
    device = TOTPDevice.objects.get(user__username="greve")

    wrong = client.post(CODE_PAGE, {"code": "000000"})
    right_too_soon = client.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1)})

    assert "Koden er forkert" in wrong.content.decode()
    assert "For mange forkerte koder" in right_too_soon.content.decode()
    assert client.get(reverse("overview")).status_code == 302  # still not logged in
    for _ in range(4):  # four more wrong codes, each after the wait has passed
        _unthrottle("greve")
        client.post(CODE_PAGE, {"code": "111111"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 5
    allowed, info = device.verify_is_allowed()
    assert not allowed
    wait = info["locked_until"] - device.throttling_failure_timestamp
    assert wait == timedelta(seconds=16)  # 1, 2, 4, 8, 16 seconds

    _unthrottle("greve")
    response = client.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_lockout_holds_across_sessions(enrolled_greve) -> None:
    hex_key, _codes = enrolled_greve
    attacker = Client()
    _log_in(attacker, "greve", ip="10.6.6.6")
    attacker.post(CODE_PAGE, {"code": "000000"})

    other = Client()
    _log_in(other, "greve", ip="10.6.6.7")
    response = other.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1)})

    assert "For mange forkerte koder" in response.content.decode()


def test_a_recovery_code_logs_in_once(enrolled_greve) -> None:
    _hex_key, codes = enrolled_greve
    client = Client()
    _log_in(client, "greve")

    response = client.post(CODE_PAGE, {"code": codes[0].upper().replace("-", " ")}, follow=True)

    assert response.redirect_chain[-1][1] == 302
    assert "9 tilbage" in response.content.decode()
    assert StaticToken.objects.filter(device__user__username="greve").count() == 9
    again = Client()
    _log_in(again, "greve")
    refused = again.post(CODE_PAGE, {"code": codes[0]})
    assert refused.status_code == 200 and "Koden er forkert" in refused.content.decode()
    _unthrottle("greve")
    assert again.post(CODE_PAGE, {"code": codes[1]}).status_code == 302


def test_wrong_recovery_codes_are_throttled_too(enrolled_greve) -> None:
    _hex_key, codes = enrolled_greve
    client = Client()
    _log_in(client, "greve")

    client.post(CODE_PAGE, {"code": "aaaa-bbbb-cccc"})
    response = client.post(CODE_PAGE, {"code": codes[0]})

    assert "For mange forkerte koder" in response.content.decode()
    assert StaticToken.objects.filter(device__user__username="greve").count() == 10


def test_new_recovery_codes_replace_the_old_ones(enrolled_greve) -> None:
    hex_key, old = enrolled_greve
    client = Client()
    _log_in(client, "greve")
    client.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1)})

    refused = client.post(reverse("two-factor-codes"), {"password": "forkert"})
    response = client.post(reverse("two-factor-codes"), {"password": DEMO_PASSWORD})

    assert refused.status_code == 200 and not CODE_PATTERN.findall(refused.content.decode())
    new = CODE_PATTERN.findall(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new}


def test_an_optional_user_may_turn_two_factor_off(enrolled_greve) -> None:
    hex_key, _codes = enrolled_greve
    client = Client()
    _log_in(client, "greve")
    client.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1)})

    response = client.post(reverse("two-factor-off"), {"password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="greve").exists()
    assert not StaticDevice.objects.filter(user__username="greve").exists()
    assert client.get(reverse("overview")).status_code == 200
    later = Client()
    _log_in(later, "greve")
    assert later.get(reverse("overview")).status_code == 200  # no code asked any more


def test_a_required_user_cannot_turn_two_factor_off(demo, required) -> None:
    client = Client()
    _log_in(client, "sekretariat")
    _enrol(client)

    response = client.post(reverse("two-factor-off"), {"password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user__username="sekretariat").exists()
    assert "kan ikke slås fra" in client.get(response["Location"]).content.decode()


def test_a_session_whose_app_is_removed_must_add_one_again_if_required(demo, required) -> None:
    client = Client()
    _log_in(client, "sekretariat")
    _enrol(client)
    assert client.get(reverse("overview")).status_code == 200

    TOTPDevice.objects.filter(user__username="sekretariat").delete()
    response = client.get(reverse("overview"))

    assert response.status_code == 302 and response["Location"].startswith(SETUP_PAGE)


def test_the_admin_needs_the_code_too(demo) -> None:
    get_user_model().objects.create_superuser("drift", password="Drift-kode-2026")
    client = Client()
    client.post(LOGIN, {"username": "drift", "password": "Drift-kode-2026"})
    hex_key, _codes = _enrol_with_password(client, "Drift-kode-2026")
    client.post(reverse("logout"))

    client.post(LOGIN, {"username": "drift", "password": "Drift-kode-2026"})
    blocked = client.get("/admin/")
    client.post(CODE_PAGE, {"code": _code(hex_key, steps_ahead=1)})

    assert blocked.status_code == 302 and blocked["Location"].startswith(CODE_PAGE)
    assert client.get("/admin/").status_code == 200


def _enrol_with_password(client: Client, password: str) -> tuple[str, list[str]]:
    client.get(SETUP_PAGE)
    hex_key = client.session[ENROL_KEY_SESSION_KEY]
    response = client.post(SETUP_PAGE, {"code": _code(hex_key), "password": password})
    return hex_key, CODE_PATTERN.findall(response.content.decode())
