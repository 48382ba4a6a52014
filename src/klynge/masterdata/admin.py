"""
The register in the admin, read-only.

Municipalities, population figures, clusters and offices are loaded by
`klynge load-sjaelland` and changed only through the audited services (the
population figures also from the web), so a change always leaves an entry in
the audit trail; the admin shows the rows and never adds, changes or deletes.
"""

from django.contrib import admin

from klynge.audit.admin import ReadOnlyAdmin
from klynge.masterdata import models


@admin.register(models.Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region_code"]
    search_fields = ["code", "name"]


@admin.register(models.PopulationFigure)
class PopulationFigureAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "reference_date", "population", "basis"]
    list_filter = ["reference_date", "basis"]


@admin.register(models.Cluster)
class ClusterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "key", "hq_city", "identified"]


@admin.register(models.ClusterOffice)
class ClusterOfficeAdmin(ReadOnlyAdmin):
    list_display = ["name", "cluster", "host_municipality", "opened_date"]


@admin.register(models.PopulationFetch)
class PopulationFetchAdmin(ReadOnlyAdmin):
    list_display = ["table", "quarter", "partnership", "fetched_at", "fetched_by", "status"]
    list_filter = ["status", "quarter"]


admin.site.register(models.Partnership, ReadOnlyAdmin)
admin.site.register(models.Organisation, ReadOnlyAdmin)
admin.site.register(models.TimelineEvent, ReadOnlyAdmin)
