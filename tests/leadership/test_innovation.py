"""Innovation: a leader opens a challenge on a mission for some teams (or everyone); those it
invites submit ideas, comment on them and support them; the mission's keepers shortlist and
take ideas forward as a key task or a mission, which credits the idea's authors."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.errors import StateConflict
from kernel.models import AuditEvent, Membership, Notification
from kernel.permissions import Action, actor_for, can
from leadership import services
from leadership.models import Idea, IdeaSupport, InnovationChallenge
from missions.models import KeyTask, Mission
from tests.missions.factories import TeamFactory, UserFactory
from tests.races.helpers import run_together

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
QUESTION = "How could we halve the wait for a first appointment without more staff?"


def actor(world, user):
    return actor_for(user, world.organisation)


def opened(world, *, teams=None, closes_on=None) -> InnovationChallenge:
    """lead's challenge on team_mission, for Operations unless ``teams`` says otherwise."""
    return services.innovation_open(
        actor=actor(world, world.lead),
        mission=world.team_mission,
        data={
            "question": QUESTION,
            "closes_on": closes_on or TODAY + dt.timedelta(days=14),
            "teams": [world.team] if teams is None else teams,
        },
    )


def submitted(world, challenge, *, by=None, co_authors=(), title="Triage by phone first"):
    return services.idea_submit(
        actor=actor(world, by or world.staff),
        challenge=challenge,
        data={
            "title": title,
            "description": "A nurse calls back within a day.",
            "co_authors": list(co_authors),
        },
    )


