"""
The URLs of Resultatkontrakter and Opfølgning, spliced into klynge.config.urls.

They are plain patterns, not an include(), so the permission matrix and the
fuzz test see each by its name. The path converters are registered by
klynge.config.urls before this module is imported.
"""

from django.urls import path

from klynge.contracts import views

urlpatterns = [
    path("resultatkontrakter/", views.contract_list, name="contract-list"),
    path("resultatkontrakter/ny/<slug:kind>/", views.contract_new, name="contract-new"),
    path("resultatkontrakter/<id:pk>/", views.contract_detail, name="contract-detail"),
    path("resultatkontrakter/<id:pk>/ret/", views.contract_edit, name="contract-edit"),
    # The name is in KLYNGE_UPLOAD_URL_NAMES: the body limit of a contract's PDF.
    path("resultatkontrakter/<id:pk>/dokument/", views.contract_document, name="contract-document"),
    path(
        "resultatkontrakter/<id:pk>/dokument/<id:document_id>/",
        views.contract_download,
        name="contract-download",
    ),
    path("resultatkontrakter/<id:pk>/underskriv/", views.contract_sign, name="contract-sign"),
    path("resultatkontrakter/<id:pk>/udloeb/", views.contract_expire, name="contract-expire"),
    path("resultatkontrakter/<id:pk>/indikatorer/ny/", views.indicator_new, name="indicator-new"),
    path(
        "resultatkontrakter/<id:pk>/indikatorer/<id:indicator_id>/",
        views.indicator_edit,
        name="indicator-edit",
    ),
    path(
        "resultatkontrakter/<id:pk>/indikatorer/<id:indicator_id>/maal/",
        views.indicator_targets,
        name="indicator-targets",
    ),
    path(
        "resultatkontrakter/<id:pk>/indikatorer/<id:indicator_id>/slet/",
        views.indicator_delete,
        name="indicator-delete",
    ),
    path("opfoelgning/", views.round_list, name="round-list"),
    path("opfoelgning/ny/", views.round_new, name="round-new"),
    path("opfoelgning/<year:year>/", views.round_detail, name="round-detail"),
    path("opfoelgning/<year:year>/frist/", views.round_deadline, name="round-deadline"),
    path("opfoelgning/afrapportering/<id:pk>/", views.report_detail, name="report-detail"),
    path(
        "opfoelgning/afrapportering/<id:pk>/godkendelse/",
        views.report_review,
        name="report-review",
    ),
    path(
        "opfoelgning/afrapportering/<id:pk>/ny-version/",
        views.report_new_version,
        name="report-new-version",
    ),
]
