"""Writing the vision in the browser keeps every field: database, API, history."""

from __future__ import annotations

import datetime as dt

import pytest

from missions.models import Vision

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

URL = "/o/acme/vision/"


def test_it_keeps_every_field_of_the_vision(world, client) -> None:
    client.force_login(world.leader)
    page = client.get(f"{URL}?edit")
    data = form_data(page)
    changes = {
        "purpose": "Keep every neighbourhood healthy.",
        "vision": "Nine in ten patients cared for at home by 2030.",
        "horizon": "2030-12-31",
        "success_picture": "Wards half empty.\nFamilies nearby.",
        "ceo_intent": "Move care out of hospital, district by district.",
    }
    assert_changes_every_field(html_form(page, "").fields, changes)
    response = client.post(URL, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert "The vision is saved." in messages_of(response)

    stored = Vision.objects.get(organisation=world.organisation)
    assert stored.purpose == changes["purpose"]
    assert stored.vision == changes["vision"]
    assert stored.horizon == dt.date(2030, 12, 31)
    assert stored.success_picture == changes["success_picture"]
    assert stored.ceo_intent == changes["ceo_intent"]
    assert stored.updated_by == world.leader

    api = api_get(world.lead, f"/api/v1/visions/{stored.pk}/")
    for name, value in changes.items():
        assert api[name] == value, name

    history = history_changes(stored)
    for name, value in changes.items():
        assert history[name][1] == value, name
    assert [event.actor for event in audit_events(stored)] == [world.leader]
    # The page says who changed it last.
    assert f"by {world.leader.get_full_name()}" in client.get(URL).content.decode()
