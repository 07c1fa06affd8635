"""Receivers of other apps' signals; they schedule work and hold no rule."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def schedule_alignment_check(sender: Any, mission: Any, **kwargs: Any) -> None:
    if getattr(settings, "MISSIONLEAD_CHECKS_AFTER_CHANGES", True):
        from .tasks import request_alignment_check

        request_alignment_check(mission)
