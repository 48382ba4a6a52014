"""
Benchmark: the API's allocation and reach endpoints under load, against /api/v1/me.

A throw-away SQLite database gets the Sjælland demo (`make load`: migrate,
load-sjaelland, load-grants, demo); the year's allocation is computed and
approved (the demo approves none, and the allocation endpoint answers 404
without one), and the secretariat gets a personal read token for a day. The
site is served by gunicorn (2 sync workers) on 127.0.0.1 with the page
benchmark's settings (bench/pages_site: production, DEBUG off, only the HTTPS
redirect turned off). wrk (Debian's package: `apt-get install wrk`) sends the
load with the token in `Authorization: Bearer`, over `--connections`
connections: first `--warm-up` seconds per endpoint that are not counted, then
`--seconds` per endpoint split into `--rounds` interleaved rounds (/me, the
allocation, the reach; each round starts one further), so that other work on
the shared machine weighs on the three alike.

It prints each round, then a table: requests/s, p50 and p99 (wrk's latency
distribution), the responses that were not 2xx, the share of /me's requests/s
(over all rounds, and the lowest and highest in one round) and whether the
target (at least 30 %) is met, with the SQL queries and KB of one in-process
request of each endpoint. A benchmark of refusals is worthless: any response
that is not 2xx, or a socket error, makes the run fail (exit 1), as do a
missing wrk and a failed set-up. A missed target is a figure, not a failure
(exit 0), as in the other benchmarks.

    .venv/bin/python bench/api.py [--year 2024] [--seconds 10] [--rounds 5]
        [--warm-up 2] [--connections 4] [--timeout 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from pages import Server, SetupError, _dk, _git  # noqa: E402 - bench/ on the path first

YEAR = 2024
SHARE_TARGET = 0.30
WRK_MARK = "BENCH-API "

# Counts the responses that are not 2xx in each wrk thread (wrk's own error count
# only sees >= 400) and prints the figures as one JSON line at the end.
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  last_bad = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local bad, status = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if thread:get("last_bad") ~= 0 then status = thread:get("last_bad") end
  end
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, "bad_status": %d, '
    .. '"p50_us": %d, "p99_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    "MARK", summary.requests, summary.duration, summary.bytes, bad, status,
    latency:percentile(50), latency:percentile(99), summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
""".replace("MARK", WRK_MARK)


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    kind: str  # "baseline" (/me) or "measured"


@dataclass(frozen=True)
class Load:
    """What wrk measured for one endpoint."""

    requests: int
    seconds: float
    bytes: int
    non2xx: int
    bad_status: int
    p50_ms: float
    p99_ms: float
    socket_errors: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        return self.non2xx + sum(self.socket_errors.values())

    def failure_text(self) -> str:
        parts = [f"{self.non2xx} non-2xx (e.g. HTTP {self.bad_status})"] if self.non2xx else []
        parts += [f"{n} {kind}" for kind, n in sorted(self.socket_errors.items()) if n]
        return ", ".join(parts) or "0"

    @classmethod
    def merged(cls, loads: list[Load]) -> Load:
        """
        The rounds of one endpoint as one: requests, seconds and failures
        added up; p50 the median of the rounds' p50, p99 the highest p99.
        """
        return cls(
            requests=sum(x.requests for x in loads),
            seconds=sum(x.seconds for x in loads),
            bytes=sum(x.bytes for x in loads),
            non2xx=sum(x.non2xx for x in loads),
            bad_status=next((x.bad_status for x in loads if x.bad_status), 0),
            p50_ms=statistics.median(x.p50_ms for x in loads),
            p99_ms=max(x.p99_ms for x in loads),
            socket_errors={
                kind: sum(x.socket_errors.get(kind, 0) for x in loads)
                for kind in loads[0].socket_errors
            },
        )


def _say(text: str) -> None:
    print(text, flush=True)


# --- the load tool ---------------------------------------------------------------------


def wrk_path() -> str:
    """:raises SetupError: when wrk is not installed (never skip silently)"""
    found = shutil.which("wrk")
    if found is None:
        raise SetupError(
            "wrk is not installed; it is Debian's package: apt-get install wrk "
            "(the benchmark does not run without it)"
        )
    return found


def wrk(
    wrk_bin: str,
    script: Path,
    url: str,
    token: str,
    *,
    seconds: float,
    connections: int,
    timeout: float,
) -> Load:
    """One wrk run of `seconds` against `url` with the bearer token."""
    command = [
        wrk_bin,
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        f"{max(1, round(timeout))}s",
        "--latency",
        "--script",
        str(script),
        "--header",
        f"Authorization: Bearer {token}",
        url,
    ]
    done = subprocess.run(  # noqa: S603 - wrk from PATH with our own arguments
        command, capture_output=True, text=True, check=False, timeout=seconds + timeout + 30
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(WRK_MARK)]
    if done.returncode != 0 or not lines:
        raise SetupError(
            f"wrk failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()[:500]}"
        )
    figures = json.loads(lines[-1].removeprefix(WRK_MARK))
    return Load(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        bytes=figures["bytes"],
        non2xx=figures["non2xx"],
        bad_status=figures["bad_status"],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        socket_errors={k: figures[k] for k in ("connect", "read", "write", "timeout")},
    )


