"""
The secretariat's forms for creating and changing users, and each user's own
forms: the login, its second step, two factors and the password.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from klynge.accounts.models import Role, TokenScope
from klynge.accounts.usernames import USERNAME_HELP, fold_username, normalise_username
from klynge.common.forms import BoundedModelChoiceField
from klynge.masterdata.models import ClusterOffice, Municipality

PASSWORD_HELP = _(
    "At least 8 characters, not only digits, not a common password, and not too like "
    "your username, name or email."
)


class BindingForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Work email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)
    municipality = BoundedModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        help_text=_("Only for the roles municipality and lead municipality."),
    )
    office = BoundedModelChoiceField(
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
    username = forms.CharField(label=_("Username"), max_length=150, help_text=USERNAME_HELP)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )
    field_order = ["username", "password", "full_name", "email", "role", "municipality", "office"]

    def clean_username(self) -> str:
        return normalise_username(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("password")
        if password:
            # The similarity check needs the user: compare with the new one's names.
            first, _sep, last = str(data.get("full_name") or "").strip().partition(" ")
            candidate = get_user_model()(
                username=data.get("username", ""),
                email=data.get("email") or "",
                first_name=first,
                last_name=last,
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class UserUpdateForm(BindingForm):
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False, initial=True)


class LoginForm(auth_forms.AuthenticationForm):
    """
    Django's login form, with the username folded as stored usernames are.

    django-axes reads the username from the credentials this form passes to
    `authenticate`, so "Greve" and "greve" count as one username.
    """

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username") or ""
        # Django sets the field's max_length after the validators are made, so
        # the length is checked here: a longer name is no user's, and the lockout
        # could not store it (PostgreSQL refuses it: a 500, not a wrong login).
        if len(username) > (getattr(self.fields["username"], "max_length", None) or 150):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return fold_username(username)


class CurrentPasswordForm(forms.Form):
    """
    The user's current password, asked before a change to how the user logs in.

    It is checked through `authenticate`, so django-axes counts a wrong one as a
    failed login and locks out a guesser as on the login page.
    """

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        username = self.request.user.get_username()
        if authenticate(self.request, username=username, password=password) is None:
            raise ValidationError(_("The password is wrong."), code="password_incorrect")
        return password


CODE_WIDGET = forms.TextInput(
    attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
)


class CodeForm(forms.Form):
    """The second step of the login: a code from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=CODE_WIDGET,
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
    )


class EnrolForm(CurrentPasswordForm):
    """The first code from a newly added authenticator app, and the user's password."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=32,
        widget=CODE_WIDGET,
        help_text=_("The 6 digits the app shows for Klynge."),
    )
    field_order = ["code", "password"]


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """
    Django's form for changing one's own password, with the old password
    checked through `authenticate` (and so throttled by django-axes).
    """

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if authenticate(self.request, username=username, password=old_password) is None:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class SetPasswordForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """Django's form for a new password after a reset, with a plain-text hint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP


class ApiTokenForm(forms.Form):
    """A new personal API token: its name, scope and lifetime."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'CRM-integration'."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=365,
        initial=90,
        help_text=_("1 to 365 days. Make a new token when it expires."),
    )
