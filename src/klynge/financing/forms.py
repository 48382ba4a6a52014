"""Forms of the agreement page: terms, participation and leads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis
from klynge.common.forms import BoundedModelChoiceField, KronerField
from klynge.financing.models import Collector
from klynge.masterdata.models import Municipality

BASIS_CHOICES = [(Basis.FACT, _("Fact (with a source)")), (Basis.ASSUMPTION, _("Assumption"))]


class TermsForm(forms.Form):
    office_amount_ore = KronerField(label=_("Amount per office"))
    lead_share_ore = KronerField(label=_("Lead municipality's share"))
    reason = forms.CharField(
        label=_("Reason and source"),
        max_length=300,
        help_text=_("Why the amount changes, e.g. the decision it follows."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, lead = data.get("office_amount_ore"), data.get("lead_share_ore")
        if amount is not None and amount < 0:
            self.add_error("office_amount_ore", _("The amount cannot be negative."))
        if lead is not None and lead < 0:
            self.add_error("lead_share_ore", _("The share cannot be negative."))
        if amount is not None and lead is not None and lead > amount:
            self.add_error(
                "lead_share_ore", _("The lead share cannot exceed the amount per office.")
            )
        return data


class ParticipationForm(forms.Form):
    participates = forms.TypedChoiceField(
        label=_("Takes part"),
        choices=[("1", _("Takes part")), ("0", _("Does not take part"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    basis = forms.ChoiceField(label=_("Basis"), choices=BASIS_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note or source"), max_length=500, required=False)


class LeadForm(forms.Form):
    municipality = BoundedModelChoiceField(
        label=_("Lead municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("Unknown"),
    )
    basis = forms.ChoiceField(label=_("Basis"), choices=BASIS_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note or source"), max_length=500, required=False)


class ApproveForm(forms.Form):
    """Approval is a confirmation: the approver ticks that the open points are read."""

    confirmed = forms.BooleanField(
        label=_("I have read the assumptions and problems listed above"),
        required=False,
    )


class CorrectionForm(ApproveForm):
    """A correction of an approved year: the reason is kept with both runs."""

    field_order = ["reason", "confirmed"]

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the approved allocation is corrected, e.g. the decision or the new fact. "
            "It is shown in every settlement letter."
        ),
    )


class CollectorForm(forms.Form):
    """Who collects the municipal shares, and on what basis."""

    collector = forms.ChoiceField(
        label=_("Who collects the municipal shares"),
        choices=Collector.choices,
        widget=forms.RadioSelect,
    )
    basis = forms.ChoiceField(label=_("Basis"), choices=BASIS_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Source or note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the decision that says who collects."),
    )
