"""Usernames: NFKC, lower case, only [a-z0-9._-], wherever a user is made."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from klynge.accounts.models import Role
from klynge.accounts.services import Binding, UserError, user_create
from klynge.accounts.usernames import normalise_username
from klynge.audit.services import Actor
from klynge.demo.services import DEMO_PASSWORD


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("greve", "greve"),
        ("Lise.Lejre", "lise.lejre"),
        (" a_b-c.9 ", "a_b-c.9"),
        ("ＧＲＥＶＥ", "greve"),  # full-width letters
        ("\u212aommune", "kommune"),  # the Kelvin sign is a K after NFKC
        ("ﬁnn", "finn"),  # the fi ligature
    ],
)
def test_usernames_are_stored_normalised(raw: str, stored: str) -> None:
    assert normalise_username(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "gr\u0435ve",  # Cyrillic е, looks like e
        "gre\u200bve",  # zero-width space
        "gre\u200dve",  # zero-width joiner
        "\ufeffgreve",  # byte order mark
        "søren",
        "lise lejre",
        ".skjult",
        "-greve",
        "greve@kommune",
        "İbrahim",  # lower-cases to i and a combining dot
        "",
        "a" * 151,
    ],
)
def test_usernames_outside_the_safe_set_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_username(raw)


@pytest.mark.django_db
def test_the_user_service_stores_the_normalised_name_and_refuses_others(register) -> None:
    actor = Actor.system("test")

    user = user_create(
        actor=actor, username="Lise.Lejre", password=None, binding=Binding(role=Role.READER)
    )
    with pytest.raises(UserError):
        user_create(
            actor=actor, username="gr\u0435ve", password=None, binding=Binding(role=Role.READER)
        )
    with pytest.raises(UserError, match="optaget"):
        user_create(
            actor=actor, username="LISE.lejre", password=None, binding=Binding(role=Role.READER)
        )

    assert user.username == "lise.lejre"


@pytest.mark.django_db
def test_the_secretariat_s_form_refuses_a_confusable_username(login_as) -> None:
    client = login_as("sekretariat")

    refused = client.post(
        reverse("user-new"),
        {"username": "gre\u200bve2", "password": "Lang-klynge-2026", "role": "laeser"},
    )
    stored = client.post(
        reverse("user-new"),
        {"username": "Lise.Lejre", "password": "Lang-klynge-2026", "role": "laeser"},
    )

    assert refused.status_code == 200
    assert "brugernavn må kun" in refused.content.decode()
    assert stored.status_code == 302
    assert get_user_model().objects.filter(username="lise.lejre").exists()


@pytest.mark.django_db
def test_the_admin_refuses_a_confusable_username_and_stores_the_normalised(demo) -> None:
    admin = get_user_model().objects.create_superuser("drift", password="Drift-kode-2026")
    client = Client()
    client.force_login(admin)
    url = reverse("admin:auth_user_add")
    data = {"password1": "Lang-klynge-2026", "password2": "Lang-klynge-2026"}
    data["usable_password"] = "true"

    refused = client.post(url, {**data, "username": "gr\u0435ve"})
    stored = client.post(url, {**data, "username": "Ny.Drift"})

    assert refused.status_code == 200
    assert not get_user_model().objects.filter(username="gr\u0435ve").exists()
    assert stored.status_code == 302
    assert get_user_model().objects.filter(username="ny.drift").exists()


@pytest.mark.django_db
def test_createsuperuser_refuses_a_username_outside_the_safe_set(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Drift-kode-2026")

    for bad in ["gr\u0435ve", "Drift", "to ord"]:
        with pytest.raises(CommandError):
            call_command("createsuperuser", "--noinput", username=bad, email="d@example.dk")
    call_command("createsuperuser", "--noinput", username="drift", email="d@example.dk")

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["drift"]


@pytest.mark.django_db
def test_the_login_folds_the_typed_username(demo) -> None:
    response = Client().post("/log-ind/", {"username": "ＧＲＥＶＥ", "password": DEMO_PASSWORD})

    assert response.status_code == 302
