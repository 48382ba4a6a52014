"""Commands that change data act for a user given with --user, with that user's rights."""

from __future__ import annotations

import pytest

from klynge.audit.models import AuditEntry
from klynge.financing.models import AllocationRun, Participation

pytestmark = pytest.mark.django_db


def test_a_municipality_user_may_not_change_participation_from_the_cli(demo, run_command) -> None:
    before = AuditEntry.objects.count()

    code, _out, err = run_command(
        "set_participation", "--municipality", "370", "--year", "2024", "--out", "--user", "greve"
    )

    assert code == 1
    assert "greve har ikke ret" in err
    assert AuditEntry.objects.count() == before
    assert Participation.objects.get(municipality__code="370", year=2024).participates


def test_the_secretariat_may_and_the_audit_names_the_user(demo, run_command) -> None:
    code, _out, _err = run_command(
        "set_participation",
        "--municipality", "370", "--year", "2024", "--out", "--user", "sekretariat",
    )  # fmt: skip

    assert code == 0
    assert AuditEntry.objects.latest("pk").actor_label == "sekretariat"


def test_without_user_the_operator_acts_and_is_named(demo, run_command) -> None:
    code, _out, _err = run_command(
        "set_participation", "--municipality", "370", "--year", "2024", "--out"
    )

    assert code == 0
    assert AuditEntry.objects.latest("pk").actor_label.startswith("cli:")


def test_a_reader_may_not_store_or_approve_a_run(demo, run_command) -> None:
    code, _out, err = run_command("allocate", "--year", "2024", "--user", "laeser")

    assert code == 1
    assert "har ikke ret" in err
    assert not AllocationRun.objects.exists()


def test_an_unknown_user_is_refused(demo, run_command) -> None:
    code, _out, err = run_command("allocate", "--year", "2024", "--user", "findes-ikke")

    assert code == 1
    assert "Ukendt eller deaktiveret bruger: findes-ikke" in err
