"""The secretariat's forms for population figures: one figure, or a fetch from StatBank."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import BoundedModelChoiceField, DanishDateField
from klynge.core.money import group_thousands
from klynge.core.statbank import Quarter, StatbankFormatError, parse_quarter
from klynge.core.text import is_digits
from klynge.masterdata.models import Municipality, Partnership
from klynge.masterdata.services import LAST_REFERENCE_YEAR, MAX_POPULATION

MAX_LENGTH = 12


class PopulationField(forms.CharField):
    """A whole number of inhabitants as Danes write it (51.507 or 51507); bounded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("maxlength", str(MAX_LENGTH))

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        if len(text) > MAX_LENGTH:
            raise forms.ValidationError(
                _("Write at most %(max)s characters.") % {"max": MAX_LENGTH}, code="max_length"
            )
        digits = text.replace(".", "").replace(" ", "")
        if digits.startswith("-") and is_digits(digits[1:]):
            raise forms.ValidationError(_("The population cannot be negative."), code="negative")
        if not is_digits(digits):
            raise forms.ValidationError(
                _("Write the population as a whole number, e.g. 51.507."), code="invalid"
            )
        number = int(digits)
        if number == 0:
            raise forms.ValidationError(_("The population must be more than 0."), code="zero")
        if number > MAX_POPULATION:
            raise forms.ValidationError(
                _("The population can be at most %(max)s.")
                % {"max": group_thousands(MAX_POPULATION)},
                code="too_large",
            )
        return number


class PopulationForm(forms.Form):
    municipality = BoundedModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("Choose a municipality"),
        error_messages={
            "invalid_choice": _("Choose one of the 17 municipalities in the list."),
            "required": _("Choose the municipality."),
        },
    )
    reference_date = DanishDateField(
        label=_("Reference date"),
        help_text=_("The date the figure counts, usually 1 January, as 01-01-2022."),
    )
    population = PopulationField(label=_("Population"), help_text=_("E.g. 51.507."))
    source_label = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("As people should read it, e.g. Danmarks Statistik, FOLK1A."),
    )
    source_url = forms.URLField(
        label=_("Link to the source"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Write a whole web address, e.g. https://www.dst.dk/.")},
    )
    source_read_on = DanishDateField(
        label=_("Date read"), help_text=_("When the figure was read in the source, as 30-11-2026.")
    )
    note = forms.CharField(
        label=_("Note for the secretariat"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where and how the figure was read; shown to the secretariat only."),
    )

    def clean_source_read_on(self) -> date:
        value: date = self.cleaned_data["source_read_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date read cannot lie in the future."))
        return value


class PopulationFetchForm(forms.Form):
    """The quarter (and partnership) to fetch from Statistics Denmark's FOLK1A."""

    quarter = forms.CharField(
        label=_("Quarter"),
        max_length=6,
        help_text=_("As Statistics Denmark writes it: 2025K1 is the population on 1 January 2025."),
    )
    partnership = BoundedModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.order_by("name"),
        to_field_name="key",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a partnership in the list.")},
    )

    def clean_quarter(self) -> Quarter:
        try:
            return parse_quarter(self.cleaned_data["quarter"], last_year=LAST_REFERENCE_YEAR)
        except StatbankFormatError as error:
            raise forms.ValidationError(str(error)) from None
