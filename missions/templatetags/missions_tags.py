"""Small template helpers for the pages: a dict look-up, and the formats of ``kernel.formats``
(money, measured values, percentages, dates) as filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from kernel import formats

register = template.Library()

NONE = "—"


@register.filter
def dictkey(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ mapping|dictkey:key }}``: a dict look-up with a variable key."""
    return mapping.get(key, [])


@register.filter
def percent(value: float | None) -> str:
    """``{{ share|percent }}``: 0.4567 → "46%"."""
    return formats.percent(value)


@register.filter
def money(value: formats.Number | None, currency: str) -> str:
    """``{{ mission.budget|money:organisation.currency }}``: "£9,800,000", "£1,250.50"."""
    return NONE if value is None or value == "" else formats.money(value, currency)


@register.filter
def number(value: formats.Number | None) -> str:
    """``{{ kpi.weight|number }}``: "1,250", "14.7"."""
    return NONE if value is None or value == "" else formats.number(value)


@register.filter
def quantity(value: formats.Number | None, unit: str = "") -> str:
    """``{{ kpi.target|quantity:kpi.unit }}``: "14.7%", "40 beds"."""
    return NONE if value is None or value == "" else formats.quantity(value, unit)


@register.filter
def day(value: dt.date | None) -> str:
    """``{{ kpi.due_date|day }}``: "26 Nov 2026"."""
    return "" if value is None or value == "" else formats.day(value)


@register.filter
def moment(value: dt.datetime | None) -> str:
    """``{{ event.at|moment }}``: "26 Nov 2026, 14:05" where the reader is."""
    return "" if value is None or value == "" else formats.moment(value)
