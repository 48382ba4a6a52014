"""
`klynge gdpr export --email X`: everything held on a contact person, as JSON.

`klynge gdpr anonymise --email X` anonymises every contact person with the
email, the import batches' copies of it and the files waiting to be stored
that hold it; the participants and their participations stay, so every
statistic is the same. An office user (`--user`) reaches only the office's
own contacts and batches.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.masterdata.models import ClusterOffice
from klynge.participation.services import contact_anonymise, contact_export


def _scope(actor: Actor) -> ClusterOffice | None:
    """
    The office whose contacts `actor` may reach; None: every office.

    Called after `command_actor` has checked `VIEW_CONTACTS`: the secretariat
    (and the operator, without --user) reaches every office, an office user
    only its own.

    :raises CommandError: if the user may see no single office's contacts
    """
    user = actor.user
    if user is None:
        return None
    offices = list(ClusterOffice.objects.order_by("pk"))
    allowed = [o for o in offices if user.has_perm(perms.VIEW_CONTACTS, o)]  # type: ignore[attr-defined]
    if len(allowed) == len(offices):
        return None
    if len(allowed) == 1:
        return allowed[0]
    raise CommandError(f"{actor.label} har ikke ret til dette ({perms.VIEW_CONTACTS}).")


class Command(BaseCommand):
    help = (
        "GDPR for kontaktpersoner: udtræk alt, der er gemt om en e-mail, eller anonymisér "
        "kontaktpersonerne med den (statistikken bevares)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="udtræk alt om en kontaktperson som JSON")
        export.add_argument("--email", required=True, help="kontaktpersonens e-mail")
        export.add_argument("--output", type=Path, help="skriv til denne fil (ellers stdout)")
        add_user_argument(export)
        anonymise = sub.add_parser("anonymise", help="anonymisér kontaktpersoner med en e-mail")
        anonymise.add_argument("--email", required=True, help="kontaktpersonens e-mail")
        add_user_argument(anonymise)

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        if not email:
            raise CommandError("Angiv en e-mail.")
        actor = command_actor(options, perms.VIEW_CONTACTS)
        office = _scope(actor)
        if options["action"] == "export":
            self._export(actor, email, office, options["output"])
        else:
            self._anonymise(actor, email, office)

    def _export(
        self, actor: Actor, email: str, office: ClusterOffice | None, output: Path | None
    ) -> None:
        data = contact_export(actor=actor, email=email, office=office)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if output is None:
            self.stdout.write(text)
            return
        # The file holds personal data: readable by its owner only.
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self.stdout.write(
            f"Udtrækket er skrevet til {output} ({len(data['contacts'])} kontaktpersoner, "
            f"{len(data['import_batches'])} indlæsninger)."
        )

    def _anonymise(self, actor: Actor, email: str, office: ClusterOffice | None) -> None:
        # The email is never printed: the output may end up in a log.
        count = contact_anonymise(actor=actor, email=email, office=office)
        if count == 0:
            self.stdout.write("Ingen kontaktperson med denne e-mail blev fundet.")
        elif count == 1:
            self.stdout.write(
                "1 kontaktperson med denne e-mail er anonymiseret; statistikken er bevaret."
            )
        else:
            self.stdout.write(
                f"{count} kontaktpersoner med denne e-mail er anonymiseret; "
                "statistikken er bevaret."
            )
