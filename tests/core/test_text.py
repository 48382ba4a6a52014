"""Digits, control characters and escapes in text from files and terminals."""

from __future__ import annotations

import pytest

from klynge.core.text import escape_controls, first_control, is_digits, without_controls


@pytest.mark.parametrize(
    ("text", "digits"),
    [("0123", True), ("7", True), ("", False), ("²", False), ("4²00", False), ("٣", False),
     ("１２", False), ("12 ", False), ("-1", False), ("1.0", False)],
)  # fmt: skip
def test_only_the_digits_0_to_9_are_digits(text: str, digits: bool) -> None:
    assert is_digits(text) is digits
    assert ("²".isdigit(), "١".isdigit()) == (True, True)  # why str.isdigit is not used


@pytest.mark.parametrize(
    ("text", "found"),
    [("Æblegården ApS", None), ("a\x00b", (2, "U+0000")), ("\x1b[2J", (1, "U+001B")),
     ("ok\x7f", (3, "U+007F")), ("x\x9b31m", (2, "U+009B")), ("abc\u202egpj.exe", (4, "U+202E")),
     ("linje\nto", (6, "U+000A")), ("tab\there", (4, "U+0009"))],
)  # fmt: skip
def test_control_characters_are_found_with_their_position(text: str, found) -> None:
    assert first_control(text) == found


def test_allowed_control_characters_are_passed_over() -> None:
    assert first_control("a\tb\nc", allowed="\t\n") is None
    assert first_control("a\tb\x1b", allowed="\t") == (4, "U+001B")


def test_escapes_make_every_control_character_visible_and_keep_the_rest() -> None:
    assert escape_controls("\x1b[31mRød\x1b[0m\x00") == "\\x1b[31mRød\\x1b[0m\\x00"
    assert escape_controls("a\u202eb\x9b") == "a\\u202eb\\x9b"
    assert escape_controls("to\nlinjer\tmed tab", keep="\n\t") == "to\nlinjer\tmed tab"
    assert escape_controls("Æøå") == "Æøå"


def test_text_for_a_spreadsheet_has_no_control_characters_xml_cannot_hold() -> None:
    assert without_controls("A\x00B\x1bC\x0bD") == "A\ufffdB\ufffdC\ufffdD"
    assert without_controls("to\nlinjer\tog\r") == "to\nlinjer\tog\r"
