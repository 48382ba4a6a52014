"""
Benchmark: collection at national scale.

98 municipalities x 50 financed offices (synthetic demodata, seeded, built by
`national.py`): approve the year's allocation, make the 98 payment requests
(50 lines each), and render every request's PDF letter. Letters are timed against the raw typst
compile of a letter (its context prepared beforehand) in the same run:
alternate requests go one way or the other, because typst memoises a
compile, so compiling the same letter twice would make the second one look
cheap. The 98 letters have the same shape (50 offices each).
Target: a letter within 2x of the raw compile.

Runs on a throw-away SQLite database; prints figures and exits 0 once every
request adds up to the run.

    .venv/bin/python bench/collection.py [--letters N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from national import MUNICIPALITY_COUNT, OFFICE_COUNT, national_case

YEAR = 2025


def _setup(db: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "klynge.config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms".replace(",", "X").replace(".", ",").replace("X", ".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument(
        "--letters", type=int, default=MUNICIPALITY_COUNT - 1, help="letters to time"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp) / "bench.sqlite3")
        from klynge.audit.services import Actor
        from klynge.collection.letters import compile_letter, letter_context, letter_pdf
        from klynge.collection.services import requests_create
        from klynge.financing.models import AllocationLine
        from klynge.financing.services import allocation_run_approve, allocation_run_create

        actor = Actor.system("bench")
        agreement = national_case(years=[YEAR]).agreement
        started = time.perf_counter()
        run = allocation_run_approve(
            actor=actor,
            run=allocation_run_create(actor=actor, agreement=agreement, year=YEAR),
            confirmed=True,
        )
        allocate_s = time.perf_counter() - started
        started = time.perf_counter()
        requests = requests_create(actor=actor, run=run, due_date=dt.date(YEAR, 3, 31))
        create_s = time.perf_counter() - started
        run_total = sum(AllocationLine.objects.filter(run=run).values_list("amount_ore", flat=True))
        if sum(r.total_ore for r in requests) != run_total:
            print("FAIL: the requests do not add up to the run")
            return 1

        letter_pdf(requests[0])  # warm the fonts and the template
        whole, raw = [], []
        for index, request in enumerate(requests[1 : args.letters + 1]):
            if index % 2 == 0:
                started = time.perf_counter()
                letter_pdf(request)
                whole.append(time.perf_counter() - started)
            else:
                context = letter_context(request)
                started = time.perf_counter()
                compile_letter(context)
                raw.append(time.perf_counter() - started)
        median_whole, median_raw = statistics.median(whole), statistics.median(raw)
        print(f"Klynge collection benchmark · Python {platform.python_version()} · {sys.platform}")
        print(f"case: {MUNICIPALITY_COUNT} municipalities x {OFFICE_COUNT} offices, demodata")
        print(f"allocate + approve the run:     {_ms(allocate_s)}")
        print(f"make {len(requests)} requests ({OFFICE_COUNT} lines each): {_ms(create_s)}")
        print(f"letters timed:                  {len(whole)} whole, {len(raw)} raw compile")
        print(f"letter, whole (median):         {_ms(median_whole)}")
        print(f"raw typst compile (median):     {_ms(median_raw)}")
        print(f"ratio letter / raw compile:     {median_whole / median_raw:.2f}".replace(".", ","))
        print(f"all {len(requests)} letters, estimated:    {_ms(median_whole * len(requests))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
