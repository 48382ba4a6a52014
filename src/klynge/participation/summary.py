"""A batch's summary counts as sentences, for the command line and the web page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from klynge.core.money import group_thousands

LABELS = (
    ("participants_new", gettext_noop("%(n)s new participants")),
    ("participants_changed", gettext_noop("%(n)s participants changed")),
    ("activities_new", gettext_noop("%(n)s new activities")),
    ("activities_changed", gettext_noop("%(n)s activities changed")),
    ("participations_new", gettext_noop("%(n)s new participations")),
    ("participations_existing", gettext_noop("%(n)s participations already registered")),
    ("exporters_new", gettext_noop("%(n)s exporter statuses added")),
    ("exporters_changed", gettext_noop("%(n)s exporter statuses changed")),
    ("contacts_new", gettext_noop("%(n)s new contact persons")),
    ("contacts_changed", gettext_noop("%(n)s contact persons changed")),
    (
        "observations",
        gettext_noop(
            "%(n)s participants registered by others kept unchanged; "
            "the file's other values are kept as this office's "
            "observation"
        ),
    ),
)


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """Every count of `summary` that is not zero as a sentence, in the user's language."""
    lines = [
        _(label) % {"n": group_thousands(int(summary[key]))}
        for key, label in LABELS
        if summary.get(key)
    ]
    if not any(summary.get(key) for key, _label in LABELS if key != "participations_existing"):
        lines.insert(0, _("Nothing changes: everything in the file is already registered."))
    return lines
