"""
Two-factor login: a time-based code (TOTP) from an authenticator app, with recovery codes.

Built on django-otp: a user's app is a confirmed `TOTPDevice`, the recovery
codes are the tokens of one `StaticDevice` (each used once, then deleted).
Both devices throttle wrong codes with exponential back-off stored on the
device (1, 2, 4, 8 ... seconds after each wrong code in a row; 10 wrong codes
wait 8,5 minutes, 20 wait six days), so a guesser who has the password is
locked out of the second step however many sessions it opens. A code of the
app is accepted once (`last_t`), within one step of the clock either way.

Who must use it (`two_factor_required`): with KLYNGE_REQUIRE_2FA on, the
secretariat, operators with admin access, and anyone whose permissions let
them approve, compute or change amounts, handle payment requests, register
payments or say where money is paid (MONEY_PERMISSIONS, asked of the rules
for nothing and for the municipality or office the user is bound to). Others
may turn it on; once on, it is asked at every login whatever the setting.
"""

from __future__ import annotations

import enum
import logging
import math
import secrets
from base64 import b32encode
from binascii import unhexlify
from datetime import datetime
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from klynge.accounts.models import Role
from klynge.accounts.permissions import profile_of, role_of
from klynge.common import perms

log = logging.getLogger("klynge.security")

# Where the session keeps what the login still asks for (set when the password
# is accepted, cleared when the code is), and the secret being enrolled.
LOGIN_STEP_KEY = "klynge_login_step"
ENROL_KEY_SESSION_KEY = "klynge_totp_key"

# Holding any of these, for nothing or for the user's own municipality or
# office, makes a code required: they approve, compute or change amounts,
# handle payment requests, register payments or say where money is paid.
MONEY_PERMISSIONS = (
    perms.APPROVE_ALLOCATION,
    perms.RUN_ALLOCATION,
    perms.CHANGE_AGREEMENT,
    perms.MANAGE_COLLECTION,
    perms.REGISTER_PAYMENT,
    perms.COLLECT_FOR,
    perms.EDIT_PAYEE,
)

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12  # base32: 60 bits each, shown as abcd-efgh-ijkl
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class LoginStep(enum.StrEnum):
    """What a logged-in session still has to do before it may open a page."""

    CODE = "code"  # give a code: the user has an app
    ENROL = "enrol"  # add an app: the user must have two factors and has none
    NONE = "none"  # nothing: two factors are neither on nor required


class TwoFactorError(ValueError):
    """A code is wrong, or two factors cannot be changed as asked; the message says why."""


class ThrottledError(TwoFactorError):
    """Too many wrong codes in a row: no code is tried before `until`."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
        super().__init__(
            _("Too many wrong codes. Wait %(seconds)d seconds and try again.")
            % {"seconds": seconds}
        )


def two_factor_required(user: Any) -> bool:
    """Whether `user` must log in with a code (only with KLYNGE_REQUIRE_2FA on)."""
    if not settings.KLYNGE_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff or role_of(user) == Role.SECRETARIAT:
        return True
    profile = profile_of(user)
    bound = [obj for obj in (profile.municipality, profile.office) if obj] if profile else []
    return any(user.has_perm(name, obj) for name in MONEY_PERMISSIONS for obj in [None, *bound])


def has_two_factor(user: Any) -> bool:
    """Whether `user` has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def login_step(user: Any) -> LoginStep:
    """What the login of `user` asks for after the password."""
    if has_two_factor(user):
        return LoginStep.CODE
    if two_factor_required(user):
        return LoginStep.ENROL
    return LoginStep.NONE


def recovery_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


# Enrolment -----------------------------------------------------------------


def new_secret() -> str:
    """A new random TOTP secret, hex-encoded as django-otp stores it (160 bits)."""
    return str(random_hex(20))


def secret_text(hex_key: str) -> str:
    """The secret in base32 in groups of four, to type into an app by hand."""
    text = b32encode(unhexlify(hex_key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user: Any, hex_key: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return str(TOTPDevice(user=user, key=hex_key).config_url)


def qr_svg(uri: str, title: str) -> str:
    """
    `uri` as a QR code in inline SVG (no script, no style attribute: fine under the CSP).

    The SVG is an image named by `title`; the page also shows the secret as
    text, for those who cannot scan it.
    """
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=title, svgclass="qr-code", lineclass=None
    )
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def _new_recovery_code() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))


def format_recovery_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _store_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [format_recovery_code(code) for code in codes]


@transaction.atomic
def two_factor_enrol(*, user: Any, hex_key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """
    Confirm an app by its first code and give the user new recovery codes.

    Replaces any app and recovery codes the user had. The code just used is
    not accepted again at the next login.

    :returns: the new app's device and the recovery codes, to be shown once
    :raises TwoFactorError: if the code does not match the secret
    """
    token = _normalise_code(code)
    totp = TOTP(unhexlify(hex_key))
    if not (token.isascii() and token.isdigit() and totp.verify(int(token), tolerance=1)):
        raise TwoFactorError(
            _("The code does not match. Check the app's clock and type the code it shows now.")
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name="app", key=hex_key, confirmed=True, last_t=totp.t(), drift=totp.drift
    )
    codes = _store_recovery_codes(user)
    log.info("Two-factor login turned on for user %s.", user.pk)
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: Any) -> list[str]:
    """
    Replace the user's recovery codes with new ones (the old stop working).

    :raises TwoFactorError: if the user has no app
    """
    if not has_two_factor(user):
        raise TwoFactorError(_("Two-factor login is not turned on for you."))
    codes = _store_recovery_codes(user)
    log.info("New recovery codes for user %s.", user.pk)
    return codes


@transaction.atomic
def two_factor_disable(*, user: Any) -> None:
    """
    Remove the user's app and recovery codes.

    :raises TwoFactorError: if the user must log in with two factors
    """
    if two_factor_required(user):
        raise TwoFactorError(_("Your role requires two-factor login; it cannot be turned off."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log.info("Two-factor login turned off for user %s.", user.pk)


# The login's second step ------------------------------------------------------


def two_factor_verify(*, user: Any, code: str) -> Device:
    """
    The device that accepts `code`: the app for 6 digits, else the recovery codes.

    A recovery code is deleted when used. Each wrong code doubles the wait
    before the device tries another.

    :raises ThrottledError: if the device is waiting after wrong codes
    :raises TwoFactorError: if the code is wrong
    """
    token = _normalise_code(code)
    model: type[Device] = TOTPDevice if token.isascii() and token.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    wrong = TwoFactorError(_("The code is wrong. Type the code the app shows now."))
    if device is None or not token or len(token) > 16:
        log.warning("Wrong two-factor code for user %s.", user.pk)
        raise wrong
    allowed, info = device.verify_is_allowed()
    if not allowed:
        log.warning("Two-factor code refused for user %s: waiting after wrong codes.", user.pk)
        raise ThrottledError(info["locked_until"])
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        log.warning("Wrong two-factor code for user %s.", user.pk)
        raise wrong
    if isinstance(verified, StaticDevice):
        log.warning("Recovery code used by user %s.", user.pk)
    return verified
