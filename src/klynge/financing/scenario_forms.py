"""The scenario form: the changes a user can try on a year."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import (
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    KronerField,
)
from klynge.core.cofinancing import Key
from klynge.core.money import group_thousands
from klynge.core.numbers import NumberError, NumberProblem, parse_decimal
from klynge.core.scenario import Changes
from klynge.financing.models import KeyChoice, RoundingUnit
from klynge.masterdata.models import ClusterOffice, Municipality


class PercentField(forms.CharField):
    """
    A percentage as Danes write it (40 or 2,5), within bounds; cleans to an exact Fraction.

    No exponent or fraction notation is read, and at most `PLACES` decimals.
    """

    PLACES = 4
    MAX_LENGTH = 20

    def __init__(self, *, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.widget.attrs.setdefault("maxlength", str(self.MAX_LENGTH))
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> Fraction | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            if len(text) > self.MAX_LENGTH:
                raise NumberError(NumberProblem.FORMAT)
            return parse_decimal(
                text, low=Fraction(self.low), high=Fraction(self.high), places=self.PLACES
            )
        except NumberError as error:
            message: Any
            if error.problem is NumberProblem.RANGE:
                message = _("The percentage must be between %(low)s and %(high)s.") % {
                    "low": self.low,
                    "high": self.high,
                }
            elif error.problem is NumberProblem.PLACES:
                message = _("Write at most %(places)s decimals.") % {"places": self.PLACES}
            else:
                message = _("Write a percentage, e.g. 40 or 2,5.")
            raise forms.ValidationError(message, code="invalid") from error


MAX_WEIGHT = 10**9  # a custom weight: a whole number up to a billion (a population, say)
_WEIGHT = re.compile(r"([0-9]{1,3})=([0-9]{1,10})")


class ScenarioForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Budget year"), coerce=int, choices=[])
    leave = BoundedModelMultipleChoiceField(
        label=_("Municipalities that leave"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    office_amount_ore = KronerField(label=_("Amount per office"), required=False)
    lead_share_percent = PercentField(
        label=_("Lead share in per cent"), low=0, high=100, required=False, help_text=_("E.g. 40.")
    )
    index_percent = PercentField(
        label=_("Price and wage index (PL) for the year, per cent"),
        low=-50,
        high=50,
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
    lead_office = BoundedModelChoiceField(
        label=_("Change the lead of"),
        queryset=ClusterOffice.objects.order_by("name"),
        required=False,
    )
    lead_municipality = BoundedModelChoiceField(
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
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only with the key custom weights: CODE=WEIGHT, e.g. 253=2 259=3."),
    )
    new_office = forms.CharField(label=_("A new office (name)"), max_length=200, required=False)
    new_office_lead = BoundedModelChoiceField(
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
            match = _WEIGHT.fullmatch(line)
            if not (match and 0 < int(match[2]) <= MAX_WEIGHT):
                raise forms.ValidationError(
                    _(
                        "'%(line)s' is not CODE=WEIGHT with a positive whole weight "
                        "of at most %(max)s."
                    )
                    % {"line": line[:30], "max": group_thousands(MAX_WEIGHT)}
                )
            weights[match[1].zfill(3)] = int(match[2])
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
