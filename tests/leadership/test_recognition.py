"""Peer recognition: anyone recognises a colleague for a behaviour of the four themes; the
two of them, the leader of the colleague's team and their coach read it; a team's page shows
which themes are lived, without names."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kernel.models import CoachAssignment, Notification
from kernel.permissions import Action, actor_for, can
from leadership import selectors, services
from leadership.behaviours import THEME_OF, THEMES
from leadership.models import Recognition
from tests.missions.factories import TeamFactory

pytestmark = pytest.mark.django_db


def actor(world, user):
    return actor_for(user, world.organisation)


def give(world, by, to, behaviour="earning_trust", story="Sat with the night team."):
    return services.recognition_give(
        actor=actor(world, by), data={"receiver": to, "behaviour": behaviour, "story": story}
    )


def test_the_catalogue_holds_the_four_themes_of_the_seed() -> None:
    assert [label for label, _ in THEMES.values()] == [
        "Thinking",
        "Developing",
        "Inspiring",
        "Delivering",
    ]
    assert THEME_OF["collaboration"] == "developing"
    assert len(THEME_OF) == 16


def test_a_recognition_is_read_by_the_two_the_leader_and_the_coach(world) -> None:
    recognition = give(world, world.org_admin, world.staff)
    assert (recognition.team, recognition.theme) == (world.team, "developing")
    readers = {
        name
        for name in ("leader", "lead", "staff", "coach", "org_admin")
        if can(actor(world, getattr(world, name)), Action.VIEW, recognition)
    }
    assert readers == {"lead", "staff", "coach", "org_admin"}  # not the CEO
    # A coach of another team does not read it.
    finance = TeamFactory(organisation=world.organisation, name="Finance")
    CoachAssignment.objects.filter(coach=world.coach).update(team=finance)
    assert not can(actor(world, world.coach), Action.VIEW, recognition)
    assert not selectors.recognitions_for(actor=actor(world, world.coach))["of_others"]
    told = Notification.objects.get(recipient=world.staff, kind="recognised")
    assert "recognised you for earning trust" in told.message


def test_refused_for_oneself_an_outsider_or_an_unknown_behaviour(world) -> None:
    with pytest.raises(ValidationError):
        give(world, world.staff, world.staff)
    with pytest.raises(ValidationError):
        give(world, world.staff, world.outsider)
    with pytest.raises(ValidationError):
        give(world, world.staff, world.lead, behaviour="charisma")
    assert not Recognition.objects.exists()


def test_a_team_sees_its_themes_and_no_names(world) -> None:
    give(world, world.lead, world.staff, "earning_trust")
    give(world, world.leader, world.staff, "compassion")
    give(world, world.staff, world.lead, "leading_change")
    themes = {t.label: t for t in selectors.themes_lived(team_id=world.team.pk)}
    assert themes["Developing"].count == 2
    assert themes["Delivering"].behaviours == [("Leading change", 1)]
    assert themes["Thinking"].count == 0
    client = Client()
    client.force_login(world.staff)
    page = client.get(reverse("leadership:recognition", kwargs={"org": "acme"})).content.decode()
    assert "Themes lived in Operations" in page
    assert "Compassion (1)" in page


def test_the_page_gives_and_refuses(world) -> None:
    client = Client()
    client.force_login(world.staff)
    url = reverse("leadership:recognition", kwargs={"org": "acme"})
    refused = client.post(url, {"receiver": "staff", "behaviour": "compassion", "story": "Me."})
    assert refused.status_code == 400
    assert "Recognise a colleague, not yourself." in refused.content.decode()
    done = client.post(
        url, {"receiver": "lead", "behaviour": "enrolling_others", "story": "Won the GPs over."}
    )
    assert done.status_code == 302
    assert Recognition.objects.get().giver == world.staff
