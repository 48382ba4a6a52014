"""
Who a management command acts for.

A command that changes data takes `--user USERNAME`: it then acts as that
user, with that user's permissions, and the audit trail names the user.
Without `--user` it acts as the operator of the server (`cli:<login>`), who
has shell access and so every right; the audit trail names the login.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from klynge.audit.services import Actor


def add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user", help="handl som denne bruger, med brugerens rettigheder (act as this user)"
    )


def command_actor(options: dict[str, Any], perm: str, obj: Any = None) -> Actor:
    """
    The actor of a command run with `options`.

    :raises CommandError: if --user names no active user, or the user lacks `perm`
    """
    username = options.get("user")
    if not username:
        return Actor.system(f"cli:{getpass.getuser()}")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"Ukendt eller deaktiveret bruger: {username}")
    if not user.has_perm(perm, obj):
        raise CommandError(f"{username} har ikke ret til dette ({perm}).")
    return Actor.of(user)
