"""The search form of the audit log."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditSearchForm(forms.Form):
    text = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Part of the object, the reason or the user's name."),
    )
    model = forms.ChoiceField(label=_("Kind of data"), required=False)
    date_from = forms.DateField(
        label=_("From date"),
        required=False,
        help_text=_("As 2026-11-27."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, models: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["model"].choices = [("", _("All")), *[(m, m) for m in models]]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
