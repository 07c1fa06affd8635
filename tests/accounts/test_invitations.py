"""Invitations: an admin invites by email, the invitee takes the link up once, within a week."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from kernel import services as kernel_services
from kernel.models import AuditEvent, Invitation, Membership, Team

from .conftest import last_link_to

pytestmark = pytest.mark.django_db
User = get_user_model()


def invite(world, email: str = "nia@example.org", **kwargs):
    kwargs.setdefault("role", Membership.Role.STAFF)
    kwargs.setdefault("team", world.team)
    return kernel_services.invitation_create(
        organisation=world.organisation, email=email, by=world.org_admin, **kwargs
    )


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_an_admin_invites_several_people_at_once_from_the_people_page(
    world, client, site_url, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/o/acme/people/",
            {
                "invite-emails": "Nia <nia@example.org>, omar@example.org\nnia@example.org",
                "invite-role": "leader",
                "invite-team": str(world.team.pk),
            },
        )
    assert response.status_code == 302
    stored = Invitation.objects.filter(organisation=world.organisation).order_by("email")
    assert [(i.email, i.role, i.team_id) for i in stored] == [
        ("nia@example.org", "leader", world.team.pk),
        ("omar@example.org", "leader", world.team.pk),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["nia@example.org", "omar@example.org"]
    message = mail.outbox[0]
    assert "Acme Health" in message.subject and "Acme Health" in message.body
    link = last_link_to(message.to[0], containing="/invitations/")
    assert link.startswith(site_url + "/invitations/")
    html = message.alternatives[0][0]
    assert link in html and "Acme Health" in html
    page = client.get("/o/acme/people/").content.decode()
    assert "nia@example.org" in page and "Pending" in page
    assert AuditEvent.objects.filter(object_id=stored[0].pk, actor=world.org_admin).exists()


def test_a_newcomer_sets_a_name_and_password_and_lands_in_the_organisation(
    world, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(world)
    url = path_of(last_link_to("nia@example.org", containing="/invitations/"))
    page = client.get(url)
    assert page.status_code == 200
    assert "Join Acme Health" in page.content.decode()
    response = client.post(
        url,
        {
            "first_name": "Nia",
            "last_name": "Okafor",
            "username": "nia",
            "password1": "a long and unusual phrase",
            "password2": "a long and unusual phrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/o/acme/"
    user = User.objects.get(username="nia")
    assert user.email == "nia@example.org" and user.check_password("a long and unusual phrase")
    membership = Membership.objects.get(organisation=world.organisation, user=user)
    assert (membership.role, membership.team) == ("staff", world.team)
    assert client.get("/o/acme/").status_code == 200  # signed in
    # The link works once.
    again = client.get(url)
    assert again.status_code == 410
    assert "used already" in again.content.decode()


def test_a_leader_invited_into_a_team_without_a_leader_leads_it(world, client) -> None:
    team = Team.objects.create(
        organisation=world.organisation, name="Pharmacy", parent=world.top_team
    )
    invitation = invite(world, role=Membership.Role.LEADER, team=team)
    user = User.objects.create_user("nia", "nia@example.org", "x")
    kernel_services.invitation_accept(token=invitation.token, user=user)
    team.refresh_from_db()
    assert team.leader == user


def test_a_signed_in_person_joins_with_their_account(world, client) -> None:
    invitation = invite(world, email="outsider@example.org")
    client.force_login(world.outsider)
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=world.organisation, user=world.outsider).exists()


@pytest.mark.parametrize("state", ["revoked", "expired", "used"])
def test_a_dead_link_says_why_and_creates_nothing(world, client, state) -> None:
    invitation = invite(world)
    if state == "revoked":
        kernel_services.invitation_revoke(invitation=invitation, by=world.org_admin)
    elif state == "used":
        kernel_services.invitation_accept(token=invitation.token, user=world.outsider)
    users = User.objects.count()
    travel = dt.timedelta(days=8 if state == "expired" else 0)
    with time_machine.travel(timezone.now() + travel):
        page = client.get(f"/invitations/{invitation.token}/")
        assert page.status_code == 410
        text = page.content.decode()
        assert {"revoked": "withdrawn", "expired": "expired", "used": "used already"}[state] in text
        response = client.post(
            f"/invitations/{invitation.token}/",
            {
                "first_name": "X",
                "username": "x1",
                "password1": "p-0x9!abc",
                "password2": "p-0x9!abc",
            },
        )
        assert response.status_code == 410
    assert User.objects.count() == users


def test_a_made_up_link_is_not_found(client, world) -> None:
    assert client.get("/invitations/not-a-real-token/").status_code == 404


def test_resend_issues_a_new_link_and_the_old_one_stops_working(
    world, client, django_capture_on_commit_callbacks
) -> None:
    invitation = invite(world)
    old = invitation.token
    client.force_login(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/acme/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    new = path_of(last_link_to("nia@example.org", containing="/invitations/"))
    assert new != f"/invitations/{old}/"
    assert client.get(f"/invitations/{old}/").status_code == 404
    client.logout()
    assert client.get(new).status_code == 200
    invitation.refresh_from_db()
    assert invitation.sent_count == 2


def test_inviting_a_member_is_refused_and_reveals_nothing_about_other_organisations(
    world, client
) -> None:
    world.staff.email = "staff@example.org"
    world.staff.save()
    world.outsider.email = "outsider@example.org"
    world.outsider.save()
    client.force_login(world.org_admin)
    response = client.post(
        "/o/acme/people/", {"invite-emails": "staff@example.org", "invite-role": "staff"}
    )
    assert response.status_code == 400
    assert "already a member of Acme Health" in response.content.decode()
    # Someone with an account in another organisation is invited like anyone else.
    response = client.post(
        "/o/acme/people/", {"invite-emails": "outsider@example.org", "invite-role": "staff"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(
        organisation=world.organisation, user=world.outsider
    ).exists()  # not a member until they say yes


def test_two_clicks_at_once_make_one_member(world) -> None:
    invitation = invite(world)
    kernel_services.invitation_accept(token=invitation.token, user=world.outsider)
    with pytest.raises(Exception, match="used already"):
        kernel_services.invitation_accept(token=invitation.token, user=world.outsider)


def test_the_api_invites_lists_and_revokes(world, django_capture_on_commit_callbacks) -> None:
    api = APIClient()
    api.force_authenticate(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/invitations/",
            {"email": "Kit@Example.org", "role": "leader", "team": world.team.pk},
            format="json",
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "kit@example.org" and body["status"] == "pending"
    assert body["role"] == "leader" and body["team"] == world.team.pk and body["expires_at"]
    assert "token" not in body and "token_hash" not in body
    assert mail.outbox[-1].to == ["kit@example.org"]
    listed = api.get("/api/v1/invitations/").json()
    assert [i["email"] for i in listed["results"]] == ["kit@example.org"]
    revoked = api.post(f"/api/v1/invitations/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    bad = api.post("/api/v1/invitations/", {"email": "not an address"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    other_team = Team.objects.get(organisation=world.other_organisation)
    bad = api.post(
        "/api/v1/invitations/", {"email": "a@example.org", "team": other_team.pk}, format="json"
    )
    assert bad.status_code == 400 and "team" in bad.json()


def test_only_admins_see_or_send_invitations_through_the_api(world) -> None:
    invitation = invite(world)
    for user in (world.leader, world.staff, world.outsider):
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/invitations/").json()["count"] == 0
        assert api.get(f"/api/v1/invitations/{invitation.pk}/").status_code == 404
        assert api.post(f"/api/v1/invitations/{invitation.pk}/revoke/").status_code == 404
    api = APIClient()
    api.force_authenticate(world.staff)
    refused = api.post(
        "/api/v1/invitations/",
        {"email": "x@example.org", "organisation": world.organisation.pk},
        format="json",
    )
    assert refused.status_code == 403
