"""
Benchmark: what every request pays, in-process (issue 11, item 4).

Builds a throw-away SQLite database with the Sjælland demo (register, grants,
demo data), collects the static files, and then, with the production
settings, times GETs of the accessibility statement (/tilgaengelighed/, a
static page) as the logged-in secretariat against a hello-world view
mounted in the same app, interleaved, through Django's WSGI handler (so a
request ends as under a server: request_finished closes or keeps the
connection). Prints the medians, the static page's share of hello world
and each page's queries. Not a test: it exits 0 whatever the figures.

    .venv/bin/python bench/request_cost.py [--requests N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _setup(workdir: Path, database_url: str | None) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="klynge.config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        KLYNGE_VAR_DIR=str(workdir),
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
    )
    import django
    from django.core.management import call_command

    django.setup()
    out = io.StringIO()
    for command in ("migrate", "load_sjaelland", "load_grants", "demo"):
        call_command(command, stdout=out, stderr=out)
    call_command("collectstatic", "--no-input", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--database-url", help="an empty database to fill (default: a temporary SQLite file)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="klynge-request-cost-") as tmp:
        _setup(Path(tmp), args.database_url)

        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.decorators import login_not_required
        from django.core.handlers.wsgi import WSGIHandler
        from django.db import connection
        from django.http import HttpRequest, HttpResponse
        from django.test import Client, RequestFactory
        from django.test.utils import CaptureQueriesContext
        from django.urls import clear_url_caches, path

        from klynge.config import urls

        @login_not_required
        def hello(request: HttpRequest) -> HttpResponse:
            return HttpResponse("hello")

        urls.urlpatterns.append(path("hello/", hello))
        clear_url_caches()

        client = Client()
        client.force_login(get_user_model().objects.get(username="sekretariat"))
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_id}"
        handler = WSGIHandler()
        environ = RequestFactory()._base_environ()  # type: ignore[attr-defined]  # the test defaults

        def get(url: str) -> None:
            env = {
                **environ,
                "PATH_INFO": url,
                "HTTP_COOKIE": cookie,
                "wsgi.url_scheme": "https",
                "SERVER_PORT": "443",
                "wsgi.input": io.BytesIO(b""),
            }
            status: list[str] = []

            def start_response(
                code: str, headers: list[tuple[str, str]], *exc_info: object
            ) -> Callable[[bytes], object]:
                status.append(code)
                return lambda data: None

            body = handler(env, start_response)
            b"".join(body)
            body.close()
            if not status[0].startswith("200"):
                sys.exit(f"{url}: {status[0]}")

        pages = {"hello world": "/hello/", "static page": "/tilgaengelighed/"}
        for _ in range(50):
            for url in pages.values():
                get(url)
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.requests):
            for name, url in pages.items():
                start = time.perf_counter()
                get(url)
                times[name].append(time.perf_counter() - start)

        print(f"{connection.vendor}, {args.requests} interleaved requests per page")
        medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as queries:
                client.get(url, secure=True)
            print(f"  {name:12s} {url:18s} median {medians[name]:6.2f} ms, "
                  f"{len(queries.captured_queries)} queries")  # fmt: skip
        share = medians["hello world"] / medians["static page"]
        print(f"  static page: {share:.0%} of hello world's throughput (target 50 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
