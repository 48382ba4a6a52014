"""
Users of one municipality or office reaching for another's objects by URL.

Every detail, update and delete URL is tried with another tenant's object:
the answer is 403 or 404 (never 500), and nothing changes: no row and no
audit entry.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.security.conftest import World

from klynge.audit.models import AuditEntry
from klynge.collection.models import Payment, PaymentRequest
from klynge.financing.models import (
    AgreementYear,
    AllocationRun,
    OfficeLead,
    Participation,
    Scenario,
)

pytestmark = pytest.mark.django_db


def _state() -> tuple[object, ...]:
    """Everything the write URLs could touch."""
    return (
        AuditEntry.objects.count(),
        list(Participation.objects.values_list("pk", "participates", "note").order_by("pk")),
        list(OfficeLead.objects.values_list("pk", "municipality_id", "note").order_by("pk")),
        list(AgreementYear.objects.values_list("pk", "office_amount_ore", "lead_share_ore")),
        list(AllocationRun.objects.values_list("pk", "status").order_by("pk")),
        list(PaymentRequest.objects.values_list("pk", "status").order_by("pk")),
        Payment.objects.count(),
        Scenario.objects.count(),
    )


# (user, url builder) for reads of another tenant's object.
READS = [
    ("greve", lambda w: reverse("municipality-detail", args=["370"])),  # Næstved's page
    ("greve", lambda w: reverse("municipality-history", args=["370"])),
    ("naestved", lambda w: reverse("municipality-detail", args=["253"])),  # Greve's page
    ("naestved", lambda w: reverse("municipality-history", args=["253"])),
    ("webuild", lambda w: reverse("office-detail", args=[w.other_office.pk])),
    ("webuild", lambda w: reverse("office-history", args=[w.other_office.pk])),
    ("webuild", lambda w: reverse("municipality-detail", args=["370"])),
    ("naestved", lambda w: reverse("office-history", args=[w.other_office.pk])),  # not its lead
    ("greve", lambda w: reverse("office-history", args=[w.own_office.pk])),
    ("laeser", lambda w: reverse("municipality-history", args=["253"])),
    ("greve", lambda w: reverse("request-detail", args=[w.naestved_request_pk])),
    ("webuild", lambda w: reverse("request-detail", args=[w.greve_request_pk])),
    ("laeser", lambda w: reverse("request-detail", args=[w.greve_request_pk])),
]


@pytest.mark.parametrize(("username", "url"), READS)
def test_reading_another_tenants_object_is_refused(
    world: World, clients: dict[str, Client], username: str, url
) -> None:
    response = clients[username].get(url(world))

    assert response.status_code in (403, 404)


# (user, url builder, POST data) for writes of another tenant's object.
WRITES = [
    (
        "greve",
        lambda w: reverse("participation-edit", args=[2024, "370"]),
        {"participates": "0", "basis": "fact", "note": "forsøg"},
    ),
    (
        "greve",
        lambda w: reverse("participation-edit", args=[2024, "253"]),  # even its own
        {"participates": "0", "basis": "fact", "note": "forsøg"},
    ),
    (
        "naestved",
        lambda w: reverse("lead-edit", args=[2024, w.own_office.pk]),  # even the office it leads
        {"municipality": "", "basis": "fact", "note": "forsøg"},
    ),
    (
        "webuild",
        lambda w: reverse("lead-edit", args=[2024, w.own_office.pk]),
        {"municipality": "", "basis": "fact", "note": "forsøg"},
    ),
    (
        "webuild",
        lambda w: reverse("terms-edit", args=[2024]),
        {"office_amount_ore": "1,00", "lead_share_ore": "0", "reason": "forsøg"},
    ),
    ("laeser", lambda w: reverse("allocation-save", args=[2024]), {}),
    ("greve", lambda w: reverse("allocation-approve", args=[2024, w.run.pk]), {}),
    (
        "naestved",
        lambda w: reverse("user-edit", args=[w.greve_user_pk]),
        {"role": "sekretariat", "is_active": "on"},
    ),
    (
        "naestved",  # a lead registers payments only on requests it collects, not its own
        lambda w: reverse("request-detail", args=[w.naestved_request_pk]),
        {"amount_ore": "1,00", "paid_on": "2024-04-01", "reference": "forsøg"},
    ),
    (
        "greve",
        lambda w: reverse("request-detail", args=[w.greve_request_pk]),  # even its own
        {"amount_ore": "1,00", "paid_on": "2024-04-01", "reference": "forsøg"},
    ),
    ("greve", lambda w: reverse("request-cancel", args=[w.greve_request_pk]), {"reason": "x"}),
    ("naestved", lambda w: reverse("requests-send", args=[2024]), {}),
    (
        "laeser",
        lambda w: reverse("scenarios"),
        {"year": "2024", "leave": [], "name": "forsøg"},
    ),
    (
        "laeser",
        lambda w: reverse("user-new"),
        {"username": "ny", "password": "Hemmelig-kode-42", "role": "sekretariat"},
    ),
]


@pytest.mark.parametrize(("username", "url", "data"), WRITES)
def test_writing_another_tenants_object_is_refused_and_changes_nothing(
    world: World, clients: dict[str, Client], username: str, url, data: dict[str, str]
) -> None:
    before = _state()

    response = clients[username].post(url(world), data)

    assert response.status_code in (403, 404)
    assert _state() == before


def test_the_same_write_by_the_secretariat_changes_and_audits(
    world: World, clients: dict[str, Client]
) -> None:
    """The control: the refused writes above are refused for the user, not broken."""
    before = AuditEntry.objects.count()

    response = clients["sekretariat"].post(
        reverse("participation-edit", args=[2024, "370"]),
        {"participates": "0", "basis": "fact", "note": "Byrådsbeslutning"},
    )

    assert response.status_code == 302
    row = Participation.objects.get(year=2024, municipality__code="370")
    assert row.participates is False
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.actor_label == "sekretariat"
    assert entry.before["participates"] is True
    assert entry.after["participates"] is False


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("municipality-detail", args=["999"]),
        lambda w: reverse("office-detail", args=[987654]),
        lambda w: reverse("participation-edit", args=[2024, "999"]),
        lambda w: reverse("lead-edit", args=[2024, 987654]),
        lambda w: reverse("allocation-approve", args=[2024, 987654]),
        lambda w: reverse("user-edit", args=[987654]),
        lambda w: reverse("allocation", args=[1999]),
    ],
)
def test_unknown_objects_give_404_not_500(world: World, clients: dict[str, Client], url) -> None:
    client = clients["sekretariat"]
    target = url(world)

    response = client.post(target, {}) if "godkend" in target else client.get(target)

    assert response.status_code == 404
