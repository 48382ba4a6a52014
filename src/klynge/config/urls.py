"""URL configuration: Danish paths, login required everywhere but login."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from klynge.financing import views as financing
from klynge.masterdata import views as masterdata
from klynge.web import views as web

urlpatterns = [
    path("", web.home, name="home"),
    path("log-ind/", auth_views.LoginView.as_view(), name="login"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("kommuner/", web.municipality_index, name="municipality-list"),
    path("kommuner/<str:code>/", web.municipality_detail, name="municipality-detail"),
    path("klyngekontorer/", web.office_index, name="office-list"),
    path("klyngekontorer/<int:pk>/", web.office_detail, name="office-detail"),
    path("fordeling/", financing.allocation_current, name="allocation-current"),
    path("fordeling/<int:year>/", financing.allocation, name="allocation"),
    path("fordeling/<int:year>/gem/", financing.allocation_save, name="allocation-save"),
    path(
        "fordeling/<int:year>/godkend/<int:run_id>/",
        financing.allocation_approve,
        name="allocation-approve",
    ),
    path(
        "fordeling/<int:year>/eksport.<str:fmt>",
        financing.allocation_export,
        name="allocation-export",
    ),
    path("datakvalitet/", web.data_quality, name="data-quality"),
    path("historik/", masterdata.timeline, name="timeline"),
    path("admin/", admin.site.urls),
]
