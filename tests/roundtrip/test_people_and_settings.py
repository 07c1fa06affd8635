"""The organisation admin's forms keep what they say: a member's role and team, and the
organisation's settings (database, API, history)."""

from __future__ import annotations

import pytest

from kernel.models import Membership, Organisation, Team

from .helpers import api_get, form_data, history_changes

pytestmark = pytest.mark.django_db


def test_it_keeps_a_members_role_team_and_job_title(world, client) -> None:
    membership = Membership.objects.get(organisation=world.organisation, user=world.staff)
    pharmacy = Team.objects.create(
        organisation=world.organisation, name="Pharmacy", parent=world.top_team
    )
    client.force_login(world.org_admin)
    url = f"/o/acme/people/{membership.pk}/"
    changes = {"role": "leader", "team": str(pharmacy.pk), "job_title": "Chief pharmacist"}
    response = client.post(url, {**form_data(client.get(url)), **changes})
    assert response.status_code == 302, response.context["form"].errors
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.role, stored.team, stored.job_title) == ("leader", pharmacy, "Chief pharmacist")
    history = history_changes(stored)
    assert history["role"] == ["staff", "leader"] and history["team"][1] == pharmacy.pk


def test_it_keeps_every_organisation_setting(world, client) -> None:
    client.force_login(world.org_admin)
    url = "/o/acme/settings/"
    changes = {
        "name": "Acme Health Trust",
        "review_cadence_days": "45",
        "max_active_missions": "3",
        "likely_miss_below": "0.4",
        "currency": "GBP",
        "time_zone": "Europe/London",
    }
    data = {**form_data(client.get(url)), **changes}
    data.pop("staff_see_dashboard", None)  # unticked
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    stored = Organisation.objects.get(pk=world.organisation.pk)
    assert stored.name == "Acme Health Trust"
    assert (stored.review_cadence_days, stored.max_active_missions) == (45, 3)
    assert (stored.currency, stored.time_zone, stored.staff_see_dashboard) == (
        "GBP",
        "Europe/London",
        False,
    )
    api = api_get(world.org_admin, f"/api/v1/organisations/{stored.pk}/")
    assert api["name"] == "Acme Health Trust" and api["currency"] == "GBP"
    assert api["time_zone"] == "Europe/London" and api["staff_see_dashboard"] is False
    assert stored.likely_miss_below == api["likely_miss_below"] == 0.4
    history = history_changes(stored)
    assert set(history) >= {"name", "review_cadence_days", "max_active_missions", "currency"}
    assert history["staff_see_dashboard"] == [True, False]


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "euro"), ("time_zone", "Mars/Olympus"), ("review_cadence_days", "0")],
)
def test_a_bad_setting_is_refused_and_nothing_changes(world, client, field, value) -> None:
    client.force_login(world.org_admin)
    url = "/o/acme/settings/"
    response = client.post(url, {**form_data(client.get(url)), field: value, "name": "Renamed"})
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Health"


def test_the_likely_miss_setting_stays_between_0_and_1(world, client) -> None:
    client.force_login(world.org_admin)
    url = "/o/acme/settings/"
    data = {**form_data(client.get(url)), "likely_miss_below": "1.5"}
    response = client.post(url, data)
    assert "likely_miss_below" in response.context["form"].errors
    assert Organisation.objects.get(pk=world.organisation.pk).likely_miss_below == 0.3
