"""Small template helpers for the missions pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dictkey(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ mapping|dictkey:key }}``: a dict look-up with a variable key."""
    return mapping.get(key, [])


@register.filter
def percent(value: float | None) -> str:
    """0.4567 → "46%"."""
    return "—" if value is None else f"{round(value * 100)}%"
