"""
The audit trail: one entry per change, in the change's transaction,
append-only, and a log that replays to the current state.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klynge.accounts.models import Role
from klynge.accounts.services import Binding, user_create, user_update
from klynge.audit.checks import admin_errors
from klynge.audit.models import Action, AuditEntry
from klynge.audit.registry import audited_models
from klynge.audit.services import Actor, record, replay, snapshot
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    AllocationRun,
    FinancedOffice,
    OfficeLead,
    Participation,
)
from klynge.financing.services import (
    allocation_run_approve,
    allocation_run_create,
    lead_set,
    participation_set,
    run_state,
    terms_set,
)
from klynge.funding.models import Grant
from klynge.masterdata.models import ClusterOffice, Municipality, PopulationFigure

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("revisor-test")
SRC = Path(__file__).resolve().parents[2] / "src" / "klynge"


def _count() -> int:
    return AuditEntry.objects.count()


def test_loading_the_agreement_audits_every_row_it_creates(register: Agreement) -> None:
    created = (
        Grant.objects.count()
        + Agreement.objects.count()
        + AgreementYear.objects.count()
        + FinancedOffice.objects.count()
        + OfficeLead.objects.count()
        + Participation.objects.count()
        + PopulationFigure.objects.count()
    )

    assert _count() == created
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {Action.CREATE}


def test_participation_set_writes_one_entry_per_changed_year(demo: Agreement) -> None:
    lejre = Municipality.objects.get(code="350")
    before = _count()

    participation_set(
        actor=ACTOR, agreement=demo, municipality=lejre, years=[2023, 2024], participates=False
    )

    entries = list(AuditEntry.objects.order_by("-pk")[:2])
    assert _count() == before + 2
    assert {e.year for e in entries} == {2023, 2024}
    assert all(e.municipality_code == "350" and e.actor_label == "revisor-test" for e in entries)
    assert all(e.before["participates"] and not e.after["participates"] for e in entries)


def test_a_change_to_the_same_values_writes_no_entry(demo: Agreement) -> None:
    lejre = Municipality.objects.get(code="350")
    participation_set(
        actor=ACTOR, agreement=demo, municipality=lejre, years=[2024], participates=False
    )
    before = _count()

    participation_set(
        actor=ACTOR, agreement=demo, municipality=lejre, years=[2024], participates=False
    )

    assert _count() == before


def test_lead_and_terms_changes_are_audited_with_before_and_after(demo: Agreement) -> None:
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    lejre = Municipality.objects.get(code="350")
    before = _count()

    lead_set(actor=ACTOR, agreement=demo, office=office, years=[2024], municipality=lejre)
    terms_set(
        actor=ACTOR,
        agreement=demo,
        year=2024,
        office_amount_ore=90_000_000,
        lead_share_ore=45_000_000,
        reason="KKR-beslutning",
    )

    lead_entry, terms_entry = AuditEntry.objects.order_by("pk")[before:]
    assert lead_entry.office_id == office.pk
    assert lead_entry.after["municipality_id"] == lejre.pk
    assert terms_entry.before["office_amount_ore"] == 100_000_000
    assert terms_entry.after["office_amount_ore"] == 90_000_000
    assert terms_entry.reason == "KKR-beslutning"


def test_runs_are_audited_when_created_and_when_approved(demo: Agreement) -> None:
    before = _count()

    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    allocation_run_approve(actor=ACTOR, run=run, confirmed=True)

    created, approved = AuditEntry.objects.order_by("pk")[before:]
    assert created.action == Action.CREATE and created.model == "financing.allocationrun"
    assert len(created.after["lines"]) == run.lines.count()
    assert sum(line[3] for line in created.after["lines"]) == 400_000_000
    assert approved.before["status"] == "computed" and approved.after["status"] == "approved"


def test_the_same_run_twice_is_stored_and_audited_once(demo: Agreement) -> None:
    allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    before = _count()

    allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    assert _count() == before


def test_user_changes_are_audited(demo: Agreement) -> None:
    before = _count()
    greve = Municipality.objects.get(code="253")

    user = user_create(
        actor=ACTOR,
        username="ny-greve",
        password="En-god-kode-2026",
        binding=Binding(Role.MUNICIPALITY, municipality=greve),
    )
    user_update(
        actor=ACTOR,
        user=user,
        binding=Binding(Role.READER),
        is_active=False,
        email="",
        full_name="",
    )

    created, updated = AuditEntry.objects.order_by("pk")[before:]
    assert created.after["role"] == "kommune" and created.municipality_code == "253"
    assert updated.before["role"] == "kommune" and updated.after["role"] == "laeser"
    assert updated.after["is_active"] is False
    assert "password" not in str(created.after)


def test_a_failed_bulk_change_leaves_neither_rows_nor_entries(demo: Agreement) -> None:
    lejre = Municipality.objects.get(code="350")
    before_entries = _count()

    with pytest.raises(ValueError, match="2030"):
        participation_set(
            actor=ACTOR, agreement=demo, municipality=lejre, years=[2024, 2030], participates=False
        )

    assert _count() == before_entries
    assert Participation.objects.get(municipality=lejre, year=2024).participates is True


def test_record_refuses_to_run_outside_a_transaction(demo: Agreement, monkeypatch) -> None:
    row = Participation.objects.first()
    assert row is not None
    monkeypatch.setattr(connection, "in_atomic_block", False)  # as in autocommit mode

    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        record(actor=ACTOR, action=Action.UPDATE, instance=row, before={}, after={})


def test_record_refuses_a_model_its_app_has_not_named_as_audited(demo: Agreement) -> None:
    municipality = Municipality.objects.get(code="350")

    with transaction.atomic(), pytest.raises(RuntimeError, match="not named as audited"):
        record(actor=ACTOR, action=Action.UPDATE, instance=municipality, before={}, after={})
    assert not AuditEntry.objects.filter(model="masterdata.municipality").exists()


def test_every_app_names_its_audited_models() -> None:
    labels = {model._meta.label for model in audited_models()}

    # one model of each app that writes audit entries, and none that does not
    assert {"accounts.Profile", "financing.AllocationRun", "collection.Payment",
            "funding.GrantReceipt", "participation.ImportBatch",
            "masterdata.PopulationFigure"} <= labels  # fmt: skip
    assert "masterdata.Municipality" not in labels
    assert "audit.AuditEntry" not in labels


def test_the_admin_shows_every_audited_model_read_only() -> None:
    assert admin_errors(admin.site) == []


def test_the_admin_check_refuses_a_writable_admin_or_inline_of_an_audited_model() -> None:
    class Inline(admin.TabularInline):  # type: ignore[type-arg]
        model = PopulationFigure
        fk_name = "municipality"

    site = admin.AdminSite(name="check")
    site.register(PopulationFigure, admin.ModelAdmin)
    site.register(Municipality, admin.ModelAdmin, inlines=[Inline])
    site.register(ClusterOffice, admin.ModelAdmin)  # not audited: fine

    errors = admin_errors(site)

    assert sorted(error.id for error in errors) == ["klynge_audit.E001"] * 2
    assert all("masterdata.PopulationFigure" in error.msg for error in errors)


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(demo: Agreement) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None

    entry.reason = "skjult"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="skjult")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET reason = 'skjult'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_update_and_delete_of_audit_rows(demo: Agreement, sql: str) -> None:
    count = _count()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # a transactional test may have left maintenance on
            cursor.execute("DELETE FROM audit_maintenance")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert _count() == count


def _current_state() -> dict[str, dict[str, dict[str, object]]]:
    plain = {
        "financing.participation": Participation,
        "financing.officelead": OfficeLead,
        "financing.agreementyear": AgreementYear,
        "financing.agreement": Agreement,
        "financing.financedoffice": FinancedOffice,
    }
    state = {
        label: {str(row.pk): snapshot(row) for row in model.objects.all()}
        for label, model in plain.items()
    }
    state["financing.allocationrun"] = {
        str(run.pk): run_state(run) for run in AllocationRun.objects.all()
    }
    return state


def _replayed_state() -> dict[str, dict[str, dict[str, object]]]:
    return {label: replay(label) for label in _current_state()}


CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("participation"), st.sampled_from(["253", "350", "370"]),
                  st.sampled_from([2023, 2024]), st.booleans()),
        st.tuples(st.just("lead"), st.sampled_from(["350", "316", None]),
                  st.sampled_from([2023, 2024]), st.booleans()),
        st.tuples(st.just("terms"), st.integers(0, 2_000_000_00), st.sampled_from([2023, 2024]),
                  st.integers(0, 100)),
        st.tuples(st.just("run"), st.booleans(), st.just(2024), st.booleans()),
    ),
    max_size=12,
)  # fmt: skip


class _RollbackError(Exception):
    pass


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=CHANGES)
def test_replaying_the_log_reproduces_the_current_state(demo: Agreement, changes) -> None:
    """Any sequence of audited writes: the log replays to exactly what is stored."""
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    try:
        with transaction.atomic():
            for kind, a, year, b in changes:
                if kind == "participation":
                    municipality = Municipality.objects.get(code=a)
                    participation_set(
                        actor=ACTOR, agreement=demo, municipality=municipality, years=[year],
                        participates=b,
                    )  # fmt: skip
                elif kind == "lead":
                    municipality = Municipality.objects.get(code=a) if a else None
                    lead_set(
                        actor=ACTOR, agreement=demo, office=office, years=[year],
                        municipality=municipality, note="x" if b else "",
                    )  # fmt: skip
                elif kind == "terms":
                    terms_set(
                        actor=ACTOR, agreement=demo, year=year, office_amount_ore=a,
                        lead_share_ore=a * b // 100,
                    )  # fmt: skip
                else:
                    try:
                        run = allocation_run_create(actor=ACTOR, agreement=demo, year=year)
                    except Exception:  # noqa: S112 - inputs may block a run: no change
                        continue
                    if (
                        a
                        and run.status == "computed"
                        and not AllocationRun.objects.filter(year=year, status="approved").exists()
                    ):
                        allocation_run_approve(actor=ACTOR, run=run, confirmed=True)
            assert _replayed_state() == _current_state()
            raise _RollbackError
    except _RollbackError:
        pass


WRITE_METHODS = {"update", "bulk_create", "bulk_update", "update_or_create", "get_or_create",
                 "create", "delete", "raw"}  # fmt: skip


def _is_service_module(path: Path) -> bool:
    """An app's `services.py`, or a module of its `services` package."""
    return path.name == "services.py" or path.parent.name == "services"


