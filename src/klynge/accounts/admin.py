"""
Profiles are managed by the secretariat in the app (audited); the admin only shows them.

Users in the admin keep Django's pages, with the username held to the safe set
(`accounts.usernames`) when a user is added or renamed.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from klynge.accounts.models import Profile
from klynge.accounts.usernames import USERNAME_HELP, normalise_username
from klynge.audit.admin import ReadOnlyAdmin


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "municipality", "office"]
    list_filter = ["role"]


class UserAddForm(auth_forms.AdminUserCreationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = USERNAME_HELP

    def clean_username(self) -> str:
        self.cleaned_data["username"] = normalise_username(self.cleaned_data.get("username", ""))
        username: str = super().clean_username()
        return username


class UserChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    def clean_username(self) -> str:
        return normalise_username(self.cleaned_data.get("username", ""))


class UserAdmin(auth_admin.UserAdmin):  # type: ignore[type-arg]
    add_form = UserAddForm
    form = UserChangeForm


# Django's own UserAdmin is registered when django.contrib.auth.admin is
# imported (above); this one takes its place.
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
