"""
Request bodies are bounded before anything reads them (#12, ASVS 5.0 V4/V5).

RequestBodyLimitMiddleware is first in MIDDLEWARE: a body over its limit gets
HTTP 413 and is never read, so Django's CSRF check cannot parse it into a
temporary file. Without a Content-Length, the body is counted as it is read
and reading stops just past the limit.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.participation.files import csv_bytes, row
from tests.security.test_permission_matrix import url_pattern_names

from klynge.common.middleware import _megabytes
from klynge.participation.models import ImportBatch

pytestmark = pytest.mark.django_db

BOUNDARY = "klyngegraense"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
HUNDRED_MB = 100 * 1024 * 1024


class Body:
    """
    A multipart body with one file of `size` bytes, made as it is read, never held.

    It counts what is read, and notes the files in `watch` each time it is
    read, so a temporary file written while the body is parsed is seen.
    """

    def __init__(self, size: int, watch: Path) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="stor.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0
        self.watch = watch
        self.seen: set[str] = set()

    def read(self, size: int | None = -1) -> bytes:
        self.seen |= set(os.listdir(self.watch))
        start = self.position
        end = self.length if size is None or size < 0 else min(self.length, start + size)
        self.position = end
        tail_start = self.length - len(self.tail)
        out = bytearray()
        for i in range(start, min(end, len(self.head))):
            out.append(self.head[i])
        filler = max(0, min(end, tail_start) - max(start, len(self.head)))
        out += b"x" * filler
        for i in range(max(start, tail_start), end):
            out.append(self.tail[i - tail_start])
        return bytes(out)

    def readline(self, size: int | None = -1) -> bytes:
        return self.read(size)


@pytest.fixture
def upload_dir(settings, tmp_path: Path) -> Path:
    """The directory Django writes temporary upload files to, empty at the start."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def anonymous_with_csrf_cookie(demo) -> Client:
    """An anonymous client holding only the login page's CSRF cookie, as a browser would."""
    client = Client(enforce_csrf_checks=True)
    assert client.get("/log-ind/").status_code == 200
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def post(client: Client, path: str, body: Body, **meta: object):
    return client.generic(
        "POST", path, b"", **{"CONTENT_TYPE": MULTIPART, "wsgi.input": body, **meta}
    )


def test_an_anonymous_oversized_post_to_the_login_page_is_refused_before_it_is_read(
    demo, upload_dir: Path
) -> None:
    client = anonymous_with_csrf_cookie(demo)
    body = Body(HUNDRED_MB, watch=upload_dir)

    response = post(client, "/log-ind/", body, CONTENT_LENGTH=str(body.length))

    html = response.content.decode()
    assert response.status_code == 413
    assert "Der blev sendt for meget" in html and "grænsen er 1 MB" in html
    assert "dkfds.min.css" in html  # in the site's layout
    assert body.position == 0  # not a byte read
    assert body.seen == set() and list(upload_dir.iterdir()) == []


def test_an_oversized_post_without_a_length_is_counted_and_refused_past_the_limit(
    demo, upload_dir: Path
) -> None:
    """A chunked body (the server marks its end, as gunicorn does) stops just past 1 MB."""
    client = anonymous_with_csrf_cookie(demo)
    body = Body(HUNDRED_MB, watch=upload_dir)

    response = post(client, "/log-ind/", body, **{"wsgi.input_terminated": True})

    assert response.status_code == 413
    assert "større end grænsen på 1 MB" in response.content.decode()
    assert (
        settings.KLYNGE_REQUEST_MAX_BYTES < body.position <= settings.KLYNGE_REQUEST_MAX_BYTES + 1
    )
    assert body.seen == set() and list(upload_dir.iterdir()) == []


def test_without_the_limit_the_csrf_check_would_write_the_body_to_a_temporary_file(
    demo, upload_dir: Path, settings
) -> None:
    """The attack the limit stops, and proof that the tests above would see it."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("BodyLimitMiddleware")]
    client = anonymous_with_csrf_cookie(demo)
    body = Body(3 * settings.FILE_UPLOAD_MAX_MEMORY_SIZE // 2, watch=upload_dir)

    response = post(client, "/log-ind/", body, CONTENT_LENGTH=str(body.length))

    assert response.status_code == 403  # refused by the CSRF check, after it read it all
    assert body.position == body.length
    assert body.seen, "no temporary file was written"


def test_a_small_body_without_a_length_is_read_and_handed_on(demo) -> None:
    """Counting does not lose a body: a chunked login within the limit logs in."""
    data = b"username=greve&password=klynge-demo"

    response = Client().generic(
        "POST",
        "/log-ind/",
        b"",
        **{
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "wsgi.input": io.BytesIO(data),
            "wsgi.input_terminated": True,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_permitted_upload_still_works_on_the_import_url(login_as) -> None:
    """A file over the small limit but within KLYNGE_IMPORT_MAX_MB reaches the import."""
    rows = [row(**{"Aktivitets-id": f"S-{i}"}) for i in range(9_000)]
    data = csv_bytes(rows)
    assert settings.KLYNGE_REQUEST_MAX_BYTES < len(data) < settings.KLYNGE_IMPORT_MAX_BYTES
    client = login_as("sekretariat")
    office = client.get("/deltagelse/indlaesning/").context["form"].fields["office"].queryset[0]

    response = client.post(
        "/deltagelse/indlaesning/",
        {"office": office.pk, "file": SimpleUploadedFile("deltagere.csv", data)},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ImportBatch.objects.get().size_bytes == len(data)


def test_the_same_size_is_refused_on_any_other_url(login_as) -> None:
    data = b"x" * (settings.KLYNGE_REQUEST_MAX_BYTES + 1)

    response = login_as("sekretariat").post(
        "/scenarier/", data, content_type="application/octet-stream"
    )

    assert response.status_code == 413
    assert "grænsen er 1 MB" in response.content.decode()


def test_the_upload_urls_are_named_in_the_url_configuration() -> None:
    names = set(settings.KLYNGE_UPLOAD_URL_NAMES)
    assert names - {"api:participation-import"} <= url_pattern_names()
    assert reverse("api:participation-import") == "/api/v1/participation-imports"
    assert names == {"imports", "payments-import", "contract-document", "api:participation-import"}


def test_djangos_own_limits_are_no_looser_than_the_body_limit() -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.KLYNGE_REQUEST_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE > settings.KLYNGE_REQUEST_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 10


@pytest.mark.parametrize(
    ("size", "shown"),
    [(1_000_000, "1"), (50_000_000, "50"), (50_400_000, "50,4"), (50_000_001, "50,1")],
)
def test_sizes_are_shown_in_mb_rounded_up(size: int, shown: str) -> None:
    assert _megabytes(size) == shown
