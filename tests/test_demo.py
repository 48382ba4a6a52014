"""`klynge demo`: one demo user per role, printed once, and the demo lead."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from klynge.accounts.models import Profile, Role

pytestmark = pytest.mark.django_db


def test_demo_creates_one_user_per_role_and_prints_them_once(register, run_command) -> None:
    code, first, _err = run_command("demo")
    code_again, second, _err = run_command("demo")

    assert code == code_again == 0
    assert {p.role for p in Profile.objects.all()} == set(Role)
    for username in ["sekretariat", "greve", "naestved", "webuild", "laeser"]:
        assert username in first
        assert username not in second
    assert "klynge-demo" in first
    assert "klynge-demo" not in second
    assert get_user_model().objects.count() == 5


def test_demo_users_are_bound_as_their_role_says(demo) -> None:
    profiles = {p.user.username: p for p in Profile.objects.select_related("user")}

    assert profiles["greve"].municipality.code == "253"
    assert profiles["naestved"].role == Role.LEAD_MUNICIPALITY
    assert profiles["naestved"].municipality.code == "370"
    assert profiles["webuild"].office.name == "We Build Denmark – Næstved"
    assert profiles["sekretariat"].municipality is None
    assert not get_user_model().objects.get(username="sekretariat").is_staff
