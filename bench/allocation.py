"""
Benchmark: the co-financing engine on a national-scale case.

98 municipalities, 50 offices, 10 budget years (500 office-years, 97 payers
each) timed in the same run against a minimal integer-only largest-remainder
loop doing the same 500 splits, twice: the engine alone, and the engine with
every line's Danish explanation built, as every real use (a stored run, the
allocation table) needs. Targets: the engine within 1,5x of the minimal loop,
the engine with explained lines within 3x, and the national case under 0.5 s on
one core.

This prints figures; it is not a test and always exits 0 once the engine and
the minimal loop agree on every amount.

    .venv/bin/python bench/allocation.py [--repeat N]
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date

from klynge.core.cofinancing import (
    Municipality,
    OfficeAllocation,
    OfficeTerms,
    PopulationFigure,
    Role,
    allocate_all,
)

SEED = 2024
MUNICIPALITY_COUNT = 98
OFFICE_COUNT = 50
FIRST_YEAR = 2025
YEARS = tuple(range(FIRST_YEAR, FIRST_YEAR + 10))
AMOUNT_ORE = 1_000_000_00
LEAD_SHARE_ORE = 500_000_00
POPULATION_MIN = 1_800
POPULATION_MAX = 650_000
SOURCE = "Syntetisk (bench/allocation.py, seed 2024)"

RATIO_TARGET = 1.5
# Issue #11 names no figure for explained lines. Explaining is real work the minimal
# loop does not do: 49.000 frozen lines, each with an exact Fraction quota and a
# Danish sentence with grouped figures, a date and the quota to four decimals. 3x
# keeps that a small multiple of the split itself; on CPython 3.11 the lines and
# quotas alone cost about twice the loop, so it is a stretch target.
EXPLAINED_RATIO_TARGET = 3.0
SECONDS_TARGET = 0.5

Populations = dict[str, dict[date, PopulationFigure]]
Split = tuple[int, list[int]]  # (amount to split, weights in municipality-code order)


def build_case() -> tuple[list[Municipality], Populations, list[OfficeTerms]]:
    """Build the deterministic national case: municipalities, populations, terms."""
    rng = random.Random(SEED)
    codes = sorted(str(code) for code in rng.sample(range(101, 861), MUNICIPALITY_COUNT))
    municipalities = [Municipality(code, f"Kommune {code}") for code in codes]

    # Population on 1 January of the year before each budget year, plus the
    # last budget year itself: 11 dates for every municipality.
    dates = [date(year, 1, 1) for year in range(FIRST_YEAR - 1, YEARS[-1] + 1)]
    populations: Populations = {}
    for code in codes:
        population = rng.randint(POPULATION_MIN, POPULATION_MAX)
        by_date: dict[date, PopulationFigure] = {}
        for day in dates:
            by_date[day] = PopulationFigure(population, day, SOURCE)
            drift = 1 + rng.uniform(-0.01, 0.012)
            population = min(POPULATION_MAX, max(POPULATION_MIN, round(population * drift)))
        populations[code] = by_date

    everyone = frozenset(codes)
    leads = [rng.choice(codes) for _ in range(OFFICE_COUNT)]
    terms = [
        OfficeTerms(
            office=f"Kontor {number + 1:02d}",
            year=year,
            amount_ore=AMOUNT_ORE,
            lead_share_ore=LEAD_SHARE_ORE,
            lead_code=lead,
            participants=everyone,
        )
        for year in YEARS
        for number, lead in enumerate(leads)
    ]
    return municipalities, populations, terms


def baseline_splits(
    municipalities: Sequence[Municipality], populations: Populations, terms: Sequence[OfficeTerms]
) -> list[Split]:
    """The same splits as plain integers: what the minimal loop is given."""
    codes = sorted(m.code for m in municipalities)
    splits: list[Split] = []
    for office in terms:
        day = date(office.year - 1, 1, 1)
        weights = [
            populations[code][day].population
            for code in codes
            if code in office.participants and code != office.lead_code
        ]
        splits.append((office.amount_ore - office.lead_share_ore, weights))
    return splits


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Minimal integer-only largest remainder, with the engine's tie-break."""
    weight_sum = sum(weights)
    floors = []
    remainders = []
    for weight in weights:
        floor, remainder = divmod(total * weight, weight_sum)
        floors.append(floor)
        remainders.append(remainder)
    leftover = total - sum(floors)
    if leftover:
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
        for i in order[:leftover]:
            floors[i] += 1
    return floors


