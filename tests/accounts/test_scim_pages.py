"""The organisation admins' page for SCIM tokens (``/o/<org>/people/provisioning/``): an admin
makes a token and sees its key once, lists and revokes the organisation's tokens; nobody else
gets there, and no admin reaches another organisation's tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import ScimToken
from accounts.scim.tokens import scim_token_create, scim_token_digest
from kernel.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGE = "/o/acme/people/provisioning/"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_is_linked_from_the_people_page(world: Any) -> None:
    page = signed_in(world.org_admin).get("/o/acme/people/").content.decode()
    assert 'href="/o/acme/people/provisioning/"' in page
    assert "Provisioning (SCIM)" in page


def test_an_admin_makes_a_token_and_sees_it_once(world: Any) -> None:
    admin = signed_in(world.org_admin)
    response = admin.post(PAGE, {"name": "Okta production"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = re.search(r'value="(scim_[^"]+)"', response.content.decode()).group(1)  # type: ignore[union-attr]
    token = ScimToken.objects.get(organisation=world.organisation)
    assert token.digest == scim_token_digest(key)
    assert token.name == "Okta production" and token.created_by == world.org_admin
    assert AuditEvent.objects.filter(
        content_type__model="scimtoken", object_id=token.pk, verb="created"
    ).exists()

    again = admin.get(PAGE).content.decode()
    assert "Okta production" in again
    assert key not in again
    assert "http://testserver/scim/v2/" in again


def test_a_nameless_token_is_refused(world: Any) -> None:
    response = signed_in(world.org_admin).post(PAGE, {"name": ""})
    assert response.status_code == 400
    assert not ScimToken.objects.exists()


def test_an_admin_revokes_a_token(world: Any) -> None:
    token, _ = scim_token_create(
        organisation=world.organisation, name="Okta production", by=world.org_admin
    )
    response = signed_in(world.org_admin).post(f"{PAGE}{token.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Okta production" not in signed_in(world.org_admin).get(PAGE).content.decode()


def test_only_admins_get_there_and_only_to_their_own(world: Any) -> None:
    token, _ = scim_token_create(organisation=world.organisation, name="Okta", by=world.org_admin)
    for user in (world.leader, world.lead, world.staff, world.coach):
        assert signed_in(user).get(PAGE).status_code == 403
        assert signed_in(user).post(f"{PAGE}{token.pk}/revoke/").status_code == 403
    assert signed_in(world.outsider).get(PAGE).status_code == 404
    # The outsider leads "other" but is no admin there; make them one, then try acme's token.
    world.outsider.memberships.update(role="admin")
    outsider = signed_in(world.outsider)
    assert outsider.get("/o/other/people/provisioning/").status_code == 200
    assert outsider.post(f"/o/other/people/provisioning/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
