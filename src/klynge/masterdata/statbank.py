"""
The client of Statistics Denmark's StatBank API: FOLK1A population figures.

One POST to KLYNGE_STATBANK_URL/data with the JSON body of
`klynge.core.statbank.request_body`; the answer is read in chunks up to
`MAX_RESPONSE_BYTES` and then checked by `parse_folk1a_csv`. A timeout, a
lost connection, HTTP 429 or a 5xx answer is tried again, at most
KLYNGE_STATBANK_ATTEMPTS times in all, waiting 1, 2, 4 ... seconds between
attempts; any other failure ends at once. Every failure is a
`StatbankError` with a Danish message that says what happened and that
nothing is stored.

Tests (and the web page's tests) give an `httpx.MockTransport`: either as
the `transport` argument or by setting `TRANSPORT` in this module.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx
from django.conf import settings
from django.utils import timezone

from klynge.core.statbank import (
    MAX_RESPONSE_BYTES,
    TABLE,
    Quarter,
    StatbankFormatError,
    parse_folk1a_csv,
    request_body,
)

TRANSPORT: httpx.BaseTransport | None = None  # None: the network; tests set a MockTransport
SLEEP: Callable[[float], None] = time.sleep
BACKOFF_SECONDS = 1
MAX_BACKOFF_SECONDS = 30
MAX_ATTEMPTS = 6
MAX_TIMEOUT_SECONDS = 120
# A web request waits at most 2 × 10 s + 1 s of backoff: under gunicorn's 30 s timeout.
WEB_ATTEMPTS = 2
WEB_TIMEOUT_SECONDS = 10
NOTHING_STORED = "Intet er gemt."


class StatbankError(Exception):
    """The figures could not be fetched or used; the message says why (Danish)."""


@dataclass(frozen=True)
class StatbankAnswer:
    """A checked FOLK1A answer: the figures and how they were obtained."""

    table: str
    quarter: Quarter
    request_url: str
    request_body: dict[str, object]
    response_text: str
    response_sha256: str
    figures: dict[str, int]  # municipality code → population on quarter.first_day
    fetched_at: datetime


def data_url() -> str:
    return str(settings.KLYNGE_STATBANK_URL).rstrip("/") + "/data"


class _RetryableError(Exception):
    """An attempt that may succeed if tried again; the message is the Danish reason."""


def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise StatbankError(
                "Svaret fra Statistikbanken er for stort og er afvist. " + NOTHING_STORED
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _http_error_text(status: int, raw: bytes) -> str:
    detail = ""
    try:
        data = json.loads(raw.decode("utf-8", errors="replace"))
        if isinstance(data, dict):
            detail = str(data.get("message") or data.get("errorTypeCode") or "")
    except ValueError:
        detail = raw.decode("utf-8", errors="replace").strip()
    detail = " ".join(detail.split())[:300]
    return f"Statistikbanken svarede med HTTP-status {status}" + (f": {detail}" if detail else "")


def _attempt(client: httpx.Client, url: str, body: dict[str, object]) -> bytes:
    try:
        with client.stream("POST", url, json=body) as response:
            raw = _read_limited(response)
    except httpx.TimeoutException:
        raise _RetryableError("Statistikbanken svarede ikke i tide (timeout).") from None
    except httpx.TransportError as error:
        raise _RetryableError(
            "Statistikbanken kan ikke nås; der er måske ingen forbindelse til internettet "
            f"({type(error).__name__})."
        ) from None
    if response.status_code == 429 or response.status_code >= 500:
        raise _RetryableError(_http_error_text(response.status_code, raw) + ".")
    if response.status_code != 200:
        raise StatbankError(_http_error_text(response.status_code, raw) + ". " + NOTHING_STORED)
    return raw


def fetch_folk1a(
    *,
    municipalities: Mapping[str, str],
    quarter: Quarter,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
    attempts: int | None = None,
    timeout: float | None = None,
) -> StatbankAnswer:
    """
    FOLK1A's population of `municipalities` ({code: name}) on `quarter`'s first day.

    `attempts` and `timeout` (seconds per attempt) default to the settings; a
    web request passes smaller ones so the page answers before the server's
    worker timeout.

    :raises StatbankError: when StatBank cannot be reached after the retries,
        answers with an error, or gives an answer `parse_folk1a_csv` refuses
    """
    try:
        body = request_body(list(municipalities), quarter)
    except StatbankFormatError as error:
        raise StatbankError(f"{error} {NOTHING_STORED}") from None
    url = data_url()
    tries = attempts if attempts is not None else int(settings.KLYNGE_STATBANK_ATTEMPTS)
    tries = max(1, min(tries, MAX_ATTEMPTS))
    seconds = timeout if timeout is not None else int(settings.KLYNGE_STATBANK_TIMEOUT)
    seconds = max(1, min(seconds, MAX_TIMEOUT_SECONDS))
    wait = sleep or SLEEP
    raw = b""
    with httpx.Client(
        transport=transport or TRANSPORT,
        timeout=httpx.Timeout(seconds),
        follow_redirects=False,
        headers={"Accept": "text/csv, application/json"},
    ) as client:
        for attempt in range(1, tries + 1):
            try:
                raw = _attempt(client, url, body)
                break
            except _RetryableError as retry:
                if attempt == tries:
                    raise StatbankError(
                        f"{retry} Prøvet {tries} gange; prøv igen senere. {NOTHING_STORED}"
                    ) from None
                wait(min(BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))
    try:
        figures = parse_folk1a_csv(raw, quarter=quarter, municipalities=municipalities)
    except StatbankFormatError as error:
        message = str(error)
        if NOTHING_STORED not in message:
            message = f"{message} {NOTHING_STORED}"
        raise StatbankError(message) from None
    return StatbankAnswer(
        table=TABLE,
        quarter=quarter,
        request_url=url,
        request_body=body,
        response_text=raw.decode("utf-8-sig"),
        response_sha256=hashlib.sha256(raw).hexdigest(),
        figures=figures,
        fetched_at=timezone.now(),
    )
