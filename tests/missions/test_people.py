"""Teams and people for organisation admins, and the org chart import."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from kernel.models import AuditEvent, Membership, Team

pytestmark = pytest.mark.django_db

GOOD = """email,name,team,parent team,role,manager email
ana@example.org,Ana Lopez,Community,Operations,leader,lead@example.org
ben@example.org,Ben Hill,Community,Operations,staff,ana@example.org
cy@example.org,Cy Park,Night Nursing,Community,leader,ana@example.org
"""
BAD_LINE_4 = GOOD.replace(
    "cy@example.org,Cy Park,Night Nursing,Community,leader",
    "not-an-email,Cy Park,Night Nursing,Community,wizard",
)


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("chart.csv", text.encode(), content_type="text/csv")


def test_only_organisation_admins_manage_people(world, client) -> None:
    for user in (world.leader, world.lead, world.staff, world.coach):
        client.force_login(user)
        assert client.get("/o/acme/people/").status_code == 403
        assert client.post("/o/acme/people/import/", {}).status_code == 403
    client.force_login(world.outsider)
    assert client.get("/o/acme/people/").status_code == 404
    client.force_login(world.org_admin)
    assert client.get("/o/acme/people/").status_code == 200


def test_an_admin_adds_a_team(world, client) -> None:
    client.force_login(world.org_admin)
    response = client.post(
        "/o/acme/people/",
        {"team-name": "Pharmacy", "team-parent": world.top_team.pk, "team-leader": "lead"},
    )
    assert response.status_code == 302
    pharmacy = Team.objects.get(name="Pharmacy")
    assert pharmacy.parent == world.top_team and pharmacy.leader == world.lead
    event = AuditEvent.objects.get(object_id=pharmacy.pk, verb="created")
    assert event.actor == world.org_admin and event.changes["name"] == [None, "Pharmacy"]


def test_an_admin_adds_people_only_by_invitation(world, client) -> None:
    """No field takes someone else's account by username any more: an existing account
    joins by taking up an invitation, like anyone else."""
    client.force_login(world.org_admin)
    page = client.get("/o/acme/people/").content.decode()
    assert "member-person" not in page and 'name="invite-emails"' in page
    response = client.post("/o/acme/people/", {"member-person": "outsider", "member-role": "admin"})
    assert not Membership.objects.filter(
        organisation=world.organisation, user=world.outsider
    ).exists()
    assert response.status_code == 400  # an empty invitation form


def test_the_people_page_answers_when_a_team_has_no_leader(world, client) -> None:
    Team.objects.create(organisation=world.organisation, name="Pharmacy", parent=world.top_team)
    client.force_login(world.org_admin)
    response = client.get("/o/acme/people/")
    assert response.status_code == 200
    assert "no leader yet" in response.content.decode()


def test_an_import_makes_a_leader_row_its_teams_leader(
    world, client, django_capture_on_commit_callbacks
) -> None:
    """The defect as it was met: a file naming a leader, then the People page answered 500."""
    text = (
        "email,name,team,parent team,role,manager email\n"
        "dee@example.org,Dee Shah,Pharmacy,Operations,leader,\n"
        "eli@example.org,Eli Ford,Pharmacy,Operations,staff,\n"
    )
    client.force_login(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/o/acme/people/import/", {"content": text, "confirm": "1"})
    assert response.status_code == 302
    pharmacy = Team.objects.get(name="Pharmacy")
    assert pharmacy.leader.email == "dee@example.org"
    page = client.get("/o/acme/people/")
    assert page.status_code == 200 and "Dee Shah" in page.content.decode()
    # Both newcomers are invited to set their password; nobody is told to use a reset page.
    assert sorted(m.to[0] for m in mail.outbox) == ["dee@example.org", "eli@example.org"]
    assert "/invitations/" in mail.outbox[0].body


def test_an_imported_person_takes_up_their_invitation_on_their_own_account(
    world, client, django_capture_on_commit_callbacks
) -> None:
    text = (
        "email,name,team,parent team,role,manager email\neli@example.org,Eli Ford,Ops 2,,staff,\n"
    )
    client.force_login(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/o/acme/people/import/", {"content": text, "confirm": "1"})
    client.logout()
    account = get_user_model().objects.get(email="eli@example.org")
    link = next(w for w in mail.outbox[-1].body.split() if "/invitations/" in w)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path).content.decode()
    assert "Set your name and a password" in page and 'value="Eli"' in page
    response = client.post(
        path,
        {
            "first_name": "Eli",
            "last_name": "Ford",
            "username": account.username,
            "password1": "a long and unusual phrase",
            "password2": "a long and unusual phrase",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password("a long and unusual phrase")
    assert get_user_model().objects.filter(email="eli@example.org").count() == 1


def test_the_import_preview_does_not_say_who_has_an_account_elsewhere(world, client) -> None:
    world.outsider.email = "outsider@example.org"
    world.outsider.save()
    text = (
        "email,name,team,parent team,role,manager email\n"
        "outsider@example.org,Out Sider,Ops 2,,staff,\n"
        "nobody@example.org,No Body,Ops 2,,staff,\n"
    )
    client.force_login(world.org_admin)
    page = client.post("/o/acme/people/import/", {"content": text}).content.decode()
    assert "2 people (2 new to Acme Health)" in page


def test_the_import_page_shows_no_template_comment(world, client) -> None:
    client.force_login(world.org_admin)
    page = client.get("/o/acme/people/import/").content.decode()
    assert "{#" not in page and "#}" not in page


def test_the_import_previews_then_imports_everything(world, client) -> None:
    world.lead.email = "lead@example.org"
    world.lead.save()
    client.force_login(world.org_admin)
    response = client.post("/o/acme/people/import/", {"file": upload(GOOD)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ready:" in page and "Night Nursing" in page
    assert not Team.objects.filter(name="Community").exists()  # a preview stores nothing
    response = client.post("/o/acme/people/import/", {"content": GOOD, "confirm": "1"})
    assert response.status_code == 302
    community = Team.objects.get(name="Community")
    night = Team.objects.get(name="Night Nursing")
    assert community.parent == world.team and night.parent == community
    assert community.leader.email == "ana@example.org"  # Ben's manager, in the same team
    assert night.leader.email == "cy@example.org"  # Cy's manager leads the parent team
    assert Membership.objects.get(user__email="ben@example.org").role == "staff"
    assert not get_user_model().objects.get(email="ben@example.org").has_usable_password()


def test_one_bad_row_imports_nothing_and_names_the_row(world, client) -> None:
    world.lead.email = "lead@example.org"
    world.lead.save()
    client.force_login(world.org_admin)
    users_before, teams_before = get_user_model().objects.count(), Team.objects.count()
    response = client.post("/o/acme/people/import/", {"file": upload(BAD_LINE_4)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "is not an email address" in page and "wizard" in page
    # A forged confirmation of the bad file is refused too.
    client.post("/o/acme/people/import/", {"content": BAD_LINE_4, "confirm": "1"})
    assert (get_user_model().objects.count(), Team.objects.count()) == (users_before, teams_before)


def test_a_file_without_the_columns_is_refused(world, client) -> None:
    client.force_login(world.org_admin)
    response = client.post("/o/acme/people/import/", {"file": upload("who,what\nx,y\n")})
    assert response.status_code == 400 and b"Missing column" in response.content


def test_the_people_page_counts_each_teams_members_at_a_constant_cost(
    world, client, django_assert_max_num_queries
) -> None:
    """Each team's number of members is its own (a subquery per team on the page, not a
    grouping of every membership), and 150 more teams with members add no query."""
    client.force_login(world.org_admin)
    response = client.get("/o/acme/people/")
    counts = {team.pk: team.member_count for team in response.context["teams"]}
    expected = {
        team.pk: Membership.objects.filter(team=team).count()
        for team in Team.objects.filter(organisation=world.organisation)
    }
    assert counts == expected and any(counts.values())
    with django_assert_max_num_queries(40) as small:
        client.get("/o/acme/people/")
    User = get_user_model()
    for n in range(150):
        team = Team.objects.create(organisation=world.organisation, name=f"Ward {n:03}")
        person = User.objects.create(username=f"nurse{n:03}", last_name=f"Nurse {n:03}")
        Membership.objects.create(organisation=world.organisation, user=person, team=team)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/o/acme/people/")
    assert len(response.context["teams"]) == 100  # a page of teams
    assert all(
        team.member_count == 1 for team in response.context["teams"] if team.name.startswith("Ward")
    )
