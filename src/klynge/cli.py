"""
The `klynge` console script: every Django management command, Danish-style names.

`klynge load-sjaelland` runs the `load_sjaelland` command; `klynge migrate`
runs Django's own. DATABASE_URL selects the database.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command named in `argv` (default: sys.argv)."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "klynge"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klynge.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
