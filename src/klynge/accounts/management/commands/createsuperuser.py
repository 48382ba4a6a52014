"""`klynge createsuperuser`: Django's command, with the username held to the safe set."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.core.exceptions import ValidationError

from klynge.accounts.usernames import normalise_username


class Command(createsuperuser.Command):
    def _validate_username(self, username: str, verbose_field_name: str, database: str) -> Any:
        """Django's checks, after the username is refused unless it is already normalised."""
        try:
            normalised = normalise_username(username)
        except ValidationError as error:
            return "; ".join(error.messages)
        if normalised != username:
            return f"Skriv brugernavnet som {normalised}"
        # Private in Django, absent from the stubs.
        return super()._validate_username(  # type: ignore[misc]
            username, verbose_field_name, database
        )
