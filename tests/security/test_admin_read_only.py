"""The admin never changes the register or money: those go through audited services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from klynge.masterdata.models import ClusterOffice, Municipality, PopulationFigure

pytestmark = pytest.mark.django_db

# Users and their profiles are managed in the admin too; everything else is data that
# changes only through a service that records an audit entry.
DATA_APPS = {"masterdata", "financing", "collection", "funding", "participation", "audit"}


def test_every_admin_of_the_register_and_money_is_read_only(register) -> None:
    superuser = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    shown = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in DATA_APPS
    ]

    assert {model for model, _ in shown} >= {Municipality, ClusterOffice, PopulationFigure}
    for model, model_admin in shown:
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


def test_a_superuser_cannot_rename_an_office_or_a_municipality_in_the_admin(register) -> None:
    superuser = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    client = Client()
    client.force_login(superuser)
    office = ClusterOffice.objects.order_by("pk").first()
    greve = Municipality.objects.get(code="253")

    office_url = f"/admin/masterdata/clusteroffice/{office.pk}/change/"
    municipality_url = f"/admin/masterdata/municipality/{greve.pk}/change/"
    assert client.get(office_url).status_code == 200  # shown, read-only
    responses = [
        client.post(office_url, {"name": "Omdøbt"}),
        client.post(municipality_url, {"code": "253", "name": "Omdøbt", "region_code": "1085"}),
        client.post("/admin/masterdata/municipality/add/", {"code": "999", "name": "Ny"}),
        client.post(f"/admin/masterdata/municipality/{greve.pk}/delete/", {"post": "yes"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    office.refresh_from_db()
    greve.refresh_from_db()
    assert office.name != "Omdøbt" and greve.name == "Greve"
    assert not Municipality.objects.filter(code="999").exists()
