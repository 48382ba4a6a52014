"""
Benchmark: the yearly report to KKR Sjælland for the Sjælland demo.

The register, the agreement, the grants and the full demo (3.000 demo companies,
24.000 participations, the demo result contracts with the approved 2022 and 2023
follow-up, and the report year's follow-up approved the same way) on a throw-away
SQLite database; the year's allocation approved, its 17 payment requests made
and a third of them paid. Then the report for the
year (all offices, 17 municipalities) in PDF, DOCX and XLSX, each timed whole:
gathering the data (`annual_report_data`), the charts (Vega-Lite via
vl-convert) and the rendering. The baseline is a bare typst compile of the same
document (its text, charts and map prepared beforehand): no data gathering, no
charts. typst memoises compiles, so each timed run gets its own title (the
whole report and the bare compile alike) and the runs alternate; medians are
compared. Target: the PDF under 2 s with its charts, within 3x of the bare
compile. The charts are drawn anew in each timed run (as for new data); the
same PDF again, with the drawings kept under their specs, is printed beside it.

Runs on a throw-away SQLite database; prints figures and exits 0 once the
report's figures add up (allocation = the run, paid + outstanding = requested).

    .venv/bin/python bench/report.py [--year 2024] [--repeat 5]
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


def _setup(db: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "klynge.config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms".replace(",", ".")


def _ratio(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _load(year: int) -> None:
    """The demo at full volume, the year's run approved, its requests made, some paid."""
    from klynge.audit.services import Actor
    from klynge.collection.services import payment_register, requests_create
    from klynge.contracts.services import round_open
    from klynge.demo.contracts import demo_contracts_load
    from klynge.demo.contracts import demo_reports_approve as approve_demo_reports
    from klynge.demo.participation import demo_participation_load
    from klynge.demo.services import demo_load
    from klynge.financing.services import (
        agreement_load,
        allocation_run_approve,
        allocation_run_create,
    )
    from klynge.funding.services import grants_load
    from klynge.masterdata.services import register_load

    actor = Actor.system("bench")
    register_load()
    agreement = agreement_load(actor=actor)
    grants_load(actor=actor)
    demo_load(users=False)
    demo_participation_load()
    demo_contracts_load()
    # The year's follow-up as the demo does 2022 and 2023: every office reports, its lead approves.
    follow_up = round_open(
        actor=actor, year=year, opens_on=dt.date(year + 1, 1, 10), deadline=dt.date(year + 1, 3, 1)
    )
    approve_demo_reports(follow_up)
    run = allocation_run_create(actor=actor, agreement=agreement, year=year)
    run = allocation_run_approve(actor=actor, run=run, confirmed=True)
    requests = requests_create(actor=actor, run=run, due_date=dt.date(year, 3, 31))
    for index, request in enumerate(requests):
        if index % 3 == 0:
            payment_register(
                actor=actor, request=request, amount_ore=request.total_ore,
                paid_on=dt.date(year, 3, 20), reference=f"BENCH-{request.pk}",
            )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[1])
    parser.add_argument("--year", type=int, default=2024, help="the report's year")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp) / "bench.sqlite3")
        from dataclasses import replace

        from klynge.reports import render
        from klynge.reports.charts import draw_svgs, forget_drawings, report_charts
        from klynge.reports.selectors import annual_report_data

        started = time.perf_counter()
        _load(args.year)
        load_s = time.perf_counter() - started

        report = annual_report_data(args.year)
        s = report.summary
        if s.received_ore + s.outstanding_ore != s.requested_ore or s.allocated_ore != sum(
            m.share_ore for m in report.municipalities
        ):
            print("FAIL: the report's figures do not add up")
            return 1
        render.report_pdf(report)  # warm the fonts, the template and the chart engine

        gather, charts_s, pdf_whole, pdf_compile, bare = [], [], [], [], []
        warm_whole = []
        for index in range(args.repeat):
            marker = f" ({index})"
            forget_drawings()  # cold: every chart drawn anew, as for new data
            started = time.perf_counter()
            data = annual_report_data(args.year)
            gathered = time.perf_counter()
            data = replace(data, title=data.title + marker)
            charts = report_charts(data)
            draw_svgs(charts)
            charted = time.perf_counter()
            render.report_pdf(data, charts)
            done = time.perf_counter()
            gather.append(gathered - started)
            charts_s.append(charted - gathered)
            pdf_compile.append(done - charted)
            pdf_whole.append(done - started)

            # Warm: the same data again (a second download): the drawings are kept.
            started = time.perf_counter()
            data = replace(annual_report_data(args.year), title=data.title + "w")
            render.report_pdf(data, report_charts(data))
            warm_whole.append(time.perf_counter() - started)
            context = render.pdf_context(replace(report, title=report.title + marker + "b"),
                                         charts)  # fmt: skip
            started = time.perf_counter()
            render.compile_pdf(context)
            bare.append(time.perf_counter() - started)

        docx, xlsx, docx_render, xlsx_render = [], [], [], []
        for _index in range(args.repeat):
            started = time.perf_counter()
            data = annual_report_data(args.year)
            gathered = time.perf_counter()
            render.report_docx(data)
            done = time.perf_counter()
            docx.append(done - started)
            docx_render.append(done - gathered)
            started = time.perf_counter()
            data = annual_report_data(args.year)
            gathered = time.perf_counter()
            render.report_xlsx(data)
            done = time.perf_counter()
            xlsx.append(done - started)
            xlsx_render.append(done - gathered)

        med = statistics.median
        whole, base = med(pdf_whole), med(bare)
        print(f"Klynge report benchmark · Python {platform.python_version()} · {sys.platform}")
        print(
            f"case: Sjælland demo, {args.year}: {len(report.offices)} offices, "
            f"{len(report.municipalities)} municipalities, {s.companies} companies reached, "
            f"{s.offices_reported} approved follow-up reports (demodata)"
        )
        print(f"load the demo and approve the year:  {_ms(load_s)}")
        print(f"runs timed (median of each):         {args.repeat}")
        print(f"PDF, whole:                          {_ms(whole)}")
        print(f"  gathering the data:                {_ms(med(gather))} "
              f"({100 * med(gather) / whole:.0f} %)")  # fmt: skip
        print(f"  charts (Vega-Lite -> SVG):         {_ms(med(charts_s))} "
              f"({100 * med(charts_s) / whole:.0f} %)")  # fmt: skip
        print(f"  typst (text, layout, PDF/UA-1):    {_ms(med(pdf_compile))} "
              f"({100 * med(pdf_compile) / whole:.0f} %)")  # fmt: skip
        print(f"bare typst compile of the document:  {_ms(base)}")
        print(f"ratio PDF / bare compile:            {_ratio(whole / base)} (target <= 3)")
        warm = med(warm_whole)
        print(f"PDF again, same data (charts kept):  {_ms(warm)}")
        print(f"ratio of that / bare compile:        {_ratio(warm / base)}")
        print(f"PDF under 2 s:                       {'yes' if whole < 2 else 'no'}")
        share = 100 * med(docx_render) / med(docx)
        print(f"DOCX, whole:                         {_ms(med(docx))} "
              f"(rendering {share:.0f} %, PNG charts included)")  # fmt: skip
        print(f"XLSX, whole:                         {_ms(med(xlsx))} "
              f"(rendering {100 * med(xlsx_render) / med(xlsx):.0f} %)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
