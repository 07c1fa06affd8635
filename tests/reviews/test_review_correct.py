"""Correcting a held review's notes (``review_correct``): stored, attributed in the history and
said on the review's page ("Corrected by … on …"); a save on an older version is refused with
who changed it; bad input comes back on its field with nothing written; a review not held
cannot be corrected; only who may edit the mission sees the link and the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kernel.models import AuditEvent
from reviews.models import Review
from reviews.services import review_complete
from tests.roundtrip.helpers import api_get, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world: Any) -> Review:
    due = Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())
    return review_complete(
        review=due,
        data={
            "summary": "Two wards open.",
            "working": "Rotas.",
            "not_working": "Transport.",
            "changes": "Book transport a week ahead.",
            "still_aligned": True,
            "held_on": timezone.localdate() - dt.timedelta(days=1),
        },
        by=world.staff,
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(review: Review) -> str:
    return f"/o/acme/reviews/{review.pk}/correct/"


def test_the_lead_corrects_a_held_review_and_it_is_attributed(world: Any, review: Review) -> None:
    world.lead.first_name, world.lead.last_name = "Lee", "Adams"
    world.lead.save()
    client = _client(world.lead)
    data = form_data(client.get(_url(review)))
    response = client.post(_url(review), {**data, "summary": "Three wards open."})
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/reviews/{review.pk}/"

    stored = Review.objects.get(pk=review.pk)
    assert (stored.summary, stored.working) == ("Three wards open.", "Rotas.")
    # What the review did stays as held.
    assert (stored.status, stored.still_aligned, stored.held_by) == ("done", True, world.staff)
    assert api_get(world.staff, f"/api/v1/reviews/{review.pk}/")["summary"] == "Three wards open."
    event = AuditEvent.objects.get(object_id=review.pk, verb=AuditEvent.Verb.UPDATED)
    assert (event.actor, event.mission_id) == (world.lead, world.staff_mission.pk)
    assert event.changes == {"summary": ["Two wards open.", "Three wards open."]}
    page = client.get(f"/o/acme/reviews/{review.pk}/").content.decode()
    assert "Corrected by Lee Adams on" in page
    assert "Three wards open." in page


def test_a_save_on_an_older_version_is_refused_and_names_who_changed_it(
    world: Any, review: Review
) -> None:
    staff, lead = _client(world.staff), _client(world.lead)
    read_by_staff = form_data(staff.get(_url(review)))
    read_by_lead = form_data(lead.get(_url(review)))
    assert lead.post(_url(review), {**read_by_lead, "working": "Rotas, mostly."}).status_code == 302
    response = staff.post(_url(review), {**read_by_staff, "summary": "Three wards."})
    assert response.status_code == 409
    assert "changed this review a moment ago" in response.content.decode()
    stored = Review.objects.get(pk=review.pk)
    assert (stored.summary, stored.working) == ("Two wards open.", "Rotas, mostly.")


def test_bad_input_comes_back_on_its_field_and_nothing_is_written(
    world: Any, review: Review
) -> None:
    client = _client(world.staff)
    data = form_data(client.get(_url(review)))
    response = client.post(_url(review), {**data, "summary": "x" * 5001})
    assert response.status_code == 400
    assert "summary" in response.context["form"].errors
    assert Review.objects.get(pk=review.pk).summary == "Two wards open."
    assert not AuditEvent.objects.filter(object_id=review.pk, verb=AuditEvent.Verb.UPDATED).exists()


def test_a_review_not_held_is_not_corrected(world: Any) -> None:
    due = Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())
    client = _client(world.staff)
    assert client.get(_url(due)).status_code == 302
    response = client.post(_url(due), {"summary": "Early."})
    assert response.status_code == 302
    assert Review.objects.get(pk=due.pk).summary == ""
    assert "Correct the review" not in client.get(f"/o/acme/reviews/{due.pk}/").content.decode()


def test_only_who_may_edit_the_mission_sees_the_link_and_the_page(
    world: Any, review: Review
) -> None:
    for user in (world.staff, world.lead, world.org_admin):
        page = _client(user).get(f"/o/acme/reviews/{review.pk}/").content.decode()
        assert "Correct the review" in page
    for user in (world.leader, world.coach):
        page = _client(user).get(f"/o/acme/reviews/{review.pk}/").content.decode()
        assert "Correct the review" not in page
        assert _client(user).get(_url(review)).status_code == 403
        assert _client(user).post(_url(review), {"summary": "Mine."}).status_code == 403
    assert _client(world.outsider).get(_url(review)).status_code == 404
    assert Review.objects.get(pk=review.pk).summary == "Two wards open."


def test_the_pages_cost_a_fixed_number_of_queries(
    world: Any, review: Review, django_assert_max_num_queries: Any
) -> None:
    client = _client(world.staff)
    data = form_data(client.get(_url(review)))
    with django_assert_max_num_queries(12):
        assert client.get(_url(review)).status_code == 200
    # The save: the review locked, the model's checks (one a unique constraint, the
    # (organisation, id) key among them), the update, the history, savepoints.
    with django_assert_max_num_queries(26):
        assert client.post(_url(review), {**data, "summary": "Again."}).status_code == 302
