"""
The `klynge` console script: every Django management command, Danish-style names.

`klynge load-sjaelland` runs the `load_sjaelland` command; `klynge migrate`
runs Django's own. DATABASE_URL selects the database. Without
DJANGO_SETTINGS_MODULE the production settings are used, never the development
ones; settings that cannot load (no SECRET_KEY, say) end the command with
their message and exit code 2.
"""

from __future__ import annotations

import os
import sys

PRODUCTION_SETTINGS = "klynge.config.settings.production"


def main(argv: list[str] | None = None) -> None:
    """Run a management command named in `argv` (default: sys.argv)."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "klynge"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS)
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings
    except ImproperlyConfigured as error:
        print(f"klynge: {error}", file=sys.stderr)  # noqa: T201
        sys.exit(2)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
