"""The forms of a grant: money received, and the fields the sources left empty."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import BoundedModelChoiceField, DanishDateField, KronerField
from klynge.funding.services import GRANT_YEARS
from klynge.masterdata.models import Organisation


class ReceiptForm(forms.Form):
    amount_ore = KronerField(label=_("Amount received"))
    received_on = DanishDateField(label=_("Date received"))
    reference = forms.CharField(label=_("Reference"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def _year_field(label: Any) -> forms.IntegerField:
    low, high = GRANT_YEARS
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": _("Write the year as four digits, e.g. 2022."),
            "min_value": _("The year must be %(limit_value)s or later."),
            "max_value": _("The year must be %(limit_value)s or earlier."),
        },
    )


class GrantForm(forms.Form):
    grantor = BoundedModelChoiceField(
        label=_("Grantor"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("Unknown"),
        error_messages={"invalid_choice": _("Choose a grantor from the list.")},
    )
    first_year = _year_field(_("First year"))
    last_year = _year_field(_("Last year"))
    source = forms.CharField(
        label=_("Source"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Keep the seed's source and add where the new information comes from."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)
