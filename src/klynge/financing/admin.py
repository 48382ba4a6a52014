"""Read-only admin for the agreements: changes go through the audited services."""

from django.contrib import admin

from klynge.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from klynge.financing import models


class AgreementYearInline(ReadOnlyInline):
    model = models.AgreementYear


class FinancedOfficeInline(ReadOnlyInline):
    model = models.FinancedOffice


@admin.register(models.Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["name", "first_year", "last_year"]
    inlines = [AgreementYearInline, FinancedOfficeInline]


@admin.register(models.OfficeLead)
class OfficeLeadAdmin(ReadOnlyAdmin):
    list_display = ["office", "year", "municipality", "basis"]
    list_filter = ["year", "basis"]


@admin.register(models.Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "year", "participates", "basis"]
    list_filter = ["year", "participates", "basis"]


@admin.register(models.AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "year", "status", "fingerprint", "created_at"]