# --- the data --------------------------------------------------------------------------


def _load_data(year: int) -> str:
    """
    The Sjælland demo, the year's run approved; returns a read token of a
    secretariat user (made here: production settings make no demo logins).
    """
    from django.core.management import call_command

    from klynge.accounts.models import Role
    from klynge.accounts.services import Binding, user_create
    from klynge.accounts.services.tokens import token_create
    from klynge.audit.services import Actor
    from klynge.core.cofinancing import AllocationInputError
    from klynge.financing.models import AllocationRun, RunStatus
    from klynge.financing.selectors import AgreementYearError, agreement_for_year
    from klynge.financing.services import (
        ApprovalError,
        allocation_run_approve,
        allocation_run_create,
    )

    for command in ("migrate", "load_sjaelland", "load_grants", "demo"):
        call_command(command, verbosity=0, stdout=io.StringIO())
    actor = Actor.system("bench")
    if not AllocationRun.objects.filter(year=year, status=RunStatus.APPROVED).exists():
        try:
            agreement = agreement_for_year(year=year)
            run = allocation_run_create(actor=actor, agreement=agreement, year=year)
            allocation_run_approve(actor=actor, run=run, confirmed=True)
        except (AgreementYearError, AllocationInputError, ApprovalError) as error:
            raise SetupError(f"the {year} allocation cannot be approved: {error}") from error
    user = user_create(
        actor=actor,
        username="bench-sekretariat",
        password=None,
        full_name="Bench Sekretariat",
        binding=Binding(role=Role.SECRETARIAT),
    )
    _, raw = token_create(actor=actor, user=user, name="bench", scope="read", days=1)
    return raw


