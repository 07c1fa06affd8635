"""The brief on the demo organisation, as ``seed_demo`` builds it: ceo, lead and staff each hear
of their part of the cascade, and every sentence links to evidence they may open."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from kernel.models import Organisation
from kernel.permissions import actor_for
from reviews.brief import brief_for

pytestmark = pytest.mark.django_db


def test_ceo_lead_and_staff_each_get_a_brief_whose_links_all_open() -> None:
    call_command("seed_demo", stdout=StringIO())
    organisation = Organisation.objects.get(slug="demo")
    users = get_user_model().objects
    moved = {}
    for name in ("ceo", "lead", "staff"):
        user = users.get(username=name)
        brief = brief_for(actor=actor_for(user, organisation))
        assert not brief.owns_nothing, name
        items = [item for section in brief.sections for item in section.items]
        assert items, name
        moved[name] = next(s for s in brief.sections if s.key == "moved").total
        client = Client()
        client.force_login(user)
        for item in items:
            assert client.get(item.url.split("#")[0]).status_code == 200, (name, item)
    # The CEO's part holds the lead's, which holds the staff member's.
    assert moved["ceo"] >= moved["lead"] >= moved["staff"] >= 1
