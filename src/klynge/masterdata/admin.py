"""The register in the admin; population figures are audited, so shown read-only."""

from django.contrib import admin

from klynge.audit.admin import ReadOnlyAdmin
from klynge.masterdata import models


@admin.register(models.Municipality)
class MunicipalityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "region_code"]
    search_fields = ["code", "name"]


@admin.register(models.PopulationFigure)
class PopulationFigureAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "reference_date", "population", "basis"]
    list_filter = ["reference_date", "basis"]


@admin.register(models.Cluster)
class ClusterAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "key", "hq_city", "identified"]


@admin.register(models.ClusterOffice)
class ClusterOfficeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "cluster", "host_municipality", "opened_date"]


admin.site.register(models.Partnership)
admin.site.register(models.Organisation)
admin.site.register(models.TimelineEvent)