def _in_process(path: str, token: str) -> tuple[int, int, Any]:
    """
    Queries, bytes and JSON of one in-process request (after a warm-up).

    :raises SetupError: unless it answers 200
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise SetupError(f"{path} answered HTTP {response.status_code}: {response.content[:300]!r}")
    return len(captured), len(response.content), response.json()


def _check_bodies(bodies: dict[str, Any], year: int) -> None:
    """:raises SetupError: when an endpoint answers 200 with nothing to measure"""
    allocation = bodies["allocation"]
    if allocation.get("status") != "approved" or not allocation.get("lines"):
        raise SetupError(f"the {year} allocation has no approved lines")
    reach = bodies["reach"]
    if not reach.get("count") or not any(r["share_approved"] for r in reach["items"]):
        raise SetupError(f"the {year} reach has no municipality with an approved share")


# --- the run ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    wrk_bin = wrk_path()
    tmp = Path(tempfile.mkdtemp(prefix="klynge-bench-api-"))
    started = time.perf_counter()
    dirty = (
        " (uncommitted changes under src/)" if _git("status", "--porcelain", "--", "src") else ""
    )
    version = subprocess.run(  # noqa: S603 - wrk from PATH, fixed argument
        [wrk_bin, "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    _say(
        f"Klynge API benchmark · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
        f"commit {_git('rev-parse', '--short', 'HEAD')}{dirty} · "
        f"Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"load average {os.getloadavg()[0]:.1f} · {version[0] if version else 'wrk'}"
    )
    _say(
        f"Sjælland demo on SQLite · {args.year} · gunicorn 2 sync workers · "
        f"{args.connections} connections · {args.seconds:g} s per endpoint in "
        f"{args.rounds} rounds, after {args.warm_up:g} s warm-up"
    )
    server: Server | None = None
    keep = False
    try:
        env = {
            "DJANGO_SETTINGS_MODULE": "pages_site.settings",
            "SECRET_KEY": "bench-api-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "KLYNGE_VAR_DIR": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp / 'klynge.sqlite3'}",
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        # The API serves no static files; an empty directory spares whitenoise's warning.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        token = _load_data(args.year)
        endpoints = {
            "me": Endpoint("/api/v1/me (trivial)", "/api/v1/me", "baseline"),
            "allocation": Endpoint(
                f"/api/v1/allocations/{args.year}", f"/api/v1/allocations/{args.year}", "measured"
            ),
            "reach": Endpoint(
                f"/api/v1/reach?year={args.year}", f"/api/v1/reach?year={args.year}", "measured"
            ),
        }
        in_process = {key: _in_process(e.path, token) for key, e in endpoints.items()}
        _check_bodies({key: body for key, (_, _, body) in in_process.items()}, args.year)
        _say(f"set-up (database, demo, approved run, token): {time.perf_counter() - started:.0f} s")

        from django.db import connections

        # The last connection to close checkpoints SQLite's WAL: the server reads a
        # settled database file, as in steady operation.
        connections.close_all()
        script = tmp / "bench.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        server_env = {**os.environ, **env}
        server_env["PYTHONPATH"] = os.pathsep.join(
            [str(BENCH_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        server = Server(server_env, tmp / "gunicorn.log", args.timeout)
        server.start()
        port = server.port

        def measure(key: str, seconds: float) -> Load:
            return wrk(
                wrk_bin,
                script,
                f"http://127.0.0.1:{port}{endpoints[key].path}",
                token,
                seconds=seconds,
                connections=args.connections,
                timeout=args.timeout,
            )

        for key in endpoints:
            warm = measure(key, args.warm_up)
            if warm.failed:
                raise SetupError(f"warm-up of {endpoints[key].path}: {warm.failure_text()}")
        rounds: dict[str, list[Load]] = {key: [] for key in endpoints}
        keys = list(endpoints)
        for number in range(args.rounds):
            # Each round starts with the next endpoint, so none is always first.
            for key in keys[number % len(keys) :] + keys[: number % len(keys)]:
                rounds[key].append(measure(key, args.seconds / args.rounds))
            _say(
                f"  round {number + 1}: "
                + ", ".join(f"{key} {_dk(rounds[key][-1].per_second)} req/s" for key in keys)
                + "".join(
                    f"; {key} FAILURES {rounds[key][-1].failure_text()}"
                    for key in keys
                    if rounds[key][-1].failed
                )
            )
    except SetupError as error:
        _say(f"FAILED: {error}")
        if server is not None:
            keep = True
            _say(f"(gunicorn's log is kept: {tmp / 'gunicorn.log'})")
        return 1
    finally:
        if server is not None:
            server.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return report(endpoints, rounds, in_process, time.perf_counter() - started)


def report(
    endpoints: dict[str, Endpoint],
    rounds: dict[str, list[Load]],
    in_process: dict[str, tuple[int, int, Any]],
    total_s: float,
) -> int:
    loads = {key: Load.merged(found) for key, found in rounds.items()}
    baseline = loads["me"].per_second
    count = len(rounds["me"])
    _say(
        f"\n{count} interleaved rounds, {_dk(loads['me'].seconds / count)} s per endpoint "
        f"and round; baseline /api/v1/me {_dk(baseline)} req/s "
        f"({_dk(min(x.per_second for x in rounds['me']))}-"
        f"{_dk(max(x.per_second for x in rounds['me']))} in the rounds)"
    )
    header = (
        f"{'endpoint':<26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
        f"{'share':>7} {'per round':>13} {'target':>7} {'queries':>7} {'KB':>6}"
    )
    _say(header)
    _say("-" * len(header))
    failed = False
    missed = []
    for key, load in loads.items():
        endpoint = endpoints[key]
        share = load.per_second / baseline if baseline else 0.0
        shares = [
            x.per_second / me.per_second
            for x, me in zip(rounds[key], rounds["me"], strict=True)
            if me.per_second
        ]
        spread = f"{_dk(100 * min(shares), 0)}-{_dk(100 * max(shares), 0)}%" if shares else "-"
        failed = failed or bool(load.failed)
        if endpoint.kind == "baseline":
            verdict, spread = "-", "-"
        elif load.failed or share < SHARE_TARGET:
            verdict = "missed"
            missed.append(endpoint.path)
        else:
            verdict = "met"
        queries, size, _ = in_process[key]
        _say(
            f"{endpoint.label:<26} {_dk(load.per_second):>8} {_dk(load.p50_ms):>8} "
            f"{_dk(load.p99_ms):>8} {load.non2xx:>8} {_dk(100 * share):>6}% {spread:>13} "
            f"{verdict:>7} {queries:>7} {_dk(size / 1024):>6}"
            + (f"  FAILURES: {load.failure_text()}" if load.failed else "")
        )
    _say(
        "(req/s over all rounds; p50: the median of the rounds' p50, p99: the highest "
        "round's p99, from wrk's latency distribution; share: req/s / the baseline's; "
        "per round: the lowest and highest share in one round; queries and KB: one "
        "in-process request)"
    )
    _say(
        f"target: the allocation and the reach >= {SHARE_TARGET:.0%} of /api/v1/me: "
        + ("met" if not missed else "not met (" + ", ".join(missed) + ")")
    )
    _say(f"total {total_s:.0f} s, load average {os.getloadavg()[0]:.1f}")
    if failed:
        _say("FAILED: some responses were not 2xx or the connection failed; see the table")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--year", type=int, default=YEAR, help="the allocation and reach year")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per endpoint, in all"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="interleaved rounds the seconds are split into (whole seconds each)",
    )
    parser.add_argument(
        "--warm-up", type=float, default=2.0, help="seconds of load before each run, not counted"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk's open connections")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600 or not 1 <= args.warm_up <= 60:
        parser.error("--seconds must be 1-600 and --warm-up 1-60")
    if not 1 <= args.rounds <= args.seconds or args.seconds % args.rounds:
        parser.error("--rounds must split --seconds into whole seconds (1 or more each)")
    if not 1 <= args.connections <= 64 or not 1 <= args.timeout <= 120:
        parser.error("--connections must be 1-64 and --timeout 1-120")
    try:
        return run(args)
    except SetupError as error:
        _say(f"FAILED: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
