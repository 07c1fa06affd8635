"""A new organisation without the Django admin: sign up, walk the first steps, settings."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kernel.models import AuditEvent, Invitation, Membership, Organisation, Team
from missions.models import Mission

pytestmark = pytest.mark.django_db
User = get_user_model()

SIGNUP = {
    "first_name": "Ada",
    "last_name": "Mensah",
    "email": "Ada@Example.org",
    "username": "ada",
    "password1": "a long and unusual phrase",
    "password2": "a long and unusual phrase",
    "organisation_name": "Riverside Care",
    "slug": "",
    "top_team": "Executive team",
    "time_zone": "Europe/London",
}


@pytest.fixture
def signup_open(settings) -> None:
    settings.SIGNUP_OPEN = True


def test_sign_up_is_closed_unless_the_setting_opens_it(client, db) -> None:
    assert client.get("/signup/").status_code == 404
    assert client.post("/signup/", SIGNUP).status_code == 404
    assert not Organisation.objects.exists()
    assert "Start an organisation" not in client.get("/accounts/login/").content.decode()


def test_a_person_signs_up_and_runs_the_new_organisation(client, signup_open) -> None:
    assert "Start an organisation" in client.get("/accounts/login/").content.decode()
    response = client.post("/signup/", SIGNUP)
    assert response.status_code == 302 and response["Location"] == "/o/riverside-care/welcome/"
    organisation = Organisation.objects.get(slug="riverside-care")
    assert (organisation.name, organisation.time_zone) == ("Riverside Care", "Europe/London")
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.org" and user.get_full_name() == "Ada Mensah"
    membership = Membership.objects.get(organisation=organisation, user=user)
    assert membership.role == "admin"
    top = Team.objects.get(organisation=organisation)
    assert (top.name, top.leader, top.parent, membership.team) == (
        "Executive team",
        user,
        None,
        top,
    )
    assert AuditEvent.objects.filter(organisation=organisation, actor=user).exists()
    # The home page shows the checklist until every step is done.
    home = client.get("/o/riverside-care/").content.decode()
    assert "Getting started" in home and "Write the vision and the CEO" in home


def test_the_onboarding_walks_four_steps_and_the_checklist_goes(client, signup_open) -> None:
    client.post("/signup/", SIGNUP)
    url = "/o/riverside-care/welcome/"
    assert "0 of 4 done" in client.get(url).content.decode()
    assert (
        client.post(
            url,
            {"step": "vision", "vision-ceo_intent": "Care at home first.", "vision-purpose": ""},
        ).status_code
        == 302
    )
    assert (
        client.post(url, {"step": "teams", "teams-names": "Nursing\nPharmacy\n"}).status_code == 302
    )
    organisation = Organisation.objects.get(slug="riverside-care")
    assert organisation.vision.ceo_intent == "Care at home first."
    assert set(
        Team.objects.filter(organisation=organisation, parent__isnull=False).values_list(
            "name", flat=True
        )
    ) == {"Nursing", "Pharmacy"}
    nursing = Team.objects.get(organisation=organisation, name="Nursing")
    response = client.post(
        url,
        {
            "step": "invite",
            "invite-emails": "lee@example.org",
            "invite-role": "leader",
            "invite-team": str(nursing.pk),
        },
    )
    assert response.status_code == 302
    assert Invitation.objects.get(organisation=organisation).email == "lee@example.org"
    assert "3 of 4 done" in client.get(url).content.decode()
    page = client.get("/o/riverside-care/missions/new/")
    assert page.status_code == 200  # the founder leads the top team: may write a top mission
    Mission.objects.create(
        organisation=organisation,
        level=Mission.Level.ORGANISATION,
        title="Care at home",
        owner_team=Team.objects.get(organisation=organisation, parent__isnull=True),
        period_start="2027-01-01",
        period_end="2027-12-31",
    )
    assert "Getting started" not in client.get("/o/riverside-care/").content.decode()


def test_bad_sign_up_input_says_what_is_wrong_and_stores_nothing(
    client, signup_open, world
) -> None:
    cases = {
        "slug": {**SIGNUP, "slug": "acme"},  # taken
        "password2": {**SIGNUP, "password2": "something else entirely"},
        "password1": {**SIGNUP, "password1": "short", "password2": "short"},
        "email": {**SIGNUP, "email": "not an address"},
        "username": {**SIGNUP, "username": "ceo"},  # taken
    }
    for field, data in cases.items():
        response = client.post("/signup/", data)
        assert response.status_code == 400, field
        assert response.context["form"].errors.get(field), (field, response.context["form"].errors)
    assert not Organisation.objects.filter(name="Riverside Care").exists()
    assert not User.objects.filter(username="ada").exists()


def test_a_reserved_address_is_refused(client, signup_open) -> None:
    response = client.post("/signup/", {**SIGNUP, "slug": "admin"})
    assert response.status_code == 400
    assert "reserved" in str(response.context["form"].errors)
