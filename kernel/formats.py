"""How numbers, money, percentages and dates are written for people: each rule once, used by
the template filters (``missions_tags``), the SVG charts and the messages services write.

Dates of people's pages follow ``DAY`` ("26 Nov 2026") and ``MOMENT`` ("26 Nov 2026, 14:05"),
a moment in the time zone active for the request (the person's own, else the
organisation's). The alignment checks write the same ``DAY`` in SQL
(``reviews.checks.dialect``; ``tests/agreement/test_formats.py`` keeps the two the same).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.dateformat import format as date_format

DAY = "j M Y"
MOMENT = "j M Y, H:i"

# Currencies written with their sign; any other ISO 4217 code is written before the amount.
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹"}

Number = int | float | Decimal


def _rounded(value: Number, places: int) -> Decimal:
    """``value`` to ``places`` decimals, halves away from zero (2.345 → 2.35)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Number, *, places: int = 2) -> str:
    """Thousands separated, at most ``places`` decimals, no trailing zeros: 14.70 → "14.7",
    1250 → "1,250", -0.001 → "0"."""
    text = f"{_rounded(value, places):,f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quantity(value: Number, unit: str = "") -> str:
    """A measured value with its unit: "40%" (the sign sits on the number) but "40 beds"."""
    if not unit:
        return number(value)
    return f"{number(value)}{unit}" if unit == "%" else f"{number(value)} {unit}"


def money(amount: Number, currency: str) -> str:
    """An amount in ``currency``, cents only when there are some: "£9,800,000", "£1,250.50",
    "CHF 75", "-€12.30"."""
    cents = _rounded(amount, 2)
    figure = f"{abs(cents):,.0f}" if cents == cents.to_integral_value() else f"{abs(cents):,.2f}"
    symbol = SYMBOLS.get(currency)
    text = f"{symbol}{figure}" if symbol else f"{currency}\u00a0{figure}"
    return f"-{text}" if cents < 0 else text


def percent(ratio: float | None) -> str:
    """A share as a whole percentage, or one decimal below 10%: 0.4567 → "46%",
    0.0147 → "1.5%"; None → "—"."""
    if ratio is None:
        return "—"
    places = 1 if abs(ratio) < 0.1 else 0
    return f"{number(ratio * 100, places=places)}%"


def day(value: dt.date | dt.datetime) -> str:
    """A date for people: "26 Nov 2026"; a moment's day where the reader is."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, DAY)


def moment(value: dt.datetime) -> str:
    """A moment for people, in the active time zone: "26 Nov 2026, 14:05"."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, MOMENT)
