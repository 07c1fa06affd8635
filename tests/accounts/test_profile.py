"""The profile: name, email, time zone; dates shown in the person's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Profile
from kernel.models import Notification

pytestmark = pytest.mark.django_db


def test_a_person_saves_their_profile(world, client) -> None:
    client.force_login(world.staff)
    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "Sam",
            "last_name": "Ortiz",
            "email": "sam@example.org",
            "time_zone": "America/New_York",
        },
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert (world.staff.first_name, world.staff.last_name, world.staff.email) == (
        "Sam",
        "Ortiz",
        "sam@example.org",
    )
    assert Profile.objects.get(user=world.staff).time_zone == "America/New_York"
    page = client.get("/accounts/profile/").content.decode()
    assert 'value="America/New_York" selected' in page


def test_a_bad_time_zone_is_refused(world, client) -> None:
    client.force_login(world.staff)
    response = client.post(
        "/accounts/profile/", {"email": "s@example.org", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert not Profile.objects.filter(user=world.staff).exists()


def _notification_at_midnight_utc(world) -> None:
    note = Notification.objects.create(
        organisation=world.organisation,
        recipient=world.staff,
        kind=Notification.Kind.ALIGNED,
        message="Aligned.",
        mission=world.staff_mission,
    )
    at = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    Notification.objects.filter(pk=note.pk).update(created_at=at)


def test_times_show_in_the_persons_time_zone_else_the_organisations(world, client) -> None:
    _notification_at_midnight_utc(world)
    client.force_login(world.staff)
    assert "1 Mar" in client.get("/o/acme/notifications/").content.decode()  # UTC
    world.organisation.time_zone = "Asia/Tokyo"  # 08:30 on 2 March
    world.organisation.save()
    assert "2 Mar" in client.get("/o/acme/notifications/").content.decode()
    client.post(
        "/accounts/profile/",
        {"email": "s@example.org", "time_zone": "America/Los_Angeles"},  # 15:30 on 1 March
    )
    page = client.get("/o/acme/notifications/").content.decode()
    assert "1 Mar" in page and "2 Mar" not in page
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request
