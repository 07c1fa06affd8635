"""How numbers, money, percentages and dates are written for people (kernel.formats)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from kernel import formats


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        pytest.param(Decimal("9800000.00"), "GBP", "£9,800,000", id="whole: no cents"),
        pytest.param(Decimal("5500000"), "GBP", "£5,500,000", id="whole without decimals"),
        pytest.param(Decimal("1250.50"), "GBP", "£1,250.50", id="cents: both digits"),
        pytest.param(Decimal("0.05"), "EUR", "€0.05", id="euro"),
        pytest.param(12, "USD", "$12", id="dollar, an int"),
        pytest.param(Decimal("75"), "CHF", "CHF\u00a075", id="no sign: the code"),
        pytest.param(Decimal("-12.3"), "EUR", "-€12.30", id="negative"),
        pytest.param(Decimal("0.004"), "GBP", "£0", id="less than a cent"),
    ],
)
def test_money(amount, currency, expected) -> None:
    assert formats.money(amount, currency) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("14.70"), "%", "14.7%"),
        (Decimal("15.00"), "%", "15%"),
        (Decimal("1250.0000"), "beds", "1,250 beds"),
        (Decimal("2.345"), "", "2.35"),
        (-0.001, "", "0"),
    ],
)
def test_quantity(value, unit, expected) -> None:
    assert formats.quantity(value, unit) == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(0.4567, "46%"), (0.147, "15%"), (1, "100%"), (0, "0%"), (0.0147, "1.5%"), (None, "—")],
)
def test_percent_has_no_stray_decimals(ratio, expected) -> None:
    assert formats.percent(ratio) == expected


def test_a_day() -> None:
    assert formats.day(dt.date(2026, 11, 26)) == "26 Nov 2026"
    assert formats.day(dt.date(2026, 3, 6)) == "6 Mar 2026"


def test_a_moment_and_its_day_in_the_readers_time_zone() -> None:
    late = dt.datetime(2026, 11, 26, 23, 5, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert formats.moment(late) == "27 Nov 2026, 08:05"
        assert formats.day(late) == "27 Nov 2026"
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert formats.moment(late) == "26 Nov 2026, 18:05"
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        assert formats.moment(dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)) == "1 Jul 2026, 14:05"