def test_the_write_guard_knows_the_service_packages() -> None:
    """The guard below exempts `services/` packages: they must exist and hold the writes."""
    package = SRC / "participation" / "services"
    modules = sorted(p.name for p in package.glob("*.py") if _is_service_module(p))
    assert {"imports.py", "undo.py", "gdpr.py"} <= set(modules)
    assert not _is_service_module(SRC / "participation" / "imports.py")
    assert not _is_service_module(SRC / "participation" / "selectors.py")


def test_audited_models_are_written_only_by_service_modules() -> None:
    """A CI guard: no Model.objects.<write>() on an audited model outside the service modules."""
    audited = {model.__name__ for model in audited_models()}
    offenders = []
    for path in SRC.rglob("*.py"):
        if _is_service_module(path) or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target = node.func.value
            if (
                node.func.attr in WRITE_METHODS
                and isinstance(target, ast.Attribute)
                and target.attr == "objects"
                and isinstance(target.value, ast.Name)
                and target.value.id in audited
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")

    assert offenders == []


def test_the_audit_actor_of_a_web_request_is_the_user(login_as) -> None:
    client = login_as("sekretariat")

    client.post("/fordeling/2024/gem/")

    entry = AuditEntry.objects.latest("pk")
    assert entry.actor_label == "sekretariat"
    assert entry.actor_id == get_user_model().objects.get(username="sekretariat").pk
    assert len(entry.request_id) == 32
