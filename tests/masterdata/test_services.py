"""Loading the shipped register: facts only, idempotent, all or nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from klynge.financing.models import OfficeLead, Participation
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
    assert set(clean.values_list("municipality", flat=True)) == {None}
    wbd = OfficeLead.objects.filter(office__name__startswith="We Build")
    assert set(wbd.values_list("basis", flat=True)) == {"assumption"}
    assert set(Participation.objects.values_list("basis", flat=True)) == {"assumption"}
    assert not OfficeLead.objects.filter(basis="demo").exists()


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('253,Greve,2024,51.507,"kilde"', "indbyggertallet '51.507' er ikke et helt tal"),
        ('253,Greve,2023,51507,"kilde"', "253 har to tal for 2023"),
        ('999,Ukendt,2023,1000,"kilde"', "ukendt kommunekode '999'"),
        ('253,Greve,2024,0,"kilde"', "indbyggertallet skal være over 0"),
        ('253,Greve,2024,12,""', "kilde mangler"),
    ],
)
def test_bad_population_file_is_refused_whole(db, tmp_path: Path, run_command, row, message):
    data = _copy_data(tmp_path)
    with (data / "population.csv").open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")

    code, _, error = run_command("load_sjaelland", "--data-dir", str(data))

    assert code == 1
    assert message in error
    assert "population.csv linje 28" in error
    assert Municipality.objects.count() == 0


def test_missing_file_is_named(db, tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / "offices.csv").unlink()

    with pytest.raises(DataFileError, match=re.escape("offices.csv: filen findes ikke")):
        register_load(data_dir=data)
