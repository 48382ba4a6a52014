"""The StatBank client against recorded answers served by httpx.MockTransport."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from tests.masterdata.statbank_fixtures import GOOD, Recorder, recorded, shipped_2021, sjaelland

from klynge.core.statbank import MAX_RESPONSE_BYTES, Quarter
from klynge.masterdata.statbank import StatbankAnswer, StatbankError, fetch_folk1a

Q2021 = Quarter(2021, 1)


def _fetch(recorder: Recorder, sleeps: list[float] | None = None) -> StatbankAnswer:
    waits = [] if sleeps is None else sleeps
    return fetch_folk1a(
        municipalities=sjaelland(), quarter=Q2021, transport=recorder.transport,
        sleep=waits.append,
    )  # fmt: skip


def test_a_recorded_answer_is_fetched_and_read(settings) -> None:
    settings.KLYNGE_STATBANK_URL = "https://statbank.example/v1/"
    recorder = Recorder(recorded(GOOD))

    answer = _fetch(recorder)

    assert answer.figures == shipped_2021()
    assert sum(answer.figures.values()) == 838_840
    assert answer.response_sha256 == hashlib.sha256(recorded(GOOD)).hexdigest()
    assert answer.request_url == "https://statbank.example/v1/data"
    request = recorder.requests[0]
    assert (request.method, str(request.url)) == ("POST", "https://statbank.example/v1/data")
    body = recorder.body()
    assert body["table"] == "FOLK1A" and body["format"] == "CSV"
    assert {"code": "Tid", "values": ["2021K1"]} in body["variables"]  # type: ignore[operator]
    assert len(body["variables"][0]["values"]) == 17  # type: ignore[index]
    assert request.extensions["timeout"]["read"] == 20.0  # KLYNGE_STATBANK_TIMEOUT


def test_the_caller_may_ask_for_fewer_attempts_and_a_shorter_timeout() -> None:
    recorder = Recorder(503)

    with pytest.raises(StatbankError, match="Prøvet 2 gange"):
        fetch_folk1a(
            municipalities=sjaelland(), quarter=Q2021, transport=recorder.transport,
            attempts=2, timeout=5,
        )  # fmt: skip

    assert len(recorder.requests) == 2
    assert recorder.requests[0].extensions["timeout"]["read"] == 5.0


def test_a_server_error_is_tried_again_with_backoff_then_succeeds() -> None:
    recorder = Recorder(503, 502, recorded(GOOD))
    sleeps: list[float] = []

    answer = _fetch(recorder, sleeps)

    assert len(recorder.requests) == 3
    assert sleeps == [1.0, 2.0]
    assert answer.figures["370"] == 83_181


def test_a_server_that_keeps_failing_ends_with_the_status_after_the_attempts(settings) -> None:
    settings.KLYNGE_STATBANK_ATTEMPTS = 4
    recorder = Recorder(500)
    sleeps: list[float] = []

    with pytest.raises(StatbankError) as caught:
        _fetch(recorder, sleeps)

    assert len(recorder.requests) == 4 and sleeps == [1.0, 2.0, 4.0]
    assert str(caught.value) == (
        "Statistikbanken svarede med HTTP-status 500: Serverfejl. Prøvet 4 gange; "
        "prøv igen senere. Intet er gemt."
    )


def test_a_timeout_is_tried_again_and_then_told() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    recorder = Recorder(slow)

    with pytest.raises(StatbankError, match=r"svarede ikke i tide \(timeout\)\. Prøvet 3 gange"):
        _fetch(recorder)
    assert len(recorder.requests) == 3


def test_offline_gives_a_clear_message() -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    with pytest.raises(StatbankError) as caught:
        _fetch(Recorder(offline))

    message = str(caught.value)
    assert message.startswith("Statistikbanken kan ikke nås; der er måske ingen forbindelse")
    assert message.endswith("Intet er gemt.")


def test_the_test_suite_itself_is_offline() -> None:
    """Without a transport of its own a test gets the conftest's offline MockTransport."""
    with pytest.raises(StatbankError, match="kan ikke nås"):
        fetch_folk1a(municipalities=sjaelland(), quarter=Q2021)


def test_a_bad_request_is_not_tried_again_and_its_message_is_shown() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=recorded("bad_api_error.json"))

    recorder = Recorder(refused)

    with pytest.raises(StatbankError) as caught:
        _fetch(recorder)

    assert len(recorder.requests) == 1
    assert str(caught.value) == (
        "Statistikbanken svarede med HTTP-status 400: Tabellen blev ikke fundet: FOLK1X. "
        "Intet er gemt."
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad_empty.csv", "tomt"),
        ("bad_truncated.csv", "afkortet"),
        ("bad_missing_municipality.csv", "mangler for 350 Lejre"),
        ("bad_wrong_table.csv", "ikke fra tabel FOLK1A"),
        ("bad_api_error.json", "Tabellen blev ikke fundet"),
    ],
)
def test_a_bad_recorded_answer_is_refused_and_nothing_stored(name: str, reason: str) -> None:
    with pytest.raises(StatbankError, match=reason) as caught:
        _fetch(Recorder(recorded(name)))

    assert str(caught.value).endswith("Intet er gemt.")


def test_an_oversized_answer_is_cut_off_while_it_is_read() -> None:
    def stream(request: httpx.Request) -> httpx.Response:
        chunks = (b"x" * 100_000 for _ in range(MAX_RESPONSE_BYTES // 100_000 + 5))
        return httpx.Response(200, content=chunks)

    with pytest.raises(StatbankError, match="for stort"):
        _fetch(Recorder(stream))