def run_engine(
    terms: Sequence[OfficeTerms],
    municipalities: Sequence[Municipality],
    populations: Populations,
) -> list[OfficeAllocation]:
    # One batch per budget year, as the application calls the engine.
    by_year: dict[int, list[OfficeTerms]] = {}
    for office in terms:
        by_year.setdefault(office.year, []).append(office)
    return [
        allocation
        for year_terms in by_year.values()
        for allocation in allocate_all(year_terms, municipalities, populations)
    ]


def run_explained(
    terms: Sequence[OfficeTerms],
    municipalities: Sequence[Municipality],
    populations: Populations,
) -> list[str]:
    # What storing a run or showing the allocation table does with every line.
    return [
        line.explanation()
        for allocation in run_engine(terms, municipalities, populations)
        for line in allocation.lines
    ]


def run_baseline(splits: Sequence[Split]) -> list[list[int]]:
    return [largest_remainder(total, weights) for total, weights in splits]


def check_agreement(
    allocations: Sequence[OfficeAllocation],
    amounts: Sequence[list[int]],
    terms: Sequence[OfficeTerms],
) -> None:
    """Stop unless the engine and the minimal loop give identical amounts."""
    for allocation, expected, office in zip(allocations, amounts, terms, strict=True):
        shares = [line.amount_ore for line in allocation.lines if line.role is Role.SHARE]
        leads = [line.amount_ore for line in allocation.lines if line.role is Role.LEAD]
        if (
            shares != expected
            or leads != [office.lead_share_ore]
            or (allocation.total_ore != office.amount_ore)
        ):
            sys.exit(f"disagree: {office.office} {office.year}")


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0].strip())
    parser.add_argument("--repeat", type=int, default=9, help="timed runs of each (default 9)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)

    municipalities, populations, terms = build_case()
    splits = baseline_splits(municipalities, populations, terms)
    payers = {len(weights) for _, weights in splits}

    print(
        f"case: {len(municipalities)} municipalities, {OFFICE_COUNT} offices, "
        f"{len(YEARS)} years = {len(terms)} office-years, "
        f"{'/'.join(map(str, sorted(payers)))} payers each"
    )
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{repeat} runs of each, interleaved"
    )

    check_agreement(run_engine(terms, municipalities, populations), run_baseline(splits), terms)
    print(f"agree: engine and minimal loop give identical amounts for all {len(terms)}")

    def engine() -> object:
        return run_engine(terms, municipalities, populations)

    def baseline() -> object:
        return run_baseline(splits)

    def explained() -> object:
        return run_explained(terms, municipalities, populations)

    runs = {"engine": engine, "explained": explained, "baseline": baseline}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for run in range(repeat):
        # Rotate which goes first so drift on a noisy machine hits all three.
        names = list(runs)
        for name in names[run % 3 :] + names[: run % 3]:
            times[name].append(timed(runs[name]))

    medians = {name: statistics.median(values) for name, values in times.items()}
    engine_median = medians["engine"]
    baseline_median = medians["baseline"]
    ratio = engine_median / baseline_median
    explained_ratio = medians["explained"] / baseline_median
    lines = len(terms) * len(municipalities)

    print(
        f"engine:    median {engine_median:.4f} s, min {min(times['engine']):.4f} s "
        f"({engine_median / len(terms) * 1e6:.0f} µs per office-year)"
    )
    print(
        f"explained: median {medians['explained']:.4f} s, min {min(times['explained']):.4f} s "
        f"(engine and {lines} explanations)"
    )
    print(f"baseline:  median {baseline_median:.4f} s, min {min(times['baseline']):.4f} s")
    print(f"ratio engine/baseline (medians): {ratio:.2f}")
    print(f"ratio explained/baseline (medians): {explained_ratio:.2f}")
    print(f"target: ratio <= {RATIO_TARGET}: {'met' if ratio <= RATIO_TARGET else 'not met'}")
    print(
        f"target: explained ratio <= {EXPLAINED_RATIO_TARGET}: "
        f"{'met' if explained_ratio <= EXPLAINED_RATIO_TARGET else 'not met'}"
    )
    print(
        f"target: national case < {SECONDS_TARGET} s: "
        f"{'met' if engine_median < SECONDS_TARGET else 'not met'}"
    )


if __name__ == "__main__":
    main()
