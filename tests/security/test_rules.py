"""The permission table of klynge.accounts.permissions, role by role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from klynge.common import perms
from klynge.masterdata.models import ClusterOffice, Municipality

pytestmark = pytest.mark.django_db

SEC, MUN, LEAD, OFFICE, READ = "sekretariat", "greve", "naestved", "webuild", "laeser"

# permission -> the roles that hold it (no object)
TABLE = {
    perms.VIEW_ALLOCATION: {SEC, MUN, LEAD, OFFICE, READ},
    perms.VIEW_REGISTER: {SEC, MUN, LEAD, OFFICE, READ},
    perms.VIEW_PERSONAL_DATA: {SEC, MUN, LEAD, OFFICE},
    perms.HAS_START_PAGE: {MUN, LEAD, OFFICE},
    perms.RUN_ALLOCATION: {SEC},
    perms.APPROVE_ALLOCATION: {SEC},
    perms.CHANGE_AGREEMENT: {SEC},
    perms.MANAGE_USERS: {SEC},
    perms.VIEW_AUDIT_LOG: {SEC},
    perms.VIEW_HISTORY: {SEC},  # with no object: the whole year's history
}


def _user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("perm", sorted(TABLE))
def test_function_permissions_follow_the_table(demo, perm: str) -> None:
    holders = {u for u in (SEC, MUN, LEAD, OFFICE, READ) if _user(u).has_perm(perm)}

    assert holders == TABLE[perm]


def test_object_permissions_follow_the_binding(demo) -> None:
    greve, naestved = Municipality.objects.get(code="253"), Municipality.objects.get(code="370")
    wbd = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    food = ClusterOffice.objects.get(name="Food & Bio Cluster Denmark – Slagelse")

    def who(perm: str, obj: object) -> set[str]:
        return {u for u in (SEC, MUN, LEAD, OFFICE, READ) if _user(u).has_perm(perm, obj)}

    assert who(perms.VIEW_MUNICIPALITY, greve) == {SEC, MUN, READ}
    assert who(perms.VIEW_MUNICIPALITY, naestved) == {SEC, LEAD, READ}
    assert who(perms.VIEW_OFFICE, wbd) == {SEC, MUN, LEAD, OFFICE, READ}
    assert who(perms.VIEW_OFFICE, food) == {SEC, MUN, LEAD, READ}
    assert who(perms.VIEW_HISTORY, greve) == {SEC, MUN}
    assert who(perms.VIEW_HISTORY, wbd) == {SEC, LEAD, OFFICE}
    assert who(perms.LEAD_OFFICE, wbd) == {LEAD}
    assert who(perms.LEAD_OFFICE, food) == set()


def test_a_deactivated_user_loses_every_right(demo) -> None:
    user = _user(SEC)
    user.is_active = False
    user.save()

    assert not get_user_model().objects.get(pk=user.pk).has_perm(perms.VIEW_ALLOCATION)


def test_a_superuser_without_a_profile_counts_as_the_secretariat(demo) -> None:
    admin = get_user_model().objects.create_superuser("drift", password="Drift-kode-2026")

    assert admin.has_perm(perms.MANAGE_USERS)
    assert admin.has_perm(perms.VIEW_MUNICIPALITY, Municipality.objects.get(code="253"))


def test_a_user_without_a_role_has_no_rights(demo) -> None:
    user = get_user_model().objects.create_user("uden-rolle", password="Uden-rolle-2026")

    assert not any(user.has_perm(perm) for perm in TABLE)
