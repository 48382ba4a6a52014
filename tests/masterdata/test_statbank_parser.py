"""Reading FOLK1A's CSV answer: the recorded good answers, and every bad one refused."""

from __future__ import annotations

from datetime import date

import pytest
from tests.masterdata.statbank_fixtures import GOOD, recorded, shipped_2021, sjaelland

from klynge.core.statbank import (
    MAX_RESPONSE_BYTES,
    Quarter,
    StatbankFormatError,
    parse_folk1a_csv,
    parse_quarter,
    request_body,
)

Q2021 = Quarter(2021, 1)


def test_the_fixture_is_the_shipped_2021_column_which_sums_to_838_840() -> None:
    shipped = shipped_2021()
    assert len(shipped) == 17
    assert sum(shipped.values()) == 838_840


@pytest.mark.parametrize("name", [GOOD, "folk1a_2021K1_value.csv"])
def test_a_recorded_answer_gives_the_shipped_2021_figures(name: str) -> None:
    figures = parse_folk1a_csv(recorded(name), quarter=Q2021, municipalities=sjaelland())

    assert figures == shipped_2021()
    assert sum(figures.values()) == 838_840
    assert figures["253"] == 50_514  # Greve, matched by code or by name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad_empty.csv", "Svaret fra Statistikbanken er tomt"),
        ("bad_header_only.csv", "ingen tal, kun overskriften"),
        ("bad_truncated.csv", "afkortet eller forkert opbygget: linje 17 har 3 felter"),
        ("bad_missing_municipality.csv", "tallet mangler for 350 Lejre"),
        ("bad_duplicate.csv", "259 Køge står der to gange"),
        ("bad_wrong_table.csv", "ikke fra tabel FOLK1A"),
        ("bad_wrong_quarter.csv", "gælder '2021K2', ikke 2021K1"),
        ("bad_not_a_number.csv", "for 253 Greve er '..', ikke et helt tal"),
        ("bad_api_error.json", "Tabellen blev ikke fundet: FOLK1X"),
    ],
)
def test_a_bad_answer_is_refused_with_its_reason(name: str, reason: str) -> None:
    with pytest.raises(StatbankFormatError, match=reason):
        parse_folk1a_csv(recorded(name), quarter=Q2021, municipalities=sjaelland())


def test_an_answer_cut_inside_the_last_number_is_refused() -> None:
    cut = recorded(GOOD).rstrip()[:-2]  # Vordingborg's 45268 becomes 452

    with pytest.raises(StatbankFormatError, match="452 for 390 Vordingborg er urimeligt"):
        parse_folk1a_csv(cut, quarter=Q2021, municipalities=sjaelland())


def test_a_municipality_not_asked_for_is_refused() -> None:
    asked = {code: name for code, name in sjaelland().items() if code != "253"}

    with pytest.raises(StatbankFormatError, match="kommunekode 253 blev der ikke bedt om"):
        parse_folk1a_csv(recorded(GOOD), quarter=Q2021, municipalities=asked)


def test_an_oversized_answer_is_refused_before_it_is_read() -> None:
    huge = recorded(GOOD) + b"x" * MAX_RESPONSE_BYTES

    with pytest.raises(StatbankFormatError, match=r"større end 1\.000\.000 byte"):
        parse_folk1a_csv(huge, quarter=Q2021, municipalities=sjaelland())


def test_an_answer_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(StatbankFormatError, match="ikke UTF-8"):
        parse_folk1a_csv(recorded(GOOD).replace("ø".encode(), b"\xf8"), quarter=Q2021,
                         municipalities=sjaelland())  # fmt: skip


@pytest.mark.parametrize(
    ("text", "first_day"),
    [("2025K1", date(2025, 1, 1)), ("2024k2", date(2024, 4, 1)), (" 2020K4 ", date(2020, 10, 1))],
)
def test_a_quarter_is_its_first_day(text: str, first_day: date) -> None:
    assert parse_quarter(text).first_day == first_day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025K5", "ikke skrevet som ÅÅÅÅKn"),
        ("2025Q1", "ikke skrevet som ÅÅÅÅKn"),
        ("25K1", "ikke skrevet som ÅÅÅÅKn"),
        ("2025K1x", "ikke skrevet som ÅÅÅÅKn"),
        ("", "ikke skrevet som ÅÅÅÅKn"),
        ("2007K4", "uden for årene 2008-2100"),
        ("2101K1", "uden for årene 2008-2100"),
    ],
)
def test_a_bad_quarter_is_refused(text: str, reason: str) -> None:
    with pytest.raises(StatbankFormatError, match=reason):
        parse_quarter(text)


def test_the_request_asks_for_the_totals_of_one_quarter_by_code() -> None:
    body = request_body(["259", "253"], Quarter(2025, 1))

    assert body["table"] == "FOLK1A"
    assert (body["format"], body["lang"], body["valuePresentation"]) == (
        "CSV",
        "da",
        "CodeAndValue",
    )
    assert body["variables"] == [
        {"code": "OMRÅDE", "values": ["253", "259"]},
        {"code": "KØN", "values": ["TOT"]},
        {"code": "ALDER", "values": ["IALT"]},
        {"code": "CIVILSTAND", "values": ["TOT"]},
        {"code": "Tid", "values": ["2025K1"]},
    ]
