"""
The base of every `klynge` command: safe output, and a database that fails gives a message.

Values from files and the database (a participant's name, a reference, a
file name) may hold control characters; ESC [ ... would rewrite the
operator's terminal. Everything a command writes, its errors included, goes
out with control characters as visible escapes (`\\x1b`), except line breaks
and tabs. A database that cannot be written (read-only, a full disk) or
reached ends the command with a Danish message instead of a traceback, for a
dry run too (its batch is written, then discarded).
"""

from __future__ import annotations

from typing import Any, TextIO

from django.core.management.base import BaseCommand as DjangoBaseCommand
from django.core.management.base import CommandError, OutputWrapper
from django.db import DatabaseError

from klynge.core.text import escape_controls

KEPT = "\n\t"  # the control characters a command's own text uses


class TerminalSafeOutput(OutputWrapper):
    """A command's stdout or stderr that writes control characters as escapes."""

    def write(  # type: ignore[override]
        self, msg: str = "", style_func: Any = None, ending: str | None = None
    ) -> None:
        super().write(escape_controls(msg, keep=KEPT), style_func, ending)


def _safe(wrapper: OutputWrapper) -> TerminalSafeOutput:
    if isinstance(wrapper, TerminalSafeOutput):
        return wrapper
    out: TextIO = wrapper._out  # type: ignore[assignment]
    return TerminalSafeOutput(out, wrapper.ending)


def database_message(error: DatabaseError) -> str:
    """What went wrong with the database, in Danish, and what the operator can do."""
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) or ""
    text = str(error)
    lowered = text.lower()
    if "readonly database" in lowered or "read-only" in lowered or code == "25006":
        return (
            "Databasen er skrivebeskyttet, så intet kan gemmes (heller ikke en prøvekørsel, "
            "der gemmer sin kontrol). Giv brugeren skriveret til databasen, eller kør mod en "
            "database, der kan skrives i. Intet er ændret."
        )
    if "disk is full" in lowered or "no space left" in lowered or code.startswith("53"):
        return (
            "Databasen eller disken er fuld, så intet kan gemmes. Frigør plads (fx med "
            "'klynge purge'), og prøv igen. Intet er ændret."
        )
    if "unable to open database" in lowered or code.startswith("08"):
        return f"Databasen kan ikke åbnes: {text}. Tjek DATABASE_URL og rettighederne."
    return f"Databasen afviste handlingen: {text}. Intet er ændret."


class BaseCommand(DjangoBaseCommand):
    """A management command whose output is terminal-safe and whose database errors are told."""

    @property
    def stdout(self) -> TerminalSafeOutput:
        return self._safe_stdout

    @stdout.setter
    def stdout(self, wrapper: OutputWrapper) -> None:
        self._safe_stdout = _safe(wrapper)

    @property
    def stderr(self) -> TerminalSafeOutput:
        return self._safe_stderr

    @stderr.setter
    def stderr(self, wrapper: OutputWrapper) -> None:
        self._safe_stderr = _safe(wrapper)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DatabaseError as error:
            raise CommandError(database_message(error)) from error
