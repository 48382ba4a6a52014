"""
Strings of third-party apps that ship no Danish translation.

`makemessages` only collects strings from our own source, and it drops
every entry of our catalogue it no longer finds there. This module names
the strings of django-axes 8.3.1 (which has no `da` locale) with
`gettext_noop`, so they stay in src/klynge/locale and keep their Danish
translations; Django then finds them in our catalogue, which LOCALE_PATHS
puts before the apps' own. Nothing imports this module at run time.

rules and django-csp have no user-visible strings. The one axes string
built with an f-string ("Cleaned up {count} expired access attempts.")
cannot be translated by anyone and is left out.

When axes is upgraded, compare with the msgids in
axes/locale/*/LC_MESSAGES/django.po and axes/admin.py, models.py, conf.py.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

AXES_STRINGS = (
    # axes/conf.py: the lockout messages
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop(
        "Account locked: too many login attempts. Contact an admin to unlock your account."
    ),
    # axes/admin.py
    gettext_noop("Locked Out"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    # axes/models.py
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)
