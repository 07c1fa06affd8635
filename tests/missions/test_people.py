"""Teams and people for organisation admins, and the org chart import."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from missions.models import Membership, Team

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


def test_an_admin_adds_a_team_and_a_person(world, client) -> None:
    client.force_login(world.org_admin)
    response = client.post(
        "/o/acme/people/",
        {"team-name": "Pharmacy", "team-parent": world.top_team.pk, "team-leader": "lead"},
    )
    assert response.status_code == 302
    pharmacy = Team.objects.get(name="Pharmacy")
    assert pharmacy.parent == world.top_team and pharmacy.leader == world.lead
    get_user_model().objects.create_user("newbie", "newbie@example.org", "x")
    client.post(
        "/o/acme/people/",
        {"member-person": "newbie@example.org", "member-role": "staff", "member-team": pharmacy.pk},
    )
    assert Membership.objects.get(user__username="newbie").team == pharmacy
    response = client.post("/o/acme/people/", {"member-person": "nobody", "member-role": "staff"})
    assert response.status_code == 400 and b"No account" in response.content


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
