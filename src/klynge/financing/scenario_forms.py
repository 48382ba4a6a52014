"""The scenario form: the changes a user can try on a year."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import KronerField
from klynge.core.cofinancing import Key
from klynge.core.scenario import Changes
from klynge.core.text import is_digits
from klynge.financing.models import KeyChoice, RoundingUnit
from klynge.masterdata.models import ClusterOffice, Municipality


class PercentField(forms.CharField):
    """A percentage as Danes write it (40 or 2,5); cleans to an exact Fraction."""

    def to_python(self, value: Any) -> Fraction | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Fraction(str(text).strip().replace(",", "."))
        except ValueError as error:
            raise forms.ValidationError(_("Write a percentage, e.g. 40 or 2,5.")) from error


class ScenarioForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Budget year"), coerce=int, choices=[])
    leave = forms.ModelMultipleChoiceField(
        label=_("Municipalities that leave"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    office_amount_ore = KronerField(label=_("Amount per office"), required=False)
    lead_share_percent = PercentField(
        label=_("Lead share in per cent"), required=False, help_text=_("E.g. 40.")
    )
    index_percent = PercentField(
        label=_("Price and wage index (PL) for the year, per cent"),
        required=False,
        help_text=_("E.g. 2,5."),
    )
    rounding_unit_ore = forms.TypedChoiceField(
        label=_("Rounding unit"),
        coerce=int,
        choices=[("", _("As the agreement")), *RoundingUnit.choices],
        required=False,
        empty_value=None,
    )
    lead_office = forms.ModelChoiceField(
        label=_("Change the lead of"),
        queryset=ClusterOffice.objects.order_by("name"),
        required=False,
    )
    lead_municipality = forms.ModelChoiceField(
        label=_("to"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )
    key = forms.ChoiceField(
        label=_("Allocation key"),
        choices=[("", _("As the agreement")), *KeyChoice.choices],
        required=False,
    )
    weights = forms.CharField(
        label=_("Custom weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only with the key custom weights: CODE=WEIGHT, e.g. 253=2 259=3."),
    )
    new_office = forms.CharField(label=_("A new office (name)"), max_length=200, required=False)
    new_office_lead = forms.ModelChoiceField(
        label=_("The new office's lead municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]

    def clean_weights(self) -> dict[str, int]:
        weights: dict[str, int] = {}
        for line in re.split(r"[\s,;]+", self.cleaned_data["weights"]):
            if not line:
                continue
            code, _sep, weight = line.partition("=")
            if not (is_digits(code.strip()) and is_digits(weight.strip()) and int(weight) > 0):
                raise forms.ValidationError(
                    _("'%(line)s' is not CODE=WEIGHT with a positive whole weight.")
                    % {"line": line.strip()}
                )
            weights[code.strip().zfill(3)] = int(weight)
        return weights

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key") == Key.CUSTOM and not data.get("weights"):
            self.add_error("weights", _("The key custom weights needs the weights."))
        if bool(data.get("lead_office")) != bool(data.get("lead_municipality")):
            self.add_error("lead_municipality", _("Choose both the office and its new lead."))
        return data

    def changes(self) -> Changes:
        data = self.cleaned_data
        new_offices: tuple[tuple[str, str | None], ...] = ()
        if data["new_office"]:
            lead = data["new_office_lead"]
            new_offices = ((data["new_office"].strip(), lead.code if lead else None),)
        return Changes(
            leave=frozenset(m.code for m in data["leave"]),
            office_amount_ore=data["office_amount_ore"],
            lead_share_percent=data["lead_share_percent"],
            index_percent=data["index_percent"],
            rounding_unit_ore=data["rounding_unit_ore"],
            key=Key(data["key"]) if data["key"] else None,
            custom_weights=data["weights"],
            leads=(
                {data["lead_office"].name: data["lead_municipality"].code}
                if data["lead_office"]
                else {}
            ),
            new_offices=new_offices,
        )


class ScenarioSaveForm(forms.Form):
    name = forms.CharField(label=_("Name of the scenario"), max_length=200)
