"""Forms of the collection pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import DanishDateField, KronerField
from klynge.core.dates import default_due_date


class PaymentForm(forms.Form):
    amount_ore = KronerField(label=_("Amount received"))
    paid_on = DanishDateField(label=_("Payment date"))
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
    due_date = DanishDateField(label=_("Due date"))

    def __init__(self, *args: Any, year: int, today: dt.date, **kwargs: Any) -> None:
        """The due date starts at the year's default (31 March, or 30 days from today)."""
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = default_due_date(year=year, today=today)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class PayeeAccountForm(forms.Form):
    account = forms.CharField(
        label=_("Bank account"),
        max_length=20,
        required=False,
        help_text=_("Reg. no. and account no., e.g. 1234 0001234567. Empty if unknown."),
    )
    ean = forms.CharField(
        label=_("EAN number"),
        max_length=13,
        required=False,
        help_text=_("13 digits, e.g. 5798000000001. Empty if unknown."),
    )
    contact = forms.CharField(
        label=_("Contact"),
        max_length=200,
        required=False,
        help_text=_("Who answers questions about the payment, e.g. a name and an email."),
    )


class PaymentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Payment file"),
        help_text=_(
            "CSV as Danish Excel saves it, or XLSX, with the columns kommunekode, beløb, dato "
            "and reference. All or nothing: a file with a bad row stores nothing."
        ),
    )
