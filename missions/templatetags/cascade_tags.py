"""Helpers of the cascade's pages: the initials in an owner's avatar."""

from __future__ import annotations

import re

from django import template

from missions.models import Mission

register = template.Library()

WORDS = re.compile(r"[^\W_]+")  # letters and digits: "A&E" is two words, "O'Neil" too


def initials(name: str) -> str:
    """The first letters of a name's first and last words, in capitals: "Ann Lee" → "AL",
    "Night Nursing" → "NN", "Board" → "B"; "?" for a name without a letter."""
    words = WORDS.findall(name)
    if not words:
        return "?"
    first, last = words[0], words[-1]
    return (first[0] + (last[0] if len(words) > 1 else "")).upper()


@register.filter
def owner_initials(mission: Mission) -> str:
    """``{{ mission|owner_initials }}``: the initials of its owner, a person or a team."""
    return initials(mission.owner_display)
