"""Activating a time zone by name, for the request being answered."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone


def activate(name: str) -> bool:
    """Activate time zone ``name``; False (and nothing changed) when it is empty or unknown."""
    if not name:
        return False
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
