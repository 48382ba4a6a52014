from django.contrib import admin

from klynge.financing import models


class AgreementYearInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.AgreementYear
    extra = 0


class FinancedOfficeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.FinancedOffice
    extra = 0


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "first_year", "last_year"]
    inlines = [AgreementYearInline, FinancedOfficeInline]


@admin.register(models.OfficeLead)
class OfficeLeadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["office", "year", "municipality", "basis"]
    list_filter = ["year", "basis"]


@admin.register(models.Participation)
class ParticipationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["municipality", "year", "participates", "basis"]
    list_filter = ["year", "participates", "basis"]


@admin.register(models.AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "year", "status", "fingerprint", "created_at"]
    readonly_fields = [f.name for f in models.AllocationRun._meta.fields]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return obj is None or obj.status != models.RunStatus.APPROVED
