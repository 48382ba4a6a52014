"""Loading the shipped register: facts only, idempotent, all or nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from klynge.audit.services import Actor
from klynge.financing.models import OfficeLead, Participation
from klynge.financing.services import agreement_load, lead_set
from klynge.masterdata.models import (
    Cluster,
    ClusterOffice,
    Municipality,
    Organisation,
    Partnership,
    PopulationFigure,
    TimelineEvent,
)
from klynge.masterdata.services import DATA_DIR, DataFileError, register_load

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = [Municipality, PopulationFigure, Partnership, Cluster, ClusterOffice]
    models += [Organisation, TimelineEvent, OfficeLead, Participation]
    return {model.__name__: model.objects.count() for model in models}


def test_register_holds_the_seed_facts(register) -> None:
    assert Municipality.objects.count() == 17
    assert Partnership.objects.get(name="KKR Sjælland").members.count() == 17
    assert Cluster.objects.count() == 14
    assert Cluster.objects.filter(identified=False).count() == 3
    assert str(Cluster.objects.filter(identified=False).first()) == "ikke identificeret"
    total_2023 = sum(
        PopulationFigure.objects.filter(reference_date="2023-01-01").values_list(
            "population", flat=True
        )
    )
    assert total_2023 == 849_857
    wbd = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    assert wbd.host_municipality.code == "370"
    assert str(wbd.opened_date) == "2021-05-28"
    assert TimelineEvent.objects.count() == 8
    assert Organisation.objects.filter(short_name="UFS").exists()


def test_a_note_with_a_decimal_comma_is_stored_whole(register) -> None:
    dlsc = ClusterOffice.objects.get(name="Danish Life Science Cluster – Kalundborg")

    assert dlsc.notes == (
        "Region Sjælland har bevilget 2,5 mio. kr. årligt til Danish Life Science Cluster (slides)"
    )
    assert dlsc.sources.startswith("Slides KKR Sjælland (seed);")


def test_a_row_with_an_unquoted_delimiter_is_refused(db, tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    with (data / "organisations.csv").open("a", encoding="utf-8") as handle:
        handle.write("Ny,,Region,Bevilger 2,5 mio. kr.,seed\n")

    with pytest.raises(DataFileError, match=re.escape("organisations.csv linje 9: 6 felter")):
        register_load(data_dir=data)
    assert Municipality.objects.count() == 0


def test_loading_twice_changes_nothing(register, run_command) -> None:
    before = _counts()

    code, _, _ = run_command("load_sjaelland")

    assert code == 0
    assert _counts() == before


def test_facts_only_load_marks_assumptions_and_leaves_unknowns_empty(register) -> None:
    clean = OfficeLead.objects.filter(office__name="CLEAN – Sjælland")
    # Roskilde is CLEAN's office town (ufm.dk); as lead it is only the working assumption.
    assert set(clean.values_list("municipality__code", "basis")) == {("265", "assumption")}
    wbd = OfficeLead.objects.filter(office__name__startswith="We Build")
    # ufm.dk names Næstved as partner municipality: stored as a fact, with that in the note.
    assert set(wbd.values_list("municipality__code", "basis")) == {("370", "fact")}
    assert all("samarbejdskommune" in lead.note for lead in wbd)
    assert set(Participation.objects.values_list("basis", flat=True)) == {"assumption"}
    assert not OfficeLead.objects.filter(basis="demo").exists()


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


SOURCE_PARTS = "Kilde,https://www.statistikbanken.dk/FOLK1A,2026-11-30"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f'253,Greve,2025,51.507,"kilde",{SOURCE_PARTS}', "'51.507' er ikke et helt tal"),
        (f'253,Greve,2023,51507,"kilde",{SOURCE_PARTS}', "253 har to tal for 2023"),
        (f'999,Ukendt,2023,1000,"kilde",{SOURCE_PARTS}', "ukendt kommunekode '999'"),
        (f'253,Greve,2025,0,"kilde",{SOURCE_PARTS}', "indbyggertallet skal være over 0"),
        ('253,Greve,2025,12,"",,https://x.dk,2026-11-30', "kilde mangler"),
        ('253,Greve,2025,12,kilde,Kilde,x.dk,2026-11-30', "kildens link skal begynde med https://"),
        ('253,Greve,2025,12,kilde,Kilde,https://x.dk,30-11-2026', "'30-11-2026' er ikke en dato"),
        ('253,Greve,2025,12,kilde,"2,5",https://x.dk', "7 felter, men overskriften har 8"),
    ],
)  # fmt: skip
def test_bad_population_file_is_refused_whole(db, tmp_path: Path, run_command, row, message):
    data = _copy_data(tmp_path)
    with (data / "population.csv").open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")

    code, _, error = run_command("load_sjaelland", "--data-dir", str(data))

    assert code == 1
    assert message in error
    assert "population.csv linje 61" in error
    assert Municipality.objects.count() == 0


def test_file_problems_read_in_the_users_language(db, tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    with (data / "population.csv").open("a", encoding="utf-8") as handle:
        handle.write(f'999,Ukendt,2023,1000,"kilde",{SOURCE_PARTS}\n')

    with translation.override("en"), pytest.raises(DataFileError) as english:
        register_load(data_dir=data)
    with translation.override("da"), pytest.raises(DataFileError) as danish:
        register_load(data_dir=data)

    assert english.value.problems == ["population.csv line 61: unknown municipality code '999'"]
    assert danish.value.problems == ["population.csv linje 61: ukendt kommunekode '999'"]


def test_missing_file_is_named(db, tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / "offices.csv").unlink()

    with pytest.raises(DataFileError, match=re.escape("offices.csv: filen findes ikke")):
        register_load(data_dir=data)


def test_the_2021_figures_of_all_17_sum_to_the_region_total(register) -> None:
    figures = PopulationFigure.objects.filter(reference_date="2021-01-01")

    assert figures.count() == 17
    assert sum(f.population for f in figures) == 838_840  # Region Sjælland, 1 January 2021
    greve = figures.get(municipality__code="253")
    assert greve.population == 50_514  # not the fact box's digit swap 50.541
    assert greve.source_label == "Danmarks Statistik via Trap Danmark"
    assert greve.source_url.startswith("https://trap.lex.dk/")
    assert str(greve.source_read_on) == "2026-11-30"


def _old_register(tmp_path: Path) -> Path:
    """The shipped files as they were before 2026-11-30: no 2021 figures, CLEAN without town."""
    data = _copy_data(tmp_path)
    population = (data / "population.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in population if ",2021," not in line]
    (data / "population.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    offices = (data / "offices.csv").read_text(encoding="utf-8")
    (data / "offices.csv").write_text(
        offices.replace("Miljøteknologi,265,Roskilde,", "Miljøteknologi,,,"), encoding="utf-8"
    )
    spec = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    del spec["lead_facts"]
    (data / "agreement.json").write_text(json.dumps(spec), encoding="utf-8")
    return data


def test_a_reload_brings_new_facts_into_an_existing_database_and_keeps_edits(
    db, tmp_path: Path
) -> None:
    old = _old_register(tmp_path)
    register_load(data_dir=old)
    agreement = agreement_load(actor=Actor.system("test"), data_dir=old)
    assert not PopulationFigure.objects.filter(reference_date="2021-01-01").exists()
    assert set(OfficeLead.objects.filter(office__name="CLEAN – Sjælland").values_list(
        "municipality", flat=True)) == {None}  # fmt: skip
    food = ClusterOffice.objects.get(name__startswith="Food & Bio")
    soroe = Municipality.objects.get(code="340")
    lead_set(actor=Actor.system("sekretariat"), agreement=agreement, office=food,
             years=[2024], municipality=soroe, basis="fact", note="Beslutning i KKR")  # fmt: skip

    register_load()
    agreement_load(actor=Actor.system("test"))
    register_load()
    agreement_load(actor=Actor.system("test"))

    assert PopulationFigure.objects.filter(reference_date="2021-01-01").count() == 17
    clean = ClusterOffice.objects.get(name="CLEAN – Sjælland")
    assert (clean.host_municipality.code, clean.town) == ("265", "Roskilde")
    leads = OfficeLead.objects.filter(office=clean)
    assert set(leads.values_list("municipality__code", "basis")) == {("265", "assumption")}
    wbd = OfficeLead.objects.filter(office__name__startswith="We Build")
    assert set(wbd.values_list("municipality__code", "basis")) == {("370", "fact")}
    # What the secretariat set stays; the other years follow the file.
    food_leads = dict(
        OfficeLead.objects.filter(office=food).values_list("year", "municipality__code")
    )
    assert food_leads == {2022: "330", 2023: "330", 2024: "340"}
