"""Asking for the alignment checks after a change to the cascade.

The checks live in the reviews app, above the cascade (they read KPIs and reviews too), so a
service asks for them by the task's name, through the broker, never by importing the app:
``request_alignment_check(mission)`` right after the change it makes. The request leaves when
the transaction commits, and a burst of changes under one parent asks once.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from missionlead.throttling import CACHE_ERRORS

logger = logging.getLogger(__name__)

# The task in reviews.tasks that runs the checks of one subtree (its name is fixed there).
ALIGNMENT_CHECK_TASK = "reviews.tasks.alignment_check_organisation"


def alignment_check_pending_key(organisation_id: int, root_id: int) -> str:
    """The cache key that marks a check of the subtree as asked for and not yet run."""
    return f"alignment-check:{organisation_id}:{root_id}"


def request_alignment_check(mission: Any) -> None:
    """Check the subtree around a changed mission soon, once for a burst of changes.

    The subtree is the parent's: rules compare a mission with its parent and its siblings.
    Nothing happens before the change commits, so a change rolled back (the admin's dry run,
    a refused request) neither asks nor silences the next one. ``MISSIONLEAD_CHECKS_AFTER_CHANGES``
    off (the unit tests) asks for nothing; the nightly run checks everything anyway.
    """
    if not settings.MISSIONLEAD_CHECKS_AFTER_CHANGES:
        return
    root_id = mission.parent_id or mission.pk
    transaction.on_commit(partial(_send_once, mission.organisation_id, root_id))


def _send_once(organisation_id: int, root_id: int) -> None:
    """Send the check of the subtree unless one is already pending (the task clears the mark)."""
    delay = settings.MISSIONLEAD_CHECK_DELAY_SECONDS
    try:
        first = cache.add(alignment_check_pending_key(organisation_id, root_id), 1, delay * 4 + 60)
    except CACHE_ERRORS:
        # The cache is down: ask anyway (a burst then checks more than once, never never).
        logger.warning("cache unavailable: alignment check of %s not debounced", root_id)
        first = True
    if first:
        current_app.send_task(
            ALIGNMENT_CHECK_TASK, args=(organisation_id, root_id), countdown=delay
        )
