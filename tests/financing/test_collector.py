"""Who collects the shares: set in the web as a fact with its source, then no longer assumed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klynge.audit.models import AuditEntry
from klynge.financing.models import Agreement, Collector

pytestmark = pytest.mark.django_db


def test_the_secretariat_confirms_who_collects_in_the_web(login_as) -> None:
    client = login_as("sekretariat")
    url = reverse("collector-edit", args=[2024])
    quality_before = client.get(reverse("data-quality")).content.decode()

    refused = client.post(url, {"collector": "bank", "basis": "fact", "note": ""})
    stored = client.post(
        url, {"collector": "office", "basis": "fact", "note": "KKR Sjælland 12-03-2024"}
    )
    agreement = Agreement.objects.get()
    quality_after = client.get(reverse("data-quality")).content.decode()
    terms = client.get(reverse("agreement-year", args=[2024])).content.decode()

    fix_url = reverse("collector-edit", args=[2021])  # the agreement's first year
    assert fix_url in quality_before  # Datakvalitet links the item to its form
    assert refused.status_code == 200 and agreement.collector == Collector.OFFICE
    assert stored.status_code == 302
    assert agreement.collector_basis == "fact"
    assert agreement.collector_note == "KKR Sjælland 12-03-2024"
    assert fix_url not in quality_after  # no longer an assumption to fix
    assert "KKR Sjælland 12-03-2024" in terms
    assert AuditEntry.objects.filter(model="financing.agreement", action="update").exists()


def test_only_the_secretariat_may_change_who_collects(login_as) -> None:
    url = reverse("collector-edit", args=[2024])

    assert login_as("naestved").get(url).status_code == 403
    assert login_as("greve").post(url, {"collector": "office", "basis": "fact"}).status_code == 403
    assert Agreement.objects.get().collector == Collector.LEAD
