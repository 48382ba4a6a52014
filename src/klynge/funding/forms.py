"""The form to register money received on a grant."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import DanishDateField, KronerField


class ReceiptForm(forms.Form):
    amount_ore = KronerField(label=_("Amount received"))
    received_on = DanishDateField(label=_("Date received"))
    reference = forms.CharField(label=_("Reference"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
