"""What each role sees: its start page, the Overblik map, users, history."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from klynge.accounts.models import Profile, Role
from klynge.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_municipality_user_lands_on_what_it_pays_and_gets(login_as) -> None:
    html = login_as("greve").get(reverse("home")).content.decode()

    assert "Greve Kommune" in html
    assert "Det betaler vi, og det får vi" in html
    assert "33.652,26" in html  # Greve's share of We Build Denmark in 2024
    assert "pr. indbygger" in html
    assert "Kontorer vi er leadkommune for" not in html


def test_a_lead_municipality_also_sees_the_offices_it_leads(login_as) -> None:
    html = login_as("naestved").get(reverse("home")).content.decode()

    assert "Næstved Kommune" in html
    assert "Kontorer vi er leadkommune for" in html
    assert "We Build Denmark – Næstved" in html
    assert "Greve" in html  # the other municipalities' shares of its office


def test_an_office_user_lands_on_its_office(login_as) -> None:
    html = login_as("webuild").get(reverse("home")).content.decode()

    assert "<h1>We Build Denmark – Næstved</h1>" in html
    assert "Kommunernes andele" in html
    # It sees the other municipalities' shares but cannot open their pages.
    assert "Greve" in html
    assert re.search(r'href="/kommuner/\d{3}/"', html) is None


@pytest.mark.parametrize("username", ["sekretariat", "laeser"])
def test_the_secretariat_and_readers_start_on_the_overview(login_as, username: str) -> None:
    response = login_as(username).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("overview")


def test_overview_has_a_map_of_17_municipalities_and_the_same_numbers_as_a_table(
    login_as,
) -> None:
    html = login_as("laeser").get(reverse("overview") + "?maal=total").content.decode()

    svg = html[html.index("<svg") : html.index("</svg>", html.index('role="img"'))]
    assert svg.count("<path") == 17
    assert 'role="img"' in svg
    # Greve's contributions to the four offices in 2024 (CLEAN led by Roskilde).
    assert "Greve: 133.146,68 kr." in svg
    table = html[html.index("samme tal som kortet") :]
    assert "133.146,68 kr." in table
    assert len(re.findall(r"<tr><th scope=\"row\">", table.split("</table>")[0])) == 17


def test_the_reader_sees_no_history_and_no_names_of_users(login_as) -> None:
    html = login_as("laeser").get(reverse("municipality-detail", args=["253"])).content.decode()

    assert "Historik" not in html
    assert login_as("laeser").get(reverse("municipality-history", args=["253"])).status_code == 403


def test_the_history_tab_shows_who_changed_what(login_as) -> None:
    secretariat = login_as("sekretariat")
    secretariat.post(
        reverse("participation-edit", args=[2024, "253"]),
        {"participates": "0", "basis": "fact", "note": "Byrådet 12. marts"},
    )

    html = login_as("greve").get(reverse("municipality-history", args=["253"])).content.decode()

    assert "sekretariat" in html
    assert "deltager" in html  # the field, by its Danish name
    assert "Byrådet 12. marts" in html


def test_the_secretariat_creates_a_user_bound_to_a_municipality(login_as) -> None:
    client = login_as("sekretariat")

    response = client.post(
        reverse("user-new"),
        {
            "username": "lejre-ansat",
            "password": "Lejre-klynge-2026",
            "full_name": "Lise Lejre",
            "email": "lise@example.dk",
            "role": "kommune",
            "municipality": get_municipality_pk("350"),
        },
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user__username="lejre-ansat")
    assert profile.role == Role.MUNICIPALITY and profile.municipality.code == "350"
    assert AuditEntry.objects.latest("pk").after["username"] == "lejre-ansat"
    new = login_as("lejre-ansat")
    assert new.get(reverse("municipality-detail", args=["350"])).status_code == 200
    assert new.get(reverse("municipality-detail", args=["253"])).status_code == 404


def get_municipality_pk(code: str) -> int:
    from klynge.masterdata.models import Municipality

    return Municipality.objects.get(code=code).pk


def test_a_role_without_its_binding_is_refused_with_a_clear_message(login_as) -> None:
    response = login_as("sekretariat").post(
        reverse("user-new"),
        {"username": "uden", "password": "Uden-binding-2026", "role": "klyngekontor"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Vælg brugerens klyngekontor" in html
    assert 'href="#id_office"' in html  # the error summary links to the field
    assert not get_user_model().objects.filter(username="uden").exists()


def test_the_secretariat_cannot_lock_itself_out(login_as) -> None:
    me = get_user_model().objects.get(username="sekretariat")

    response = login_as("sekretariat").post(
        reverse("user-edit", args=[me.pk]), {"role": "laeser", "is_active": "on"}
    )

    assert response.status_code == 200
    assert Profile.objects.get(user=me).role == Role.SECRETARIAT


def test_terms_are_changed_in_danish_kroner_with_a_reason(login_as) -> None:
    client = login_as("sekretariat")

    bad = client.post(
        reverse("terms-edit", args=[2024]),
        {"office_amount_ore": "1.000.000,005", "lead_share_ore": "500.000,00", "reason": "x"},
    )
    good = client.post(
        reverse("terms-edit", args=[2024]),
        {"office_amount_ore": "1.100.000,00", "lead_share_ore": "550.000", "reason": "KKR 2024"},
    )

    assert bad.status_code == 200 and "mere end to decimaler" in bad.content.decode()
    assert good.status_code == 302
    entry = AuditEntry.objects.latest("pk")
    assert entry.after["office_amount_ore"] == 110_000_000
    assert entry.reason == "KKR 2024"


def test_the_audit_log_is_searchable(login_as) -> None:
    client = login_as("sekretariat")
    client.post(
        reverse("participation-edit", args=[2024, "350"]),
        {"participates": "0", "basis": "fact", "note": "Lejre udtræder"},
    )

    found = client.get(reverse("audit-log"), {"text": "Lejre", "model": ""}).content.decode()
    none = client.get(reverse("audit-log"), {"text": "findes ikke"}).content.decode()

    assert "Lejre" in found
    assert "0 ændringer fundet" in none
