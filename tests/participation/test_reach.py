"""Reach, worked by hand on a small file: unique companies, SMEs, offices, exporters, cost."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.participation.files import CVR_A, CVR_B, CVR_C, csv_bytes, row

from klynge.audit.services import Actor
from klynge.core.money import ore_per_unit
from klynge.financing.selectors import allocation_for_year
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.selectors import (
    ParticipantFilter,
    exporter_change,
    internationalisation,
    municipality_reach,
    participant_list,
    reach_by_municipality,
    reach_by_office,
)
from klynge.participation.services import import_check, import_commit

pytestmark = pytest.mark.django_db

A = {"Aktivitets-id": "A", "Aktivitet": "Delegation", "Aktivitetstype": "international delegation",
     "International": "ja", "Afholdt i kommune": "370"}  # fmt: skip
B = {"Aktivitets-id": "B", "Aktivitet": "Kursus", "Aktivitetstype": "kursus",
     "International": "nej", "Afholdt i kommune": "Roskilde"}  # fmt: skip
C = {"Aktivitets-id": "C", "Aktivitet": "Møde 2023", "Dato": "01-06-2023",
     "Afholdt i kommune": "370"}  # fmt: skip
X = {"CVR-nummer": CVR_A, "Navn": "X ApS", "Postnummer": "4700", "Antal ansatte": "10-49"}
Y = {"CVR-nummer": CVR_B, "Navn": "Y A/S", "Postnummer": "4000", "Antal ansatte": "250+"}
Z = {"CVR-nummer": CVR_C, "Navn": "Z ApS", "Postnummer": "4000", "Antal ansatte": "0-9"}
UNIVERSITY = {"Deltagertype": "videninstitution", "CVR-nummer": "", "Navn": "Test Universitet",
              "Postnummer": "4000", "Antal ansatte": ""}  # fmt: skip


@pytest.fixture
def office(demo) -> ClusterOffice:
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    rows = [
        row(**A, **X, **{"Eksportør": "ja"}), row(**B, **X, **{"Eksportør": "ja"}),
        row(**A, **Y), row(**B, **Z), row(**A, **UNIVERSITY),
        row(**C, **X, **{"Eksportør": "nej"}),
    ]  # fmt: skip
    actor = Actor.system("test")
    batch = import_check(actor=actor, office=office, file_name="r.csv", data=csv_bytes(rows))
    assert batch.status == "checked", batch.problems
    import_commit(actor=actor, batch=batch)
    return office


def test_a_company_counts_once_in_its_own_municipality(office) -> None:
    allocation = allocation_for_year(year=2024)
    reach = {r.code: r for r in reach_by_municipality(year=2024, allocation=allocation)}

    # Næstved: X (in two activities, counted once); Roskilde: Y and Z, not the university.
    assert (reach["370"].companies, reach["370"].smes) == (1, 1)
    assert (reach["265"].companies, reach["265"].smes) == (2, 1)
    assert reach["253"].companies == 0
    # Where activities were held is counted apart from where companies are.
    assert (reach["370"].activities_held, reach["265"].activities_held) == (1, 1)
    roskilde = reach["265"]
    assert roskilde.per_1000 == Fraction(2 * 1000, roskilde.population)
    assert roskilde.share_ore == allocation.table.municipality_totals["265"]
    assert roskilde.share_per_company_ore == ore_per_unit(roskilde.share_ore, 2)


def test_the_office_reached_two_of_its_paying_municipalities(office) -> None:
    allocation = allocation_for_year(year=2024)
    (reach,) = reach_by_office(year=2024, allocation=allocation, office=office)

    paying = {line.municipality_code for line in allocation.lines
              if line.office == office.name and line.amount_ore > 0}  # fmt: skip
    assert {code for code, _name in reach.paying} == paying
    assert {code for code, _name in reach.reached} == {"370", "265"}
    assert len(reach.not_reached) == len(paying) - 2
    # SMEs X and Z took part; X in the international delegation: 50 %.
    assert (reach.companies, reach.smes, reach.smes_international) == (3, 2, 1)
    assert reach.international_percent == 50
    assert internationalisation(year=2024).percent == 50


def test_the_exporter_change_and_the_lists_behind_the_figures(office) -> None:
    change = exporter_change(year=2024)

    assert (change.compared, change.exporters_before, change.exporters_now) == (1, 0, 1)
    assert (change.became, change.stopped) == (1, 0)
    names = lambda **f: [p.name for p in participant_list(ParticipantFilter(**f))]  # noqa: E731
    assert names(year=2024, municipality="265", companies_only=True) == ["Y A/S", "Z ApS"]
    assert names(year=2024, sme=True, international=True) == ["X ApS"]
    assert names(year=2024, became_exporter=True) == ["X ApS"]
    assert names(year=2023) == ["X ApS"]
    x = participant_list(ParticipantFilter(year=2024)).get(name="X ApS")
    assert x.activity_count == 2


def test_a_municipality_sees_each_year_it_paid_or_was_reached(office) -> None:
    years = municipality_reach(municipality=Municipality.objects.get(code="370"),
                               allocations=[allocation_for_year(year=2024)])  # fmt: skip

    assert [(r.year, r.companies, r.activities_held) for r in years] == [(2024, 1, 1), (2023, 1, 1)]
    assert years[0].share_ore is not None and years[1].share_ore is None
