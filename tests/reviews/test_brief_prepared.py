"""Briefs prepared after the nightly checks for the leaders of large parts of the cascade
(``reviews.brief.prepared``): served by the page and the API for the day, read now when asked
or when the leader's standing changed, and never stopped by one leader's failure.

"Large" is lowered to one mission here (``PREPARE_FROM``): the rule is the same at 5,000.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.models import Membership
from missionlead.queues import QUEUES
from reviews import tasks
from reviews.brief import prepared
from reviews.checks import run_checks
from tests.reviews.brief_world import BriefWorld, build
from tests.reviews.test_celery_worker import BROKER_URL, broker  # noqa: F401 (a fixture)
from tests.reviews.test_checks_requested import requested

pytestmark = pytest.mark.django_db


@pytest.fixture
def bw(world, monkeypatch) -> BriefWorld:
    monkeypatch.setattr(prepared, "PREPARE_FROM", 2)
    built = build(world)
    run_checks(organisation=world.organisation)  # the night's check: its subtree snapshots
    return built


def _page(user: Any, query: str = "") -> tuple[str, int]:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/o/acme/brief/{query}")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_leaders_of_large_parts_get_their_brief_prepared(bw: BriefWorld) -> None:
    world = bw.world
    # Board holds three missions with its sub-team, Operations two; staff lead nothing.
    assert set(prepared.leaders_of_large_parts(world.organisation)) == {
        world.leader.pk,
        world.lead.pk,
    }
    assert tasks.brief_prepare.apply(args=[world.organisation.pk]).get() == 2

    live, live_queries = _page(world.leader, "?live=1")
    page, queries = _page(world.leader)
    assert "Prepared at" in page and "Read it as of now" in page
    assert "Prepared at" not in live
    assert queries < live_queries - 5  # the brief's own reads are not made again
    # The same sections either way, as nothing moved since.
    assert bw.beds.name in page and bw.beds.name in live
    staff_page, _ = _page(world.staff)
    assert "Prepared at" not in staff_page  # a small part is read for each request


def test_the_api_says_when_a_brief_was_prepared(bw: BriefWorld) -> None:
    world = bw.world
    prepared.prepare_briefs(world.organisation)
    client = APIClient()
    client.force_authenticate(world.lead)
    kept = client.get("/api/v1/brief/", {"organisation": "acme"}).json()
    now = client.get("/api/v1/brief/", {"organisation": "acme", "live": "1"}).json()
    assert kept["prepared_at"] is not None and now["prepared_at"] is None
    assert kept["sections"] == now["sections"]
    assert timezone.now().isoformat()[:10] in kept["prepared_at"]


def test_a_leader_whose_standing_changed_gets_a_brief_read_now(bw: BriefWorld) -> None:
    world = bw.world
    prepared.prepare_briefs(world.organisation)
    assert "Prepared at" in _page(world.lead)[0]
    Membership.objects.filter(organisation=world.organisation, user=world.lead).update(
        role=Membership.Role.STAFF
    )
    world.team.leader = None
    world.team.save(update_fields=["leader"])
    assert "Prepared at" not in _page(world.lead)[0]


def test_one_leaders_failure_does_not_stop_the_others(bw: BriefWorld, monkeypatch) -> None:
    world = bw.world
    real = prepared.brief_for

    def failing_for_the_ceo(*, actor, **kwargs):
        if actor.user == world.leader:
            raise RuntimeError("a bad row")
        return real(actor=actor, **kwargs)

    monkeypatch.setattr(prepared, "brief_for", failing_for_the_ceo)
    assert prepared.prepare_briefs(world.organisation) == 1
    monkeypatch.undo()
    assert "Prepared at" in _page(world.lead)[0]
    assert "Prepared at" not in _page(world.leader)[0]


@pytest.mark.skipif(not BROKER_URL.startswith("redis"), reason="needs the Redis broker")
def test_the_nightly_check_of_an_organisation_asks_for_its_briefs(world, broker) -> None:  # noqa: F811
    tasks.alignment_check_organisation.apply(args=[world.organisation.pk]).get()
    assert ("reviews.tasks.brief_prepare", [world.organisation.pk]) in requested(broker)
    broker.delete(*QUEUES)
    tasks.alignment_check_organisation.apply(
        args=[world.organisation.pk, world.org_mission.pk]
    ).get()
    assert not [name for name, _ in requested(broker) if name.endswith("brief_prepare")]
