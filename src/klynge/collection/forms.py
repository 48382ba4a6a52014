"""Forms of the collection pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import KronerField


class PaymentForm(forms.Form):
    amount_ore = KronerField(label=_("Amount received"))
    paid_on = forms.DateField(
        label=_("Payment date"),
        help_text=_("As 2024-03-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, help_text=_("The bank's or the voucher's reference.")
    )
    overpayment = forms.BooleanField(
        label=_("Overpayment to be refunded"),
        required=False,
        help_text=_("Tick only if more than the outstanding amount was paid."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CreateRequestsForm(forms.Form):
    due_date = forms.DateField(
        label=_("Due date"),
        help_text=_("As 2024-03-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)
