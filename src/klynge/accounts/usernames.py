"""
Usernames from a small safe set, the same wherever a user is made.

A username is NFKC-normalised and lower-cased, and then may hold only the
ASCII letters a-z, the digits 0-9 and . _ -, starting with a letter or digit.
So no two usernames look alike through case, full-width forms, ligatures or
letters from other scripts (confusables), and no zero-width or other invisible
character can hide in one (ASVS 5.0 6.2/6.3). The secretariat's form, the user
services, the admin and `klynge createsuperuser` all call `normalise_username`;
the login form normalises what is typed the same way.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USERNAME_MAX_LENGTH = 150
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
USERNAME_HELP = _(
    "Lower-case letters a-z, digits and . _ - only; it starts with a letter or a digit."
)


def fold_username(raw: str) -> str:
    """`raw` NFKC-normalised, lower-cased and stripped of surrounding spaces (no check)."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def normalise_username(raw: str) -> str:
    """
    Return `raw` as a stored username: NFKC, lower case, only [a-z0-9._-].

    :raises ValidationError: with a Danish message if anything else is left,
        e.g. æ, ø, å, a space, a zero-width character or a letter of another script
    """
    username = fold_username(raw)
    if not username:
        raise ValidationError(_("Enter a username."), code="required")
    if len(username) > USERNAME_MAX_LENGTH:
        raise ValidationError(
            _("A username has at most %(limit)d characters."),
            code="max_length",
            params={"limit": USERNAME_MAX_LENGTH},
        )
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            _(
                "A username may hold only the letters a-z, the digits 0-9 and . _ - "
                "and must start with a letter or a digit."
            ),
            code="invalid",
        )
    return username
