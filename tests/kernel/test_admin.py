"""The admin of people's email choices: listed, searched, added and changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kernel.models import NotificationPreference
from tests.missions.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_email_choices_open_in_the_admin(client, world) -> None:
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    choice = NotificationPreference.objects.create(
        user=world.staff, kind="finding", channel="at_once"
    )
    base = "admin:kernel_notificationpreference"
    listing = client.get(reverse(f"{base}_changelist"), {"q": "staff"})
    assert listing.status_code == 200 and "Alignment finding" in listing.content.decode()
    assert client.get(reverse(f"{base}_add")).status_code == 200
    assert client.get(reverse(f"{base}_change", args=[choice.pk])).status_code == 200
