"""Holding a review in the browser keeps every field: database, API, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from missions.models import Mission
from reviews.models import Review

from .helpers import (
    api_get,
    assert_changes_every_field,
    audit_events,
    form_data,
    history_changes,
    html_form,
    messages_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world) -> Review:
    """The staff member's aligned mission, its review due today."""
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="aligned")
    return Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())


def test_it_keeps_every_field_of_a_held_review(world, review, client) -> None:
    url = f"/o/acme/reviews/{review.pk}/"
    held_on = timezone.localdate() - dt.timedelta(days=2)
    client.force_login(world.staff)
    page = client.get(url)
    changes = {
        "summary": "Two wards open, a third in March.",
        "working": "Daily huddles.",
        "not_working": "Weekend cover.",
        "changes": "A second rota.",
        "still_aligned": "no",
        "held_on": held_on.isoformat(),
    }
    assert_changes_every_field(html_form(page, "").fields, changes)
    response = client.post(url, {**form_data(page), **changes})
    assert response.status_code == 302, response.context["form"].errors
    cadence = world.organisation.review_cadence_days
    next_due = held_on + dt.timedelta(days=cadence)
    assert messages_of(response) == [
        f"The review is recorded. The next one is due on {next_due:%-d %b %Y}. "
        "The mission goes back to its boss for alignment."
    ]

    stored = Review.objects.get(pk=review.pk)
    assert stored.summary == changes["summary"]
    assert stored.working == changes["working"]
    assert stored.not_working == changes["not_working"]
    assert stored.changes == changes["changes"]
    assert stored.still_aligned is False
    assert stored.held_on == held_on
    assert stored.held_by == world.staff
    assert stored.status == Review.Status.DONE
    mission = Mission.objects.get(pk=world.staff_mission.pk)
    assert mission.alignment_status == "proposed"
    assert mission.next_review_due == next_due
    assert Review.objects.filter(mission=mission, due_date=next_due, status="scheduled").exists()

    api = api_get(world.lead, f"/api/v1/reviews/{review.pk}/")
    for name in ("summary", "working", "not_working", "changes"):
        assert api[name] == changes[name], name
    assert api["still_aligned"] is False
    assert api["held_on"] == held_on.isoformat()
    assert api["held_by"] == world.staff.pk
    assert api["status"] == "done"
    assert api_get(world.lead, f"/api/v1/missions/{mission.pk}/")["alignment_status"] == "proposed"

    (event,) = audit_events(stored)
    assert (event.verb, event.actor, event.mission) == ("reviewed", world.staff, mission)
    assert history_changes(stored) == {
        "summary": ["", changes["summary"]],
        "working": ["", changes["working"]],
        "not_working": ["", changes["not_working"]],
        "changes": ["", changes["changes"]],
        "still_aligned": [None, False],
        "held_on": [None, held_on.isoformat()],
        "status": ["scheduled", "done"],
    }
    assert history_changes(mission)["alignment_status"] == ["aligned", "proposed"]
    assert audit_events(mission)[-1].actor == world.staff
    page = client.get(url).content.decode()
    assert f"held on {held_on:%-d %b %Y} by {world.staff.get_full_name()}" in page


def test_it_keeps_a_review_that_finds_the_mission_still_aligned(world, review, client) -> None:
    url = f"/o/acme/reviews/{review.pk}/"
    client.force_login(world.staff)
    data = form_data(client.get(url))
    response = client.post(url, {**data, "still_aligned": "yes", "summary": "On track."})
    assert response.status_code == 302, response.context["form"].errors

    stored = Review.objects.get(pk=review.pk)
    assert (stored.still_aligned, stored.summary, stored.held_on) == (
        True,
        "On track.",
        timezone.localdate(),
    )
    assert Mission.objects.get(pk=review.mission_id).alignment_status == "aligned"
    api = api_get(world.staff, f"/api/v1/reviews/{review.pk}/")
    assert (api["still_aligned"], api["summary"]) == (True, "On track.")
    assert history_changes(stored)["still_aligned"] == [None, True]
