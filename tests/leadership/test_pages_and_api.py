"""The stakeholder pages and API: what each shows and refuses, and what they cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.permissions import actor_for
from leadership import services
from leadership.models import Stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def mapped(world, n: int, *, mission=None) -> None:
    """``n`` people on ``staff_mission``'s map (or ``mission``'s), half of them members."""
    actor = actor_for(world.staff, world.organisation)
    people = [world.lead, world.leader, world.coach, world.org_admin]
    for i in range(n):
        services.stakeholder_create(
            actor=actor,
            mission=mission or world.staff_mission,
            data={
                "name": f"Group {i}",
                "member": people[i % 4] if i % 2 else None,
                "why": "They matter.",
                "influence": 1 + i % 5,
                "interest": 1 + (i * 3) % 5,
                "stance": (i % 5) - 2,
                "desired_stance": 1,
                "plan_owner": world.lead,
                "next_contact_on": TODAY - dt.timedelta(days=i % 3),
            },
        )


def map_url(world) -> str:
    return reverse("leadership:mission-map", kwargs={"org": "acme", "pk": world.staff_mission.pk})


def test_the_map_draws_every_stakeholder_and_lists_them(world) -> None:
    mapped(world, 3)
    page = browser(world.staff).get(map_url(world)).content.decode()
    assert page.count('<tr id="stakeholder-') == 3
    assert 'aria-labelledby="mission-map-title mission-map-desc"' in page
    assert "Manage closely" in page and "Keep informed" in page
    assert page.count("<circle") >= 3 + 5  # a dot each, and the legend's five


def test_the_map_costs_the_same_for_3_or_30_stakeholders(
    world, django_assert_max_num_queries
) -> None:
    client = browser(world.staff)
    mapped(world, 3)
    client.get(map_url(world))
    with django_assert_max_num_queries(100) as few:
        client.get(map_url(world))
    mapped(world, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(map_url(world))
    influence = reverse("leadership:influence", kwargs={"org": "acme"})
    lead = browser(world.lead)
    with django_assert_max_num_queries(100) as plans:
        lead.get(influence)
    mapped(world, 10)
    with django_assert_max_num_queries(len(plans.captured_queries)):
        lead.get(influence)


def test_a_form_with_bad_input_says_why_and_keeps_nothing(world) -> None:
    response = browser(world.staff).post(
        map_url(world),
        {
            "name": "",
            "why": "",
            "influence": "9",
            "interest": "3",
            "stance": "0",
            "desired_stance": "1",
            "member": "nobody-here",
            "next_contact_on": "2400-01-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No member of this organisation has that name" in page
    assert "This field is required." in page  # why they matter
    assert "Give a date up to 31 Dec 2100." in page
    assert not Stakeholder.objects.exists()


def test_the_plan_owner_logs_a_contact_on_the_page(world) -> None:
    mapped(world, 1)
    stakeholder = Stakeholder.objects.get()
    url = reverse("leadership:contact-create", kwargs={"org": "acme", "pk": stakeholder.pk})
    lead = browser(world.lead)
    refused = lead.post(
        url, {"contacted_on": "", "channel": "call", "note": "", "stance_after": "1"}
    )
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    done = lead.post(
        url,
        {
            "contacted_on": TODAY.isoformat(),
            "channel": "call",
            "note": "Agreed.",
            "stance_after": "2",
        },
    )
    assert done.status_code == 302
    stakeholder.refresh_from_db()
    assert stakeholder.stance == 2
    page = lead.get(stakeholder.get_absolute_url()).content.decode()
    assert "Agreed." in page and "logged a contact with it" in page


def test_the_api_creates_reads_and_logs_contacts(world) -> None:
    client = api(world.staff)
    refused = client.post(
        "/api/v1/stakeholders/",
        {
            "organisation": world.organisation.pk,
            "mission": world.staff_mission.pk,
            "name": "x" * 201,
            "influence": 7,
            "interest": 3,
            "why": "",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert {"name", "influence", "why"} <= set(refused.json())
    created = client.post(
        "/api/v1/stakeholders/",
        {
            "organisation": world.organisation.pk,
            "mission": world.staff_mission.pk,
            "name": "Local GPs",
            "why": "They refer patients.",
            "influence": 4,
            "interest": 2,
            "stance": -1,
            "desired_stance": 1,
            "plan_owner": world.leader.pk,
            "cadence_days": 14,
            "next_contact_on": TODAY.isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["quadrant"] == "Keep satisfied" and body["leader"] is None
    pk = body["id"]
    # Another organisation's mission is not there to map.
    other = client.post(
        "/api/v1/stakeholders/",
        {
            "organisation": world.organisation.pk,
            "mission": world.other_mission.pk,
            "name": "x",
            "why": "y",
            "influence": 1,
            "interest": 1,
        },
        format="json",
    )
    assert other.status_code == 400 and "mission" in other.json()
    # The plan's owner logs a contact; the coach does not know the stakeholder exists.
    logged = api(world.leader).post(
        f"/api/v1/stakeholders/{pk}/contacts/",
        {"contacted_on": TODAY.isoformat(), "note": "Wrote to them.", "stance_after": 0},
        format="json",
    )
    assert logged.status_code == 201, logged.json()
    assert api(world.coach).get(f"/api/v1/stakeholders/{pk}/").status_code == 404
    assert api(world.coach).get("/api/v1/stakeholders/").json()["count"] == 0
    read = client.get(f"/api/v1/stakeholders/{pk}/").json()
    assert read["stance"] == 0
    assert read["next_contact_on"] == (TODAY + dt.timedelta(days=14)).isoformat()
    # The plan's owner (ceo: not a keeper of staff's map) may not rewrite the analysis.
    assert (
        api(world.leader).patch(f"/api/v1/stakeholders/{pk}/", {"influence": 1}).status_code == 403
    )
    moved = client.patch(
        f"/api/v1/stakeholders/{pk}/", {"mission": world.team_mission.pk}, format="json"
    )
    assert moved.status_code == 400 and "mission" in moved.json()


def test_the_api_keeps_a_persons_own_map(world) -> None:
    created = api(world.coach).post(
        "/api/v1/stakeholders/",
        {
            "organisation": world.organisation.pk,
            "name": "Union rep",
            "why": "Trust.",
            "influence": 3,
            "interest": 4,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["leader"] == world.coach.pk
    assert (
        api(world.org_admin).get(f"/api/v1/stakeholders/{created.json()['id']}/").status_code == 404
    )
