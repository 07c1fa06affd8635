"""A change to the cascade asks for the alignment checks of its subtree by name, on commit.

The requests go to the real Redis broker that ``make test`` starts; the queue is read back
from Redis. That a requested check runs and resolves a finding through a real worker is
``test_celery_worker.test_a_change_is_checked_through_the_worker``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from measures.services import kpi_create
from missionlead.queues import QUEUES
from missions.services import mission_update
from missions.services.checks import ALIGNMENT_CHECK_TASK
from reviews import tasks
from tests.reviews.test_celery_worker import BROKER_URL, broker  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER_URL.startswith("redis"), reason="needs the Redis broker"),
]


@pytest.fixture
def checks_after_changes(settings):
    settings.MISSIONLEAD_CHECKS_AFTER_CHANGES = True
    settings.MISSIONLEAD_CHECK_DELAY_SECONDS = 30
    cache.clear()  # no request of an earlier test still pending


def requested(broker) -> list[tuple[str, list]]:  # noqa: F811
    """The tasks waiting in the workload queues: (name, positional arguments)."""
    found = []
    waiting = [raw for queue in QUEUES for raw in broker.lrange(queue, 0, -1)]
    for raw in waiting:
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], args))
    return found


def kpi_data(**extra):
    return {
        "name": "Orders shipped",
        "unit": "orders",
        "direction": "increase",
        "baseline": Decimal("0"),
        "target": Decimal("100"),
        "due_date": timezone.localdate() + dt.timedelta(days=90),
        "cadence_days": 30,
        "weight": 1,
        **extra,
    }


def test_the_task_asked_for_by_name_is_the_one_that_runs_the_checks() -> None:
    assert tasks.alignment_check_organisation.name == ALIGNMENT_CHECK_TASK


def test_a_burst_of_changes_under_one_parent_asks_once_after_commit(
    world,
    broker,  # noqa: F811
    checks_after_changes,
) -> None:
    mission = world.staff_mission
    with transaction.atomic():
        mission_update(mission=mission, data={"title": "Ship faster"}, by=world.staff)
        kpi_create(mission=mission, data=kpi_data(), by=world.staff)
        mission_update(mission=mission, data={"intent": "Customers wait"}, by=world.staff)
        assert requested(broker) == []  # nothing leaves before the change is committed
    queued = requested(broker)
    assert len(queued) == 1
    # The subtree checked is the parent's: the mission is compared with its siblings.
    assert queued == [(ALIGNMENT_CHECK_TASK, [world.organisation.pk, mission.parent_id])]


def test_a_change_rolled_back_asks_for_nothing(
    world,
    broker,  # noqa: F811
    checks_after_changes,
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        mission_update(mission=world.staff_mission, data={"title": "Ship faster"}, by=world.staff)
        raise RuntimeError("the request fails after the change")
    assert requested(broker) == []


def test_a_change_after_one_rolled_back_is_still_checked(
    world,
    broker,  # noqa: F811
    checks_after_changes,
) -> None:
    """A rolled-back change (the admin's dry run, a refused request) asks for nothing and
    keeps nothing that would silence the next change's request."""
    with pytest.raises(RuntimeError), transaction.atomic():
        mission_update(mission=world.staff_mission, data={"title": "Ship faster"}, by=world.staff)
        raise RuntimeError("the request fails after the change")
    mission_update(mission=world.staff_mission, data={"title": "Ship sooner"}, by=world.staff)
    mission = world.staff_mission
    assert requested(broker) == [(ALIGNMENT_CHECK_TASK, [world.organisation.pk, mission.parent_id])]


def test_with_checks_after_changes_off_nothing_is_asked(world, broker, settings) -> None:  # noqa: F811
    settings.MISSIONLEAD_CHECKS_AFTER_CHANGES = False
    mission_update(mission=world.staff_mission, data={"title": "Ship faster"}, by=world.staff)
    assert requested(broker) == []
