"""Scenarios on the real 2024 case: what if Lejre leaves, and saved scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.collection.models import PaymentRequest
from klynge.core.scenario import Changes
from klynge.financing.models import AllocationLine, AllocationRun, Scenario
from klynge.financing.selectors import scenario_compute
from klynge.financing.services import scenario_save

pytestmark = pytest.mark.django_db


def test_what_if_lejre_leaves(demo) -> None:
    result = scenario_compute(agreement=demo, year=2024, changes=Changes(leave=frozenset({"350"})))

    rows = {row.code: row for row in result.rows}
    assert result.rows[0].code == "350"  # the largest change first
    assert rows["350"].scenario_ore == 0
    assert rows["350"].baseline_ore == 7_478_466  # four offices; CLEAN led by Roskilde
    assert result.baseline_total_ore == result.scenario_total_ore == 400_000_000
    assert all(row.change_ore > 0 for code, row in rows.items() if code != "350")


def test_a_scenario_never_touches_runs_or_requests(demo, run_command) -> None:
    run_command("allocate", "--year", "2024", "--approve")
    run_command("requests", "create", "--year", "2024", "--due", "31-03-2024")
    before = (
        list(AllocationLine.objects.values_list("pk", "amount_ore")),
        list(PaymentRequest.objects.values_list("pk", "total_ore")),
        AllocationRun.objects.count(),
    )

    result = scenario_compute(
        agreement=demo, year=2024, changes=Changes(new_offices=(("Femte kontor", "316"),))
    )

    assert result.scenario_total_ore == 500_000_000
    assert "godkendt" in result.baseline_label
    assert before == (
        list(AllocationLine.objects.values_list("pk", "amount_ore")),
        list(PaymentRequest.objects.values_list("pk", "total_ore")),
        AllocationRun.objects.count(),
    )


def test_a_saved_scenario_is_named_audited_and_unique(demo) -> None:
    actor = Actor.system("test")
    changes = Changes(leave=frozenset({"350"}))

    scenario = scenario_save(
        actor=actor, agreement=demo, year=2024, name="Lejre udtræder", changes=changes
    )

    assert Changes.from_json(Scenario.objects.get(pk=scenario.pk).changes) == changes
    assert AuditEntry.objects.latest("pk").model == "financing.scenario"
    with pytest.raises(ValueError, match="findes allerede"):
        scenario_save(
            actor=actor, agreement=demo, year=2024, name="Lejre udtræder", changes=changes
        )


def test_the_command_compares_saves_and_exports(demo, run_command, capsys, tmp_path: Path) -> None:
    code, _out, _err = run_command(
        "scenario", "compare", "--year", "2024", "--lead-share-percent", "40", "--save", "40 pct"
    )
    printed = capsys.readouterr().out
    code_saved, _out, _err = run_command(
        "scenario", "compare", "--year", "2024", "--name", "40 pct", "--format", "xlsx",
        "--output", str(tmp_path / "s.xlsx"),
    )  # fmt: skip

    assert code == code_saved == 0
    assert "Scenarie '40 pct' 2024" in printed
    assert "I alt" in printed and "4.000.000,00" in printed
    sheet = load_workbook(tmp_path / "s.xlsx")["Scenarie"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 17
    assert sum(round(r[4] * 100) for r in rows) == 0  # the changes add up to nothing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--leave", "Atlantis"], "Atlantis"),
        (["--lead-share", "2.000.000"], "Leadandelen"),
        (["--office-amount", "mange"], "mange"),
        (["--name", "findes ikke"], "intet gemt scenarie"),
        (["--weight", "Greve=-1"], "positivt heltal"),
        (["--weight", "Greve=²"], "positivt heltal"),  # '²'.isdigit() is true
        (["--lead-share-percent", "1e10000000"], "ikke en procentsats"),
        (["--index", "1/0"], "ikke en procentsats"),
        (["--office-amount", "9" * 5000], "mere end 15 cifre"),
    ],
)
def test_bad_changes_get_a_clear_message(demo, run_command, args, message) -> None:
    code, _out, err = run_command("scenario", "compare", "--year", "2024", *args)

    assert code == 1
    assert message in err
    assert not Scenario.objects.exists()


def test_the_scenario_page_computes_for_everyone_and_saves_for_the_secretariat(login_as) -> None:
    from django.urls import reverse

    from klynge.masterdata.models import Municipality

    lejre = Municipality.objects.get(code="350").pk
    query = {"year": "2024", "leave": [lejre], "lead_share_percent": ""}
    reader = login_as("laeser").get(reverse("scenarios"), query).content.decode()
    saved = login_as("sekretariat").post(reverse("scenarios"), {**query, "name": "Uden Lejre"})
    bad = login_as("sekretariat").get(reverse("scenarios"), {"year": "2024", "index_percent": "x"})

    assert "74.784,66" in reader and "-100,0 %" in reader
    assert "Gem scenariet" not in reader
    assert saved.status_code == 302
    scenario = Scenario.objects.get(name="Uden Lejre")
    detail = login_as("laeser").get(reverse("scenario-detail", args=[scenario.pk])).content.decode()
    assert "Lejre" in detail and "-100,0 %" in detail
    assert "Skriv en procentsats" in bad.content.decode()


def test_the_scenario_page_changes_a_lead_and_uses_custom_weights(login_as) -> None:
    from django.urls import reverse

    from klynge.masterdata.models import ClusterOffice, Municipality

    wbd = ClusterOffice.objects.get(name="We Build Denmark – Næstved").pk
    greve = Municipality.objects.get(code="253").pk
    client = login_as("sekretariat")

    lead = client.get(
        reverse("scenarios"), {"year": "2024", "lead_office": wbd, "lead_municipality": greve}
    ).content.decode()
    every_code = " ".join(f"{m.code}=1" for m in Municipality.objects.all())
    weights = client.get(
        reverse("scenarios"), {"year": "2024", "key": "custom", "weights": every_code}
    ).content.decode()
    too_few = client.get(
        reverse("scenarios"), {"year": "2024", "key": "custom", "weights": "253=1, 259=1"}
    ).content.decode()
    missing = client.get(reverse("scenarios"), {"year": "2024", "key": "custom"}).content.decode()

    # Greve stops paying its 33.652,26 share and pays the 500.000,00 lead share instead.
    assert "599.494,42" in lead
    assert "Resultat" in weights
    assert "Roskilde har ingen positiv vægt" in too_few
    assert "kræver vægtene" in missing
