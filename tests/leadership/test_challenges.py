"""'Be brave': a challenge to a mission's priorities goes to whoever owns the mission above,
waits in their inbox and brief until it is answered, and its raiser is told the answer."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kernel.errors import StateConflict
from kernel.models import AuditEvent, Notification
from kernel.permissions import actor_for
from leadership import services
from leadership.models import PriorityChallenge
from reviews.brief.compose import brief_for
from reviews.inbox import inbox_sweep_organisation
from tests.races.helpers import run_together

pytestmark = pytest.mark.django_db

TOO_MUCH = {"kind": "too_much", "statement": "Two wards and the winter rota at once."}
ANSWER = {"outcome": "changed", "answer": "The rota waits until March; the wards go first."}


def actor(world, user):
    return actor_for(user, world.organisation)


def waiting(user):
    return Notification.objects.filter(
        recipient=user, kind="challenge_raised", done_at__isnull=True
    )


def test_a_challenge_asks_the_owner_of_the_mission_above(world) -> None:
    challenge = services.challenge_raise(
        actor=actor(world, world.staff), mission=world.staff_mission, data=TOO_MUCH
    )
    [item] = waiting(world.lead)  # lead owns team_mission, the mission above
    assert item.message.startswith("Too much at once on “Open two virtual wards”")
    assert item.url.endswith(f"#challenge-{challenge.pk}")
    # It is in the brief's decisions, for lead.
    brief = brief_for(actor=actor(world, world.lead), rewrite=False)
    decisions = next(s for s in brief.sections if s.title == "Needs a decision")
    assert any("Challenge to priorities" in item.text for item in decisions.items)
    # The sweep agrees, and would move it to a new owner of the mission above.
    inbox_sweep_organisation(world.organisation, only=["challenge"])
    assert waiting(world.lead).count() == 1
    team = world.team_mission
    team.owner_team = world.top_team
    team.save()
    inbox_sweep_organisation(world.organisation, only=["challenge"])
    assert not waiting(world.lead).exists()
    assert waiting(world.leader).count() == 1


def test_a_top_missions_challenge_goes_to_its_own_owner(world) -> None:
    services.challenge_raise(
        actor=actor(world, world.coach), mission=world.org_mission, data=TOO_MUCH
    )
    assert waiting(world.leader).count() == 1


def test_only_who_sets_the_priorities_answers_and_the_raiser_is_told(world) -> None:
    challenge = services.challenge_raise(
        actor=actor(world, world.staff), mission=world.staff_mission, data=TOO_MUCH
    )
    for user in (world.staff, world.leader, world.coach):
        with pytest.raises(PermissionDenied):
            services.challenge_answer(actor=actor(world, user), challenge=challenge, data=ANSWER)
    with pytest.raises(ValidationError) as refused:
        services.challenge_answer(
            actor=actor(world, world.lead), challenge=challenge, data={"outcome": "kept"}
        )
    assert "answer" in refused.value.message_dict
    services.challenge_answer(actor=actor(world, world.lead), challenge=challenge, data=ANSWER)
    challenge.refresh_from_db()
    assert (challenge.outcome, challenge.answered_by) == ("changed", world.lead)
    assert not waiting(world.lead).exists()
    told = Notification.objects.get(recipient=world.staff, kind="challenge_answered")
    assert told.message == f"Priorities changed: {ANSWER['answer']}"
    with pytest.raises(StateConflict):
        services.challenge_answer(
            actor=actor(world, world.org_admin), challenge=challenge, data=ANSWER
        )
    verbs = list(
        AuditEvent.objects.filter(mission=world.staff_mission).values_list("verb", flat=True)
    )
    assert {"challenged", "answered"} <= set(verbs)


def test_a_conflict_names_another_mission_of_the_organisation(world) -> None:
    raise_it = partial(
        services.challenge_raise, actor=actor(world, world.staff), mission=world.staff_mission
    )
    with pytest.raises(ValidationError) as refused:
        raise_it(data={"kind": "conflict", "statement": "It clashes."})
    assert "other_mission" in refused.value.message_dict
    with pytest.raises(ValidationError):
        raise_it(data={"kind": "conflict", "statement": "x", "other_mission": world.other_mission})
    with pytest.raises(ValidationError):
        raise_it(data={"kind": "nonsense", "statement": "x"})
    raise_it(
        data={"kind": "conflict", "statement": "Same nurses.", "other_mission": world.team_mission}
    )
    assert PriorityChallenge.objects.get().other_mission == world.team_mission


def test_the_page_raises_and_answers(world) -> None:
    staff, lead = Client(), Client()
    staff.force_login(world.staff)
    lead.force_login(world.lead)
    url = reverse(
        "leadership:challenge-create", kwargs={"org": "acme", "pk": world.staff_mission.pk}
    )
    refused = staff.post(url, {"challenge-kind": "conflict", "challenge-statement": "x"})
    assert refused.status_code == 400
    assert "Say which mission this one conflicts with." in refused.content.decode()
    staff.post(
        url,
        {"challenge-kind": "missing_decision", "challenge-statement": "Who funds the night team?"},
    )
    challenge = PriorityChallenge.objects.get()
    page = lead.get(world.staff_mission.get_absolute_url()).content.decode()
    assert "Answer this challenge" in page and "Who funds the night team?" in page
    assert (
        "Answer this challenge"
        not in staff.get(world.staff_mission.get_absolute_url()).content.decode()
    )
    answer = reverse("leadership:challenge-answer", kwargs={"org": "acme", "pk": challenge.pk})
    prefix = f"answer-{challenge.pk}"
    assert lead.post(answer, {f"{prefix}-outcome": "decided"}).status_code == 400
    done = lead.post(answer, {f"{prefix}-outcome": "decided", f"{prefix}-answer": "Ops funds it."})
    assert done.status_code == 302
    again = lead.post(answer, {f"{prefix}-outcome": "kept", f"{prefix}-answer": "No."})
    assert again.status_code == 409
    assert "answered already" in again.content.decode()
    challenge.refresh_from_db()
    assert challenge.answer == "Ops funds it."


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_one_wins_the_other_is_told(world) -> None:
    challenge = services.challenge_raise(
        actor=actor(world, world.staff), mission=world.staff_mission, data=TOO_MUCH
    )
    answers = [
        partial(services.challenge_answer, actor=actor(world, user), challenge=challenge, data=data)
        for user, data in (
            (world.lead, ANSWER),
            (world.org_admin, {"outcome": "kept", "answer": "No."}),
        )
    ]
    results = run_together(*answers)
    assert sum(isinstance(r, PriorityChallenge) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert Notification.objects.filter(kind="challenge_answered").count() == 1
