"""
Golden test: the 2024 allocation of every office whose lead is known.

Population on 1 January 2023 (all 17 municipalities, sum 849.857), all 17
municipalities participating and lead = host municipality (both working
assumptions of the shipped register). The expected øre were computed
independently with fractions.Fraction and Hamilton's method from the source
CSV; Greve's 33.652,26 kr. to We Build Denmark is the figure the project's
issue quotes.
"""

from __future__ import annotations

import pytest

from klynge.financing.models import Agreement
from klynge.financing.selectors import allocation_compute, financed_offices

GOLDEN_2024 = {
    # Roskilde leads as the host (the ufm.dk news of 16.12.2021 places the office there).
    "CLEAN – Sjælland": {
        "253": 3391247, "259": 4112266, "265": 50000000, "269": 1594394, "306": 2171222,
        "316": 4835326, "320": 2458748, "326": 3199980, "329": 2364069, "330": 5249331,
        "336": 1559893, "340": 2004448, "350": 1904766, "360": 2628419, "370": 5568394,
        "376": 3965639, "390": 2991858,
    },
    "Danish Life Science Cluster – Kalundborg": {
        "253": 3214145, "259": 3897511, "265": 5644021, "269": 1511129, "306": 2057834,
        "316": 4582811, "320": 2330344, "326": 50000000, "329": 2240610, "330": 4975195,
        "336": 1478431, "340": 1899770, "350": 1805293, "360": 2491155, "370": 5277596,
        "376": 3758541, "390": 2835614,
    },
    "Food & Bio Cluster Denmark – Slagelse": {
        "253": 3344050, "259": 4055035, "265": 5872133, "269": 1572204, "306": 2141005,
        "316": 4768032, "320": 2424529, "326": 3155445, "329": 2331168, "330": 50000000,
        "336": 1538184, "340": 1976552, "350": 1878257, "360": 2591839, "370": 5490898,
        "376": 3910449, "390": 2950220,
    },
    "We Build Denmark – Næstved": {
        "253": 3365226, "259": 4080713, "265": 5909317, "269": 1582160, "306": 2154562,
        "316": 4798225, "320": 2439882, "326": 3175427, "329": 2345929, "330": 5209053,
        "336": 1547924, "340": 1989068, "350": 1890150, "360": 2608251, "370": 50000000,
        "376": 3935211, "390": 2968902,
    },
}  # fmt: skip
KEY_TOTALS = {
    "CLEAN – Sjælland": 759_411,
    "Danish Life Science Cluster – Kalundborg": 801_255,
    "Food & Bio Cluster Denmark – Slagelse": 770_129,
    "We Build Denmark – Næstved": 765_283,
}


@pytest.mark.django_db
def test_golden_2024_allocation_of_every_office_with_a_known_lead(register: Agreement) -> None:
    offices = [
        office
        for office in financed_offices(agreement=register, year=2024)
        if office.host_municipality is not None
    ]

    computation = allocation_compute(agreement=register, year=2024, offices=offices)

    assert {a.office for a in computation.allocations} == set(GOLDEN_2024)
    for allocation in computation.allocations:
        got = {line.municipality_code: line.amount_ore for line in allocation.lines}
        assert got == GOLDEN_2024[allocation.office]
        assert allocation.total_ore == 100_000_000
        assert {line.key_total for line in allocation.lines if line.key_total} == {
            KEY_TOTALS[allocation.office]
        }
        assert {
            line.population.reference_date.isoformat()
            for line in allocation.lines
            if line.population
        } == {"2023-01-01"}
