"""Reusable filters of check-ins, without side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, Expression, OuterRef

if TYPE_CHECKING:
    from .models import CheckIn

# The order in which check-ins happened: the date the value describes, then when it was
# written (two readings of one day: the later one counts).
ORDER = ("recorded_on", "created_at", "id")


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def _standing(self) -> Expression:
        # The one statement of the rule (see ``standing``): NOT EXISTS a correction of it.
        return ~Exists(self.model._default_manager.filter(supersedes=OuterRef("pk")))

    def standing(self) -> CheckInQuerySet:
        """The check-ins that count: those no correction supersedes.

        A correction is a new check-in that supersedes an earlier one, which stays in the
        history (struck through) but counts no more: not for the latest value, the progress,
        the forecast, the charts or the value at a review. Every figure of a KPI is read from
        these, in SQL, so the same rule holds in a subquery (the value at a date), a sliced
        prefetch (the sparklines) and a plain list.
        """
        return self.filter(self._standing())

    def with_standing(self) -> CheckInQuerySet:
        """Every check-in, each marked ``is_standing`` by the same rule: for a history that
        shows the corrected readings too, and draws its chart from the others."""
        return self.annotate(is_standing=self._standing())

    def in_order(self) -> CheckInQuerySet:
        """Oldest first: the order a KPI's history and its figures are computed in."""
        return self.order_by(*ORDER)

    def newest_first(self) -> CheckInQuerySet:
        return self.order_by(*(f"-{name}" for name in ORDER))

    def current(self) -> CheckIn | None:
        """The check-in a KPI stands at now: the latest that counts (on one KPI's check-ins,
        e.g. ``kpi.check_ins.current()``). One query."""
        return self.standing().newest_first().first()
