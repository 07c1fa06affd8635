"""Review rules, enforced by the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from reviews.models import Review

pytestmark = pytest.mark.django_db


def test_one_review_per_mission_and_cycle(world) -> None:
    Review.objects.create(mission=world.team_mission, due_date=dt.date(2026, 2, 1))
    with pytest.raises(IntegrityError, match="one_per_cycle"):
        Review.objects.create(mission=world.team_mission, due_date=dt.date(2026, 2, 1))


def test_a_done_review_has_a_date_and_a_valid_status(world) -> None:
    with transaction.atomic(), pytest.raises(IntegrityError, match="done_has_date"):
        Review.objects.create(
            mission=world.team_mission, due_date=dt.date(2026, 2, 1), status="done"
        )
    with transaction.atomic(), pytest.raises(IntegrityError, match="status_valid"):
        Review.objects.create(
            mission=world.team_mission, due_date=dt.date(2026, 3, 1), status="late"
        )
