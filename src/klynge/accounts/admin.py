"""Profiles are managed by the secretariat in the app (audited); the admin only shows them."""

from django.contrib import admin

from klynge.accounts.models import Profile
from klynge.audit.admin import ReadOnlyAdmin


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "municipality", "office"]
    list_filter = ["role"]
