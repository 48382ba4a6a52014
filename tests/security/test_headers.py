"""
Headers: no caching of anything a signed-in user gets, and static files with
the pages' security headers (#12, ASVS 5.0 V3.4, V14.3).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from tests.security.conftest import ANONYMOUS, ROLES, World
from tests.security.test_permission_matrix import MATRIX, url_pattern_names

SIGNED_IN = tuple(role for role in ROLES if role != ANONYMOUS)


@pytest.mark.django_db
def test_every_response_to_a_signed_in_user_says_no_store(
    world: World, clients: dict[str, Client]
) -> None:
    """
    Every URL of the URL configuration, as every role: pages, downloads, redirects, refusals.

    The URLs come from the URL configuration; the permission matrix says how
    to call each (one test, so the matrix's world is built once).
    """
    names = sorted(url_pattern_names())
    assert set(names) <= set(MATRIX), "URL patterns without a permission-matrix entry"
    missing = {}
    for name in names:
        entry = MATRIX[name]
        url = entry.url(world)
        for role in SIGNED_IN:
            response = getattr(clients[role], entry.method)(url, entry.data or {})
            if "no-store" not in response.get("Cache-Control", ""):
                missing[name, role] = (response.status_code, response.get("Cache-Control"))

    assert len(names) > 60
    assert missing == {}


@pytest.mark.django_db
def test_downloads_say_no_store(world: World, clients: dict[str, Client]) -> None:
    """XLSX, CSV, PDF and ZIP answers to the secretariat, checked by their content type."""
    urls = [
        "/fordeling/2024/eksport.csv",
        "/fordeling/2024/eksport.xlsx",
        f"/scenarier/{world.scenario_pk}/eksport.xlsx",
        "/opkraevninger/2024/breve.zip",
        f"/opkraevninger/nr/{world.greve_request_pk}/brev.pdf",
        "/deltagelse/deltagere/eksport.xlsx",
        f"/deltagelse/indlaesning/{world.refused_batch_pk}/fejl.csv",
    ]
    seen = set()
    for url in urls:
        response = clients["sekretariat"].get(url)
        assert response.status_code == 200, url
        seen.add(response["Content-Type"].split(";")[0])
        assert "no-store" in response["Cache-Control"], url

    assert {"text/csv", "application/pdf", "application/zip"} <= seen


@pytest.mark.django_db
def test_the_admin_says_no_store_to_a_superuser(world: World) -> None:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("drift", password="x-y-z-123"))

    assert "no-store" in client.get("/admin/").get("Cache-Control", "")


@pytest.mark.django_db
def test_the_answer_to_a_logout_says_no_store(clients: dict[str, Client]) -> None:
    response = clients["greve"].post("/log-ud/")

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_static_files_carry_the_security_headers_of_a_page(tmp_path: Path) -> None:
    """Production settings, whitenoise as in production (serving from the apps' folders here)."""
    (tmp_path / "static_site.py").write_text(
        textwrap.dedent(
            """
            from klynge.config.settings.production import *  # noqa: F403

            WHITENOISE_USE_FINDERS = True
            WHITENOISE_AUTOREFRESH = True
            STORAGES = {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                },
            }
            """
        )
    )
    (tmp_path / "static").mkdir()
    script = textwrap.dedent(
        """
        import json, django
        django.setup()
        from django.test import Client
        client = Client()
        page = client.post("/sprog/", {"language": "da", "next": "/"}, secure=True)
        static = client.get("/static/klynge/app.css", secure=True)
        print(json.dumps({"page": [page.status_code, dict(page.headers)],
                          "static": [static.status_code, dict(static.headers)]}))
        """
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "static_site",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver",
        "KLYNGE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])
    (page_status, page), (static_status, static) = answers["page"], answers["static"]

    assert (page_status, static_status) == (302, 200)
    assert static["Content-Type"].startswith("text/css")
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Strict-Transport-Security",
    ):
        assert header in page, header
        assert static.get(header) == page[header], header
    assert "frame-ancestors 'none'" in static["Content-Security-Policy"]
