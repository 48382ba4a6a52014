"""
Who receives the follow-up's reminders, and sending them (`klynge reminders send`).

The office's reminders (due, late, changes requested) go to the active users
bound to the office with the role klyngekontor; a report awaiting review goes
to the active users bound to the contract's lead municipality with the role
leadkommune. A user without an e-mail address receives nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from klynge.accounts.models import Profile, Role
from klynge.audit.services import Actor
from klynge.contracts import reminders
from klynge.contracts.models import OfficeReport, ReminderStage


class Recipients:
    """The e-mail addresses of every office's and lead municipality's users (one query)."""

    def __init__(self) -> None:
        self.office: dict[int, list[str]] = defaultdict(list)
        self.lead: dict[int, list[str]] = defaultdict(list)
        profiles = (
            Profile.objects.filter(
                role__in=[Role.OFFICE, Role.LEAD_MUNICIPALITY], user__is_active=True
            )
            .exclude(user__email="")
            .values_list("role", "office_id", "municipality_id", "user__email")
            .order_by("user__email")
        )
        for role, office_id, municipality_id, email in profiles:
            if role == Role.OFFICE and office_id is not None:
                self.office[office_id].append(email)
            elif role == Role.LEAD_MUNICIPALITY and municipality_id is not None:
                self.lead[municipality_id].append(email)

    def __call__(self, report: OfficeReport, stage: ReminderStage) -> list[str]:
        contract = report.contract
        if stage in reminders.TO_LEAD:
            lead_id = contract.lead_municipality_id
            return list(self.lead.get(lead_id, [])) if lead_id is not None else []
        office_id = contract.office_id
        return list(self.office.get(office_id, [])) if office_id is not None else []


def reminders_send(*, actor: Actor, today: dt.date, dry_run: bool) -> list[reminders.Reminder]:
    """Send the follow-up's reminders due `today` to the users of each office and lead."""
    return reminders.reminders_send(
        actor=actor, today=today, dry_run=dry_run, recipients=Recipients()
    )
