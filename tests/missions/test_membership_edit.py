"""A member's role, team and job title on the People page's edit form, through
``membership_set``: a save on an older version is refused with who changed it, keeping what
was typed; bad input comes back on its field with nothing written; only the admin may."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kernel.models import AuditEvent, Membership
from tests.roundtrip.helpers import form_data

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def membership(world: Any) -> Membership:
    return Membership.objects.get(organisation=world.organisation, user=world.staff)


def _url(membership: Membership) -> str:
    return f"/o/acme/people/{membership.pk}/"


def test_a_save_on_an_older_version_is_refused_and_names_who_changed_it(
    world: Any, membership: Membership
) -> None:
    world.org_admin.first_name, world.org_admin.last_name = "Ada", "Admin"
    world.org_admin.save()
    first, second = _client(world.org_admin), _client(world.org_admin)
    read_first = form_data(first.get(_url(membership)))
    read_second = form_data(second.get(_url(membership)))
    saved = second.post(_url(membership), {**read_second, "job_title": "Ward nurse"})
    assert saved.status_code == 302

    response = first.post(_url(membership), {**read_first, "role": "leader"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Ada Admin changed this membership a moment ago" in text
    membership.refresh_from_db()
    assert (membership.role, membership.job_title) == ("staff", "Ward nurse")
    # Saving again, knowing, stores the form as it stands (the role, and the old job title).
    again = form_data(response)
    assert again["role"] == "leader"
    assert first.post(_url(membership), again).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "leader"


def test_bad_input_comes_back_on_its_field_and_nothing_is_written(
    world: Any, membership: Membership
) -> None:
    client = _client(world.org_admin)
    data = form_data(client.get(_url(membership)))
    response = client.post(_url(membership), {**data, "role": "king", "team": "No such team"})
    assert response.status_code == 400
    assert {"role", "team"} <= set(response.context["form"].errors)
    membership.refresh_from_db()
    assert (membership.role, membership.team) == ("staff", world.team)
    assert not AuditEvent.objects.filter(
        object_id=membership.pk, verb=AuditEvent.Verb.UPDATED
    ).exists()


def test_only_the_admin_may_and_the_page_costs_a_fixed_number_of_queries(
    world: Any, membership: Membership, django_assert_max_num_queries: Any
) -> None:
    for user in (world.leader, world.lead, world.staff, world.coach):
        assert _client(user).get(_url(membership)).status_code == 403
    assert _client(world.outsider).get(_url(membership)).status_code == 404
    client = _client(world.org_admin)
    data = form_data(client.get(_url(membership)))
    with django_assert_max_num_queries(12):
        assert client.get(_url(membership)).status_code == 200
    # The save: the membership locked, the team picked, the model's checks, the update, the
    # history, and the savepoints around them.
    with django_assert_max_num_queries(31):
        assert client.post(_url(membership), {**data, "job_title": "Nurse"}).status_code == 302
