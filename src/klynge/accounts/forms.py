"""The secretariat's forms for creating and changing users."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from klynge.accounts.models import Role
from klynge.masterdata.models import ClusterOffice, Municipality


class BindingForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Work email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        help_text=_("Only for the roles municipality and lead municipality."),
    )
    office = forms.ModelChoiceField(
        label=_("Cluster office"),
        queryset=ClusterOffice.objects.order_by("name"),
        required=False,
        help_text=_("Only for the role cluster office."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role in (Role.MUNICIPALITY, Role.LEAD_MUNICIPALITY):
            if not data.get("municipality"):
                self.add_error("municipality", _("Choose the user's municipality."))
            data["office"] = None
        elif role == Role.OFFICE:
            if not data.get("office"):
                self.add_error("office", _("Choose the user's cluster office."))
            data["municipality"] = None
        else:
            data["municipality"] = data["office"] = None
        return data


class UserCreateForm(BindingForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    field_order = ["username", "password", "full_name", "email", "role", "municipality", "office"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


class UserUpdateForm(BindingForm):
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False, initial=True)
