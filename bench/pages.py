"""
Benchmark: every main page under load, against a hello-world view of the same app.

For each dataset, a throw-away database is built, the site is served by
gunicorn (2 sync workers) with production settings (bench/pages_site: DEBUG
off, whitenoise with the manifest storage, only the HTTPS redirect turned off),
and every main page is requested by 4 concurrent clients with a logged-in
session. Right before each page, the hello-world view (`/bench-hello/`, the same
middleware, no template, no database, no session cookie) is measured the same
way, and the page's share of hello world is its req/s divided by that hello
world's req/s, so that other work on the machine affects both alike.

Datasets:
- sjaelland-sqlite: the Sjælland demo (`make load`: migrate, load-sjaelland,
  load-grants, demo) on an SQLite file;
- sjaelland-pg: the same on PostgreSQL (database klynge_bench_pages);
- national-pg: 98 municipalities, 50 offices, 10 agreement years (2021-2030,
  2021-2024 approved, 2024 requests made) and 100.000 participations on
  PostgreSQL (database klynge_bench_pages_national), made by national.py.

Each page also gets the SQL query count and HTML size of one request (in
process, the test client against the same database, after one warm-up). It
prints a table per dataset and whether each target is met; it is a benchmark,
not a test, and exits 0 unless the set-up fails (1).

    .venv/bin/python bench/pages.py [--dataset all] [--requests N] [--timeout S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
DATASETS = ("sjaelland-sqlite", "sjaelland-pg", "national-pg")
DEFAULT_REQUESTS = {"sjaelland-sqlite": 200, "sjaelland-pg": 200, "national-pg": 20}
HELLO_MIN_REQUESTS = 400
CONCURRENCY = 4
WORKERS = 2
PG_DATABASES = {"sjaelland-pg": "klynge_bench_pages", "national-pg": "klynge_bench_pages_national"}
NATIONAL_YEARS = range(2021, 2031)
NATIONAL_APPROVED = range(2021, 2025)
YEAR = 2024
MUNICIPALITY = "253"  # Greve, in both datasets (the national case includes Sjælland's codes)
SHARE_TARGET = 0.10
STATIC_SHARE_TARGET = 0.50
P95_TARGET_MS = {"sjaelland-sqlite": 50.0, "sjaelland-pg": 50.0, "national-pg": 300.0}


class SetupError(Exception):
    """The dataset or the server could not be set up."""


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    user: str | None  # who is logged in; None: no session cookie
    kind: str = "page"  # page, static or hello


@dataclass
class Load:
    """What the load client measured for one path."""

    requests: int
    seconds: float
    times_ms: list[float]
    failures: dict[str, int] = field(default_factory=dict)
    sent: int = 0

    @property
    def per_second(self) -> float:
        return len(self.times_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else math.nan

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def failure_text(self) -> str:
        text = ", ".join(f"{n} {kind}" for kind, n in sorted(self.failures.items())) or "0"
        return text + (f" (stopped after {self.sent})" if self.sent < self.requests else "")


@dataclass
class Result:
    page: Page
    load: Load
    hello: Load
    queries: int | None
    html_bytes: int | None
    note: str = ""

    @property
    def share(self) -> float:
        return self.load.per_second / self.hello.per_second if self.hello.per_second else 0.0


def _dk(value: float, digits: int = 1) -> str:
    """A figure the Danish way: 1.234,5."""
    if math.isnan(value):
        return "-"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


# --- the load client -------------------------------------------------------------------


def load(
    port: int,
    path: str,
    cookie: str,
    *,
    requests: int,
    timeout: float,
    max_failures: int,
    max_seconds: float = math.inf,
) -> Load:
    """
    `requests` GETs of `path` by CONCURRENCY threads, each with a keep-alive
    connection (http.client reconnects when the server closes it). A request
    counts when it answers 200 with a body; anything else is a failure by kind.
    No request is sent after `max_failures` failures or `max_seconds` seconds.
    """
    lock = threading.Lock()
    state = {"left": requests, "failed": 0}
    times: list[float] = []
    failures: dict[str, int] = {}
    headers = {"Host": "127.0.0.1", "Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = cookie

    def fail(kind: str) -> None:
        with lock:
            failures[kind] = failures.get(kind, 0) + 1
            state["failed"] += 1

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            with lock:
                if (
                    state["left"] <= 0
                    or state["failed"] >= max_failures
                    or time.perf_counter() - began > max_seconds
                ):
                    break
                state["left"] -= 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except TimeoutError:
                fail("timeout")
                connection.close()
                continue
            except (OSError, http.client.HTTPException) as error:
                fail(type(error).__name__)
                connection.close()
                continue
            elapsed = 1000 * (time.perf_counter() - started)
            if response.status != 200 or not body:
                fail(f"HTTP {response.status}")
                continue
            with lock:
                times.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    began = started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Load(requests, seconds, times, failures, sent=requests - state["left"])


# --- the server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn with WORKERS sync workers on the bench site, on a free port."""

    def __init__(self, env: dict[str, str], log: Path, timeout: float) -> None:
        self.env, self.log, self.timeout = env, log, timeout
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = _free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "pages_site.wsgi",
                    "--workers",
                    str(WORKERS),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    str(math.ceil(self.timeout) + 5),
                    "--graceful-timeout",
                    "2",
                ],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError(f"gunicorn stopped at start; see {self.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/bench-hello/")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                time.sleep(0.2)
        raise SetupError(f"gunicorn did not answer within 60 s; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


# --- the datasets ----------------------------------------------------------------------


def _pg_recreate(base_url: str, name: str, *, create: bool = True) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def _database_url(dataset: str, tmp: Path, pg_url: str) -> str:
    if dataset == "sjaelland-sqlite":
        return f"sqlite:///{tmp / 'klynge.sqlite3'}"
    _pg_recreate(pg_url, PG_DATABASES[dataset])
    return f"{pg_url}/{PG_DATABASES[dataset]}"


def _sjaelland() -> None:
    """The Sjælland demo, with the same commands as `make load`."""
    from django.core.management import call_command

    for command in ("load_sjaelland", "load_grants", "demo"):
        call_command(command, verbosity=0, stdout=io.StringIO())


def _national(say: Callable[[str], None]) -> None:
    """The national case (national.py), its 100.000 participations, runs and requests."""
    from klynge.accounts.models import Role
    from klynge.accounts.services import Binding, user_create
    from klynge.audit.services import Actor
    from klynge.collection.services import requests_create
    from klynge.masterdata.models import Municipality
    from national import national_case, participations_load, runs_approve

    started = time.perf_counter()
    case = national_case(years=NATIONAL_YEARS)
    say(f"  register and agreement: {time.perf_counter() - started:.1f} s")

    def progress(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            say(
                f"  participant files stored: {done}/{total} "
                f"({time.perf_counter() - started:.0f} s)"
            )

    stored = participations_load(case, progress=progress)
    say(f"  {stored:,} participations stored".replace(",", "."))
    runs = runs_approve(case, NATIONAL_APPROVED)
    actor = Actor.system("bench")
    requests_create(actor=actor, run=runs[YEAR], due_date=dt.date(YEAR, 3, 31))
    say(
        f"  runs {NATIONAL_APPROVED[0]}-{NATIONAL_APPROVED[-1]} approved, {YEAR} requests "
        f"made ({time.perf_counter() - started:.0f} s)"
    )
    user_create(
        actor=actor,
        username="sekretariat",
        password=None,
        full_name="Bench Sekretariat",
        binding=Binding(role=Role.SECRETARIAT),
    )
    user_create(
        actor=actor,
        username="greve",
        password=None,
        full_name="Bench Greve",
        binding=Binding(
            role=Role.MUNICIPALITY, municipality=Municipality.objects.get(code=MUNICIPALITY)
        ),
    )


def _pages() -> list[Page]:
    """The main pages (issue 11); the office page shows the office with most activities."""
    from django.db.models import Count

    from klynge.masterdata.models import ClusterOffice

    office = (
        ClusterOffice.objects.annotate(activity_count=Count("activities"))
        .order_by("-activity_count", "name")
        .first()
    )
    if office is None:
        raise SetupError("the dataset has no cluster office")
    admin = "sekretariat"
    return [
        Page("hello world, logged in", "/bench-hello/", admin, "hello"),
        Page("accessibility (static)", "/tilgaengelighed/", admin, "static"),
        Page("Overblik (with the map)", "/overblik/", admin),
        Page("start page (greve)", "/", "greve"),
        Page(f"Fordeling {YEAR}", f"/fordeling/{YEAR}/", admin),
        Page("office page", f"/klyngekontorer/{office.pk}/", admin),
        Page(f"reach {YEAR}", f"/deltagelse/?aar={YEAR}", admin),
        Page("municipality page (Greve)", f"/kommuner/{MUNICIPALITY}/", admin),
        Page("participant list", "/deltagelse/deltagere/", admin),
        Page(f"Opkrævninger {YEAR}", f"/opkraevninger/{YEAR}/", admin),
        Page("Finansiering", "/finansiering/", admin),
        Page("Datakvalitet", "/datakvalitet/", admin),
    ]


def _clients() -> dict[str, Any]:
    """A logged-in test client per user (the session the load client sends too)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients = {}
    for username in ("sekretariat", "greve"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    return clients


def _one_request(client: Any, path: str) -> tuple[int | None, int | None, str]:
    """Queries and HTML bytes of one in-process request (after a warm-up), or a note."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    except Exception as error:  # a benchmark reports what went wrong
        return None, None, f"in-process request failed: {type(error).__name__}"
    if response.status_code != 200:
        return None, None, f"in-process HTTP {response.status_code}"
    return len(captured), len(response.content), ""


def _statement_timeout(seconds: float) -> None:
    """PostgreSQL cancels an in-process statement after `seconds` (a slow page is a figure)."""
    from django.db.backends.signals import connection_created

    def on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")

    connection_created.connect(on_connect, weak=False)


# --- one dataset -----------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, flush=True)


def run_dataset(dataset: str, args: argparse.Namespace) -> int:
    requests = args.requests or DEFAULT_REQUESTS[dataset]
    tmp = Path(tempfile.mkdtemp(prefix="klynge-bench-pages-"))
    started = time.perf_counter()
    dirty = (
        " (uncommitted changes under src/)" if _git("status", "--porcelain", "--", "src") else ""
    )
    _say(
        f"Klynge page benchmark · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
        f"commit {_git('rev-parse', '--short', 'HEAD')}{dirty} · "
        f"Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    _say(
        f"== {dataset} · {requests} requests per page · concurrency {CONCURRENCY} · "
        f"gunicorn {WORKERS} sync workers · timeout {args.timeout:g} s"
    )
    server: Server | None = None
    try:
        env = {
            "DJANGO_SETTINGS_MODULE": "pages_site.settings",
            "SECRET_KEY": "bench-pages-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "KLYNGE_VAR_DIR": str(tmp),
            "DATABASE_URL": _database_url(dataset, tmp, args.pg_url),
        }
        os.environ.update(env)
        sys.path.insert(0, str(BENCH_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if dataset == "national-pg":
            _national(_say)
        else:
            _sjaelland()
        call_command("collectstatic", interactive=False, verbosity=0)
        setup_s = time.perf_counter() - started
        _say(f"set-up (database, data, static files): {setup_s:.0f} s")

        _statement_timeout(args.timeout)
        pages = _pages()
        clients = _clients()
        from django.conf import settings

        cookie_name = settings.SESSION_COOKIE_NAME
        cookies = {
            user: f"{cookie_name}={c.cookies[cookie_name].value}" for user, c in clients.items()
        }
        in_process = {
            page: _one_request(clients[page.user or "sekretariat"], page.path) for page in pages
        }

        server_env = {**os.environ, **env}
        server_env["PYTHONPATH"] = os.pathsep.join(
            [str(BENCH_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        server = Server(server_env, tmp / "gunicorn.log", args.timeout)
        server.start()
        measure_started = time.perf_counter()
        hello = Page("hello world", "/bench-hello/", None, "hello")
        results = []
        for page in pages:
            hello_load = load(
                server.port,
                hello.path,
                "",
                requests=max(requests, HELLO_MIN_REQUESTS),
                timeout=args.timeout,
                max_failures=10,
            )
            cookie = cookies[page.user] if page.user else ""
            warm_up = load(
                server.port,
                page.path,
                cookie,
                requests=CONCURRENCY,
                timeout=args.timeout,
                max_failures=CONCURRENCY,
            )  # not counted
            if warm_up.failed:
                server.restart()  # no stuck worker at the start of the measurement
            page_load = load(
                server.port,
                page.path,
                cookie,
                requests=requests,
                timeout=args.timeout,
                max_failures=args.max_failures,
                max_seconds=args.max_seconds,
            )
            queries, size, note = in_process[page]
            results.append(Result(page, page_load, hello_load, queries, size, note))
            _say(
                f"  {page.label}: {_dk(page_load.per_second)} req/s, "
                f"failures {page_load.failure_text()}"
            )
            if page_load.failed:
                server.restart()  # a stuck or killed worker must not slow the next page
        measure_s = time.perf_counter() - measure_started
        report(dataset, results, requests)
        _say(
            f"{dataset}: set-up {setup_s:.0f} s, measurement {measure_s:.0f} s, "
            f"total {time.perf_counter() - started:.0f} s"
        )
    except SetupError as error:
        _say(f"SET-UP FAILED: {error}")
        return 1
    finally:
        if server is not None:
            server.stop()
        if dataset in PG_DATABASES and not args.keep_database:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
            try:
                _pg_recreate(args.pg_url, PG_DATABASES[dataset], create=False)
            except Exception as error:  # the set-up error, if any, is the one to see
                _say(f"could not drop {PG_DATABASES[dataset]}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(dataset: str, results: list[Result], requests: int) -> None:
    hellos = sorted(r.hello.per_second for r in results)
    _say(
        f"\n{dataset}: hello world (no session) {_dk(hellos[len(hellos) // 2])} req/s, "
        f"median of {len(hellos)} runs, one before each page "
        f"({_dk(hellos[0])}-{_dk(hellos[-1])})"
    )
    header = (
        f"{'page':<28} {'req/s':>8} {'p50 ms':>9} {'p95 ms':>9} {'share':>7} "
        f"{'queries':>7} {'KB HTML':>8}  failures"
    )
    _say(header)
    _say("-" * len(header))
    for r in results:
        queries = str(r.queries) if r.queries is not None else "-"
        size = _dk(r.html_bytes / 1024) if r.html_bytes is not None else "-"
        _say(
            f"{r.page.label:<28} {_dk(r.load.per_second):>8} {_dk(r.load.percentile(0.5)):>9} "
            f"{_dk(r.load.percentile(0.95)):>9} {_dk(100 * r.share):>6}% {queries:>7} "
            f"{size:>8}  {r.load.failure_text()}{'; ' + r.note if r.note else ''}"
        )
    _say(
        "(share: req/s / the hello world's req/s measured right before the page; "
        "queries and KB: one in-process request)"
    )
    main = [r for r in results if r.page.kind != "hello"]
    targets: list[tuple[str, list[Result]]] = []
    p95 = P95_TARGET_MS[dataset]
    if dataset.startswith("sjaelland"):
        targets.append(
            (
                f"every main page >= {SHARE_TARGET:.0%} of hello world",
                [r for r in main if r.load.failed or r.share < SHARE_TARGET],
            )
        )
    targets.append(
        (
            f"every main page p95 < {p95:g} ms",
            [r for r in main if r.load.failed or not r.load.percentile(0.95) < p95],
        )
    )
    targets.append(
        (
            f"the static page >= {STATIC_SHARE_TARGET:.0%} of hello world",
            [
                r
                for r in main
                if r.page.kind == "static" and (r.load.failed or r.share < STATIC_SHARE_TARGET)
            ],
        )
    )
    for text, missed in targets:
        verdict = (
            "met"
            if not missed
            else f"not met ({len(missed)} of the pages: "
            + ", ".join(r.page.label for r in missed)
            + ")"
        )
        _say(f"target, {dataset}: {text}: {verdict}")


def _git(*args: str) -> str:
    try:
        return subprocess.run(  # noqa: S603 - fixed git arguments
            ["git", *args],  # noqa: S607 - git from PATH, as make does
            cwd=BENCH_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--dataset", choices=(*DATASETS, "all"), default="all")
    parser.add_argument(
        "--requests",
        type=int,
        default=0,
        help="requests per page (default 200 on the Sjælland demo, 20 national)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120.0,
        help="send no more requests to a page after this many seconds",
    )
    parser.add_argument(
        "--max-failures", type=int, default=8, help="stop a page after this many failed requests"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); the bench databases are dropped",
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="leave the PostgreSQL database after the run"
    )
    args = parser.parse_args(argv)
    if args.dataset != "all":
        return run_dataset(args.dataset, args)
    status = 0
    passed = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "all"]
    passed = [a for a in passed if not a.startswith("--dataset")]
    for dataset in DATASETS:
        started = time.perf_counter()
        # One process per dataset: Django is set up once per process, on one database.
        returned = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, *passed, "--dataset", dataset], check=False
        ).returncode
        _say(
            f"({dataset} took {time.perf_counter() - started:.0f} s, "
            f"load average {os.getloadavg()[0]:.1f})\n"
        )
        status = status or returned
    return status


if __name__ == "__main__":
    sys.exit(main())
