"""The indicator values and status rules, as hand-worked tables."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klynge.core.kpi import (
    MAX_SHARE,
    Direction,
    Kind,
    KpiValueError,
    Status,
    Thresholds,
    attainment,
    check_value,
    format_value,
    parse_value,
    status,
)

H, L = Direction.HIGHER, Direction.LOWER
DEFAULT = Thresholds()


@pytest.mark.parametrize(
    ("kind", "direction", "target", "actual", "expected"),
    [
        # higher is better, met at 100 %, partly from 80 %
        (Kind.COUNT, H, 100, 100, Status.MET),
        (Kind.COUNT, H, 100, 140, Status.MET),
        (Kind.COUNT, H, 100, 99, Status.PARTLY),
        (Kind.COUNT, H, 100, 80, Status.PARTLY),
        (Kind.COUNT, H, 100, 79, Status.NOT_MET),
        (Kind.COUNT, H, 100, 0, Status.NOT_MET),
        (Kind.COUNT, H, 0, 0, Status.MET),
        (Kind.COUNT, H, 3, 2, Status.NOT_MET),  # 66,7 %
        (Kind.SHARE, H, 5000, 4000, Status.PARTLY),  # 40 % of a 50 % target is 80 %
        (Kind.AMOUNT, H, 100_000_000, 79_999_999, Status.NOT_MET),
        # lower is better: at or below the target is met; partly up to 125 % of it (1/0,8)
        (Kind.COUNT, L, 10, 10, Status.MET),
        (Kind.COUNT, L, 10, 4, Status.MET),
        (Kind.COUNT, L, 10, 0, Status.MET),
        (Kind.COUNT, L, 100, 125, Status.PARTLY),  # 100/125 = 80 %
        (Kind.COUNT, L, 100, 126, Status.NOT_MET),
        (Kind.COUNT, L, 0, 1, Status.NOT_MET),
        # milestones are reached or not; the target does not matter
        (Kind.MILESTONE, H, 1, 1, Status.MET),
        (Kind.MILESTONE, H, 1, 0, Status.NOT_MET),
        (Kind.MILESTONE, H, None, 1, Status.MET),
        # nothing to compare
        (Kind.COUNT, H, None, 50, Status.NO_TARGET),
        (Kind.COUNT, H, 50, None, Status.MISSING),
        (Kind.MILESTONE, H, 1, None, Status.MISSING),
        (Kind.TEXT, H, None, None, Status.NOT_MEASURED),
        (Kind.TEXT, H, 5, 5, Status.NOT_MEASURED),
    ],
)
def test_status_follows_the_target_by_the_thresholds(
    kind: Kind, direction: Direction, target: int | None, actual: int | None, expected: Status
) -> None:
    assert status(kind, direction, target=target, actual=actual) is expected


@pytest.mark.parametrize(
    ("thresholds", "actual", "expected"),
    [
        (Thresholds(met_percent=90, partly_percent=50), 90, Status.MET),
        (Thresholds(met_percent=90, partly_percent=50), 89, Status.PARTLY),
        (Thresholds(met_percent=90, partly_percent=50), 50, Status.PARTLY),
        (Thresholds(met_percent=90, partly_percent=50), 49, Status.NOT_MET),
        (Thresholds(met_percent=100, partly_percent=100), 99, Status.NOT_MET),
    ],
)
def test_the_thresholds_stated_in_the_set_decide(
    thresholds: Thresholds, actual: int, expected: Status
) -> None:
    assert status(Kind.COUNT, H, target=100, actual=actual, thresholds=thresholds) is expected


def test_thresholds_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(met_percent=80, partly_percent=90)
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(met_percent=100, partly_percent=0)


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (Kind.COUNT, "120", 120),
        (Kind.COUNT, " 1.200 ", 1200),
        (Kind.COUNT, "0", 0),
        (Kind.COUNT, "1.000.000.000", 1_000_000_000),
        (Kind.SHARE, "45", 4500),
        (Kind.SHARE, "45,5", 4550),
        (Kind.SHARE, "45,25 %", 4525),
        (Kind.SHARE, "100", 10000),
        (Kind.SHARE, "0,01", 1),
        (Kind.AMOUNT, "1.234,56", 123456),
        (Kind.AMOUNT, "250000 kr.", 25_000_000),
        (Kind.MILESTONE, "ja", 1),
        (Kind.MILESTONE, "Nej", 0),
        (Kind.MILESTONE, "nået", 1),
        (Kind.TEXT, "Tre nye netværk", None),
    ],
)
def test_values_are_read_as_danes_type_them(kind: Kind, text: str, value: int | None) -> None:
    assert parse_value(kind, text) == value


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (Kind.COUNT, "mange", "ikke et helt antal"),
        (Kind.COUNT, "12,5", "ikke et helt antal"),
        (Kind.COUNT, "-3", "ikke et helt antal"),
        (Kind.COUNT, "1e9", "ikke et helt antal"),
        (Kind.COUNT, "²", "ikke et helt antal"),
        (Kind.COUNT, "1.000.000.001", "over 1.000.000.000"),
        (Kind.COUNT, "9" * 5000, "ikke et helt antal"),
        (Kind.COUNT, "", "Skriv en værdi"),
        (Kind.SHARE, "100,01", "over 100 %"),
        (Kind.SHARE, "101", "over 100 %"),
        (Kind.SHARE, "45,123", "højst to decimaler"),
        (Kind.SHARE, "halvdelen", "ikke en procentdel"),
        (Kind.AMOUNT, "1,234", "to decimaler"),
        (Kind.AMOUNT, "-5", "mellem 0 og 10 mia. kr."),
        (Kind.MILESTONE, "måske", "ikke ja eller nej"),
        (Kind.TEXT, "x" * 2001, "længere end 2.000 tegn"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_in_danish(
    kind: Kind, text: str, message: str
) -> None:
    with pytest.raises(KpiValueError, match=message):
        parse_value(kind, text)


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (Kind.COUNT, 1234, "1.234 virksomheder"),
        (Kind.SHARE, 4550, "45,5 %"),
        (Kind.SHARE, 4525, "45,25 %"),
        (Kind.SHARE, 10000, "100,0 %"),
        (Kind.AMOUNT, 123456, "1.234,56 kr."),
        (Kind.MILESTONE, 1, "nået"),
        (Kind.MILESTONE, 0, "ikke nået"),
        (Kind.COUNT, None, "–"),
    ],
)
def test_values_are_shown_in_danish(kind: Kind, value: int | None, shown: str) -> None:
    assert format_value(kind, value, unit="virksomheder") == shown


def test_stored_values_are_checked_against_the_kind() -> None:
    check_value(Kind.SHARE, MAX_SHARE)
    with pytest.raises(KpiValueError):
        check_value(Kind.SHARE, MAX_SHARE + 1)
    with pytest.raises(KpiValueError):
        check_value(Kind.MILESTONE, 2)
    with pytest.raises(KpiValueError):
        check_value(Kind.COUNT, -1)
    with pytest.raises(KpiValueError):
        check_value(Kind.TEXT, 0)


@given(target=st.integers(0, 10**6), actual=st.integers(0, 10**6))
def test_more_is_never_worse_when_higher_is_better(target: int, actual: int) -> None:
    order = [Status.NOT_MET, Status.PARTLY, Status.MET]
    now = status(Kind.COUNT, H, target=target, actual=actual)
    better = status(Kind.COUNT, H, target=target, actual=actual + 1)
    assert order.index(better) >= order.index(now)
    assert attainment(H, target, actual) >= 0


@given(target=st.integers(0, 10**6), actual=st.integers(0, 10**6))
def test_less_is_never_worse_when_lower_is_better(target: int, actual: int) -> None:
    order = [Status.NOT_MET, Status.PARTLY, Status.MET]
    now = status(Kind.COUNT, L, target=target, actual=actual + 1)
    better = status(Kind.COUNT, L, target=target, actual=actual)
    assert order.index(better) >= order.index(now)
    assert (attainment(L, target, actual) >= 1) == (actual <= target)
    assert attainment(H, target, actual) == (Fraction(actual, target) if target else 1)
