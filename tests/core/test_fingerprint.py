"""Fingerprints of allocation inputs: equal inputs, equal fingerprint."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klynge.core.fingerprint import canonical_json, fingerprint

INPUTS = {
    "år": 2024,
    "kontor": "Sorø",
    "beløb": 2_500_000,
    "deltagere": ["316", "340", "370"],
    "indbyggertal": {"340": 30_000, "370": 70_001},
}


def test_canonical_json_sorts_keys_and_has_no_spaces():
    assert canonical_json({"b": [1, 2], "a": {"d": 1, "c": None}}) == (
        '{"a":{"c":null,"d":1},"b":[1,2]}'
    )


def test_canonical_json_keeps_danish_letters_as_they_are():
    text = canonical_json({"navn": "Sorø", "by": "Næstved", "å": "Å"})
    assert text == '{"by":"Næstved","navn":"Sorø","å":"Å"}'
    assert "\\u" not in text
    assert " " not in canonical_json(INPUTS)


def test_same_inputs_in_a_different_key_order_have_the_same_fingerprint():
    reordered = {
        "indbyggertal": {"370": 70_001, "340": 30_000},
        "deltagere": ["316", "340", "370"],
        "beløb": 2_500_000,
        "kontor": "Sorø",
        "år": 2024,
    }
    assert canonical_json(reordered) == canonical_json(INPUTS)
    assert fingerprint(reordered) == fingerprint(INPUTS)


def test_fingerprint_is_the_sha256_hex_of_the_utf8_canonical_json():
    expected = hashlib.sha256(canonical_json(INPUTS).encode("utf-8")).hexdigest()
    assert fingerprint(INPUTS) == expected
    assert len(fingerprint(INPUTS)) == 64
    assert fingerprint({}) == hashlib.sha256(b"{}").hexdigest()


@pytest.mark.parametrize(
    "changed",
    [
        {**INPUTS, "år": 2025},  # a value changes
        {**INPUTS, "kontor": "Soro"},  # one letter changes
        {**INPUTS, "beløb": 2_500_001},  # one øre more
        {**INPUTS, "beløb": "2500000"},  # same digits, other type
        {**INPUTS, "beløb": 2_500_000.0},  # int and float are written differently
        {**INPUTS, "deltagere": ["316", "370", "340"]},  # list order matters
        {**INPUTS, "deltagere": ["316", "340"]},  # one participant less
        {**INPUTS, "indbyggertal": {"340": 30_000, "370": 70_002}},  # a nested value
        {**INPUTS, "ny": None},  # a key added, even with null
        {key: value for key, value in INPUTS.items() if key != "kontor"},  # a key removed
    ],
)
def test_any_change_to_the_inputs_changes_the_fingerprint(changed):
    assert fingerprint(changed) != fingerprint(INPUTS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=100)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=8), st.randoms())
def test_fingerprint_ignores_key_order_and_canonical_json_reads_back(value, random):
    items = list(value.items())
    random.shuffle(items)
    shuffled = dict(items)
    assert fingerprint(shuffled) == fingerprint(value)
    assert json.loads(canonical_json(value)) == value