def news(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def test_a_challenge_invites_its_teams_and_the_teams_under_them(world) -> None:
    ward = TeamFactory(organisation=world.organisation, name="Ward 7", parent=world.team)
    nurse = UserFactory(username="nurse")
    Membership.objects.create(organisation=world.organisation, user=nurse, team=ward)
    challenge = opened(world)
    # Told: staff (Operations) and the nurse (a team under it); not the opener, not the
    # Board above, not the coach (no team).
    told = set(
        Notification.objects.filter(kind="ideas_invited").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"staff", "nurse"}
    may = {
        u.username: can(actor(world, u), Action.TAKE_PART, challenge)
        for u in (world.staff, nurse, world.leader, world.coach, world.lead, world.org_admin)
    }
    # The opener (lead), the Board's leader (ceo: owns the mission above, so may edit it) and
    # the admin take part as the mission's keepers; the coach is not invited.
    assert may == {
        "staff": True,
        "nurse": True,
        "ceo": True,
        "coach": False,
        "lead": True,
        "admin": True,
    }
    # Everyone reads it; it is in the mission's history.
    assert can(actor(world, world.coach), Action.VIEW, challenge)
    assert AuditEvent.objects.filter(
        mission=world.team_mission, verb="created", object_repr=QUESTION
    ).exists()


def test_a_challenge_for_everyone_tells_every_member_but_its_opener(world) -> None:
    opened(world, teams=[])
    told = Notification.objects.filter(kind="ideas_invited").values_list(
        "recipient__username", flat=True
    )
    assert sorted(told) == ["admin", "ceo", "coach", "staff"]


def test_who_may_open_a_challenge_and_until_when(world) -> None:
    with pytest.raises(PermissionDenied):
        services.innovation_open(
            actor=actor(world, world.staff),  # staff may not edit team_mission
            mission=world.team_mission,
            data={"question": QUESTION, "closes_on": TODAY},
        )
    with pytest.raises(ValidationError) as refused:
        opened(world, closes_on=TODAY - dt.timedelta(days=1))
    assert refused.value.message_dict == {"closes_on": ["Give a date from today on."]}
    assert not InnovationChallenge.objects.exists()


def test_an_idea_credits_its_authors_and_tells_the_missions_owner(world) -> None:
    challenge = opened(world)
    idea = submitted(world, challenge, co_authors=[world.lead])
    assert idea.author_ids == {world.staff.pk, world.lead.pk}
    [told] = news(world.lead, "idea_submitted")
    assert told.message == f"A new idea for “{QUESTION}”: Triage by phone first"
    with pytest.raises(PermissionDenied):  # the coach is not invited
        submitted(world, challenge, by=world.coach)
    services.innovation_close(actor=actor(world, world.lead), challenge=challenge)
    with pytest.raises(StateConflict):
        submitted(world, challenge, title="Too late")
    with pytest.raises(StateConflict):
        services.innovation_close(actor=actor(world, world.lead), challenge=challenge)


def test_support_is_once_per_person_and_never_ones_own(world) -> None:
    challenge = opened(world, teams=[])
    idea = submitted(world, challenge)
    support = partial(services.idea_support, idea=idea)
    assert support(actor=actor(world, world.coach)) == 1
    assert support(actor=actor(world, world.coach)) == 1  # twice: still one
    assert support(actor=actor(world, world.leader)) == 2
    assert support(actor=actor(world, world.leader), support=False) == 1
    with pytest.raises(ValidationError):
        support(actor=actor(world, world.staff))  # an author
    services.innovation_close(actor=actor(world, world.lead), challenge=challenge)
    with pytest.raises(StateConflict):
        support(actor=actor(world, world.leader))
    assert IdeaSupport.objects.filter(idea=idea).count() == 1


def test_comments_and_the_shortlist_tell_the_authors(world) -> None:
    challenge = opened(world)
    idea = submitted(world, challenge, co_authors=[world.lead])
    services.idea_comment(actor=actor(world, world.lead), idea=idea, body="Who calls at night?")
    lead = world.lead.get_full_name()
    assert news(world.staff, "idea_news").get().message == (
        f"{lead} commented on your idea “Triage by phone first”: Who calls at night?"
    )
    assert not news(world.lead, "idea_news").exists()  # not told of their own comment
    services.idea_shortlist(actor=actor(world, world.leader), idea=idea)
    idea.refresh_from_db()
    assert idea.status == "shortlisted"
    assert news(world.lead, "idea_news").get().message == (
        "Your idea “Triage by phone first” is on the shortlist."
    )
    assert AuditEvent.objects.filter(verb="shortlisted", object_id=idea.pk).exists()
    with pytest.raises(PermissionDenied):
        services.idea_shortlist(actor=actor(world, world.staff), idea=idea)


def test_an_idea_becomes_a_key_task_once_crediting_its_authors(world) -> None:
    challenge = opened(world)
    idea = submitted(world, challenge, co_authors=[world.lead])
    world.staff.first_name, world.staff.last_name = "Sam", "Staff"
    world.staff.save()
    chooser = actor(world, world.leader)
    make = services.key_task_from_idea(actor=chooser, data={"title": "Pilot phone triage"})
    adopted = services.idea_adopt(actor=chooser, idea=idea, make=make)
    task = KeyTask.objects.get(title="Pilot phone triage")
    assert (adopted.key_task, adopted.status, task.mission) == (
        task,
        "adopted",
        world.team_mission,
    )
    assert task.description == (
        f"From the idea “Triage by phone first” by Sam Staff and {world.lead.get_full_name()}."
        "\n\n"
        "A nurse calls back within a day."
    )
    event = AuditEvent.objects.get(verb="adopted", object_id=idea.pk)
    assert (event.mission, event.actor) == (world.team_mission, world.leader)
    assert news(world.staff, "idea_news").get().message == (
        f"Your idea “Triage by phone first” was taken forward as a key task of "
        f"“{world.team_mission.title}”."
    )
    with pytest.raises(StateConflict):
        services.idea_adopt(actor=chooser, idea=idea, make=make)
    assert KeyTask.objects.filter(title="Pilot phone triage").count() == 1


def test_a_mission_taken_from_an_idea_sits_under_the_challenges_mission(world) -> None:
    challenge = opened(world)
    idea = submitted(world, challenge)
    chooser = actor(world, world.lead)
    with pytest.raises(ValidationError):  # not under team_mission
        services.idea_adopt(actor=chooser, idea=idea, make=lambda _: world.org_mission)
    idea.refresh_from_db()
    assert idea.status == "submitted" and idea.child_mission is None
    services.idea_adopt(actor=chooser, idea=idea, make=lambda _: world.staff_mission)
    idea.refresh_from_db()
    assert (idea.child_mission, idea.status) == (world.staff_mission, "adopted")


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_an_idea_forward_at_once_make_one_key_task(world) -> None:
    idea = submitted(world, opened(world))

    def adopt(user, title):
        chooser = actor(world, user)
        make = services.key_task_from_idea(actor=chooser, data={"title": title})
        return services.idea_adopt(actor=chooser, idea=idea, make=make)

    for _ in range(3):
        Idea.objects.filter(pk=idea.pk).update(status="submitted", adopted_at=None, key_task=None)
        KeyTask.objects.filter(mission=world.team_mission).delete()
        results = run_together(
            partial(adopt, world.lead, "Lead's task"), partial(adopt, world.leader, "CEO's task")
        )
        refused = [r for r in results if isinstance(r, StateConflict)]
        assert len(refused) == 1, results
        assert KeyTask.objects.filter(mission=world.team_mission).count() == 1


# --- The pages ----------------------------------------------------------------------------


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages_open_submit_and_take_forward_as_a_mission(world) -> None:
    lead, staff, ceo = browser(world.lead), browser(world.staff), browser(world.leader)
    url = reverse("leadership:innovation-open", kwargs={"org": "acme", "pk": world.team_mission.pk})
    refused = lead.post(url, {"question": "", "closes_on": "2000-01-01"})
    assert refused.status_code == 400
    assert "Give a date from today on." in refused.content.decode()
    answer = lead.post(
        url, {"question": QUESTION, "closes_on": TODAY.isoformat(), "team_1": "Operations"}
    )
    challenge = InnovationChallenge.objects.get()
    assert answer.status_code == 302 and answer.url == challenge.get_absolute_url()
    assert challenge.team_ids == {world.team.pk}

    page = staff.get(challenge.get_absolute_url())
    assert "Submit an idea" in page.content.decode()
    answer = staff.post(
        challenge.get_absolute_url(),
        {
            "title": "Triage by phone first",
            "description": "A nurse calls back.",
            "co_author_1": "lead",
        },
    )
    idea = Idea.objects.get()
    assert answer.status_code == 302 and answer.url == idea.get_absolute_url()
    assert idea.author_ids == {world.staff.pk, world.lead.pk}
    # ceo reads the challenge; as the keeper of the mission above they may take part too.
    assert ceo.get(challenge.get_absolute_url()).status_code == 200
    coach = browser(world.coach)
    assert "Submit an idea" not in coach.get(challenge.get_absolute_url()).content.decode()
    assert coach.post(challenge.get_absolute_url(), {"title": "x"}).status_code == 403

    # ceo supports and comments; the idea page shows both, and its history.
    ceo.post(reverse("leadership:idea-support", kwargs={"org": "acme", "pk": idea.pk}))
    ceo.post(
        reverse("leadership:idea-comment", kwargs={"org": "acme", "pk": idea.pk}),
        {"body": "Who calls at night?"},
    )
    shown = staff.get(idea.get_absolute_url()).content.decode()
    assert "1 person" in shown and "Who calls at night?" in shown and "created it" in shown

    # lead takes it forward as a mission under team_mission, from the usual mission form.
    adopt = reverse("leadership:idea-adopt-mission", kwargs={"org": "acme", "pk": idea.pk})
    form = lead.get(adopt)
    assert form.status_code == 200 and "Taking forward the idea" in form.content.decode()
    answer = lead.post(
        adopt,
        {
            "level": "individual",
            "title": "Phone triage pilot",
            "owner_user": "staff",
            "period_start": world.team_mission.period_start.isoformat(),
            "period_end": world.team_mission.period_end.isoformat(),
            "review_cadence_days": 30,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    mission = Mission.objects.get(title="Phone triage pilot")
    idea.refresh_from_db()
    assert (idea.child_mission, idea.status, mission.parent) == (
        mission,
        "adopted",
        world.team_mission,
    )
    page = staff.get(mission.get_absolute_url()).content.decode()
    assert "This mission was born of the idea" in page and "Triage by phone first" in page
    # Taken forward: the form sends back to the idea, and the key task form is refused (409).
    assert lead.get(adopt).status_code == 302
    answer = lead.post(
        reverse("leadership:idea-adopt-task", kwargs={"org": "acme", "pk": idea.pk}),
        {"task-title": "Another"},
    )
    assert answer.status_code == 409


# --- The API ------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_from_a_challenge_to_a_key_task(world) -> None:
    lead, staff = api(world.lead), api(world.staff)
    answer = lead.post(
        "/api/v1/innovation-challenges/",
        {
            "mission": world.team_mission.pk,
            "question": QUESTION,
            "closes_on": TODAY.isoformat(),
            "teams": [world.team.pk],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    challenge = answer.json()
    assert challenge["accepts_ideas"] is True and challenge["teams"] == [world.team.pk]
    assert (
        staff.post(
            "/api/v1/innovation-challenges/",
            {"mission": world.team_mission.pk, "question": "x", "closes_on": TODAY.isoformat()},
            format="json",
        ).status_code
        == 403
    )
    answer = staff.post(
        "/api/v1/ideas/",
        {"challenge": challenge["id"], "title": "Triage by phone first", "description": "Calls."},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    idea = answer.json()
    assert idea["authors"] == [world.staff.pk] and idea["support_count"] == 0
    assert api(world.leader).post(f"/api/v1/ideas/{idea['id']}/support/").json() == {
        "support_count": 1
    }
    assert staff.post(f"/api/v1/ideas/{idea['id']}/support/").status_code == 400  # own idea
    comment = lead.post(f"/api/v1/ideas/{idea['id']}/comments/", {"body": "Nights?"})
    assert comment.status_code == 201
    assert lead.post(f"/api/v1/ideas/{idea['id']}/adopt/", {}, format="json").status_code == 400
    assert staff.post(f"/api/v1/ideas/{idea['id']}/adopt/", {}, format="json").status_code == 403
    answer = lead.post(
        f"/api/v1/ideas/{idea['id']}/adopt/",
        {"key_task": {"title": "Pilot phone triage", "owner": world.staff.pk}},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "adopted" and answer.json()["support_count"] == 1
    task = KeyTask.objects.get(pk=answer.json()["key_task"])
    assert task.owner == world.staff and task.description.startswith("From the idea")
    again = lead.post(
        f"/api/v1/ideas/{idea['id']}/adopt/", {"key_task": {"title": "x"}}, format="json"
    )
    assert again.status_code == 409
    # Taken forward, its words stay as they were.
    assert (
        staff.patch(f"/api/v1/ideas/{idea['id']}/", {"title": "New"}, format="json").status_code
        == 409
    )
    assert api(world.outsider).get(f"/api/v1/ideas/{idea['id']}/").status_code == 404


def test_the_innovation_pages_cost_the_same_for_few_or_many(
    world, django_assert_max_num_queries
) -> None:
    challenge = opened(world, teams=[])
    people = [world.staff, world.lead, world.coach, world.org_admin]
    ceo = actor(world, world.leader)

    def ideas(n: int) -> None:
        for i in range(n):
            idea = submitted(world, challenge, by=people[i % 4], title=f"Idea {i}")
            services.idea_support(actor=ceo, idea=idea)
            services.idea_comment(actor=ceo, idea=idea, body="Yes.")

    def comments(idea: Idea, n: int) -> None:
        for i in range(n):
            services.idea_comment(actor=actor(world, people[i % 4]), idea=idea, body=f"{i}")

    def challenges(n: int) -> None:
        for _ in range(n):
            opened(world, teams=[])

    ideas(2)
    first = Idea.objects.order_by("id").first()
    client = browser(world.leader)
    innovation = reverse("leadership:innovation", kwargs={"org": "acme"})
    for url, more in (
        (challenge.get_absolute_url(), ideas),
        (first.get_absolute_url(), None),
        (innovation, challenges),
    ):
        client.get(url)
        with django_assert_max_num_queries(100) as few:
            assert client.get(url).status_code == 200
        if more is not None:
            more(12)
        else:
            comments(first, 12)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)
