"""A child's operating space fits inside its parent's: the rule, and what a parent leaves.

What a parent mission leaves for one more child — its deadline (else the end of its period),
and its budget and headcount less what its other children that are not archived take — is
worked out here, once. The page that writes a child shows it before anything is typed
(``missions.views.mission``), and the write path refuses a child that asks for more
(``missions.services.missions.mission_check_parent``), with the same figures in its message.
The alignment check ``space_exceeds_parent`` (``reviews.checks.rules``) is its SQL twin over the
stored rows; ``tests/agreement/test_operating_space.py`` gives both the same cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from kernel import formats

from .models import Mission


@dataclass(frozen=True)
class Share:
    """A parent's budget or headcount: its ``limit`` (None: the parent sets none) and what its
    other children ``taken`` together."""

    limit: Decimal | int | None
    taken: Decimal | int

    @property
    def left(self) -> Decimal | int | None:
        """What one more child may still ask for; None when there is no limit."""
        return None if self.limit is None else max(self.limit - self.taken, 0)

    def allows(self, asked: Decimal | int | None) -> bool:
        """Whether a child may ask for ``asked`` (None: it asks for nothing of it)."""
        return self.limit is None or asked is None or self.taken + asked <= self.limit


@dataclass(frozen=True)
class SpaceLeft:
    """What a parent leaves for one more child mission."""

    deadline: dt.date
    budget: Share
    headcount: Share


def space_left(parent: Mission, *, excluding: int | None = None) -> SpaceLeft:
    """What ``parent`` leaves for a child, counting all its children that are not archived but
    ``excluding`` (the child being edited: its own share is what is being decided). One query.

    Under concurrent writes the figures hold only while ``parent`` is locked, as
    ``mission_check_parent`` does before it judges; a page showing them reads them unlocked."""
    others = Mission.objects.filter(parent=parent).exclude(status=Mission.Status.ARCHIVED)
    if excluding is not None:
        others = others.exclude(pk=excluding)
    taken = others.aggregate(budget=models.Sum("budget"), headcount=models.Sum("headcount"))
    return SpaceLeft(
        deadline=parent.deadline or parent.period_end,
        budget=Share(parent.budget, taken["budget"] or 0),
        headcount=Share(parent.headcount, taken["headcount"] or 0),
    )


def space_refusals(mission: Mission, left: SpaceLeft) -> dict[str, str]:
    """Why ``mission`` does not fit in what its parent leaves, by field; empty when it fits.
    Money is written in the organisation's currency (``kernel.formats.money``)."""
    errors: dict[str, str] = {}
    if mission.deadline and mission.deadline > left.deadline:
        errors["deadline"] = (
            f"The deadline is after the parent mission's ({formats.day(left.deadline)})."
        )
    if not left.budget.allows(mission.budget):
        currency = mission.organisation.currency
        errors["budget"] = _too_much("budget", left.budget, lambda v: formats.money(v, currency))
    if not left.headcount.allows(mission.headcount):
        errors["headcount"] = _too_much("headcount", left.headcount, formats.number)
    return errors


def _too_much(name: str, share: Share, written: Callable[[Decimal | int], str]) -> str:
    assert share.limit is not None and share.left is not None, "only a limit refuses"
    return (
        f"The parent mission's {name} is {written(share.limit)}; its other missions take "
        f"{written(share.taken)}, so at most {written(share.left)} is left for this one."
    )
