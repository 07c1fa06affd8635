"""The alignment conversation: what the owner said when proposing, why the boss sent the
mission back, what they said when aligning it; on the mission page, from the selector, and
the reason that sending back needs (page, service, API)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from kernel.models import AuditEvent, Notification
from missions import selectors, services
from missions.services.alignment import SEND_BACK_NEEDS_A_REASON

pytestmark = pytest.mark.django_db


def _panel(response) -> str:
    """The mission page's alignment panel, as HTML."""
    page = response.content.decode()
    found = re.search(r'<section[^>]*aria-labelledby="alignment-heading".*?</section>', page, re.S)
    assert found, "the page has no alignment panel"
    return found.group(0)


def _rounds(world, mission, count: int) -> None:
    """``count`` rounds of propose and send back, then a proposal."""
    for n in range(count):
        services.mission_propose(mission=mission, by=world.lead, comment=f"Round {n}: ready.")
        services.mission_send_back(mission=mission, by=world.leader, comment=f"Fix {n}.")
    services.mission_propose(mission=mission, by=world.lead, comment="Deadline moved.")


def test_it_reads_the_conversation_in_order_in_one_query(
    world, django_assert_max_num_queries
) -> None:
    mission = world.team_mission
    _rounds(world, mission, 3)
    services.mission_align(mission=mission, by=world.leader, comment="Go.")
    with django_assert_max_num_queries(1):  # the alignment entries with their authors
        conversation = selectors.alignment_conversation(mission=mission)
    turns = [(t.verb, t.who, t.sentence, t.comment) for t in conversation.turns]
    lead, ceo = world.lead.get_full_name(), world.leader.get_full_name()
    assert turns == [
        *(
            turn
            for n in range(3)
            for turn in (
                ("proposed", lead, "proposed it for alignment", f"Round {n}: ready."),
                ("sent_back", ceo, "sent it back", f"Fix {n}."),
            )
        ),
        ("proposed", lead, "proposed it for alignment", "Deadline moved."),
        ("aligned", ceo, "aligned it", "Go."),
    ]
    assert conversation.latest == conversation.turns[-1]
    assert conversation.earlier == conversation.turns[:-1]


def test_the_conversation_costs_the_same_however_many_rounds(
    world, django_assert_num_queries
) -> None:
    one, many = world.team_mission, world.staff_mission
    _rounds(world, one, 1)
    for n in range(5):
        services.mission_propose(mission=many, by=world.staff, comment=f"Try {n}.")
        services.mission_send_back(mission=many, by=world.lead, comment=f"Not yet {n}.")
    with django_assert_num_queries(1):
        assert len(selectors.alignment_conversation(mission=one).turns) == 3
    with django_assert_num_queries(1):
        assert len(selectors.alignment_conversation(mission=many).turns) == 10


def test_the_parent_owner_sees_the_proposers_comment_in_the_panel(world, client) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead, comment="Ready: wards first.")
    client.force_login(world.leader)
    panel = _panel(client.get(f"/o/acme/missions/{mission.pk}/"))
    assert f"{world.lead.get_full_name()}</strong> proposed it for alignment" in panel
    assert "Ready: wards first." in panel
    assert "alignment_status" not in panel


def test_a_sent_back_mission_quotes_the_reason_and_who_to_its_owner(world, client) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead)
    services.mission_send_back(
        mission=mission, by=world.leader, comment="Bring the deadline to November."
    )
    client.force_login(world.lead)
    panel = _panel(client.get(f"/o/acme/missions/{mission.pk}/"))
    said = re.search(
        r"<strong>([^<]*)</strong> sent it back.*?<blockquote[^>]*>(.*?)</blockq", panel, re.S
    )
    assert said, panel
    assert said.group(1) == world.leader.get_full_name()
    assert "Bring the deadline to November." in said.group(2)
    # The quote comes where the owner is told what to do next.
    assert panel.index("Bring the deadline") < panel.index("Change what was asked")


def test_the_aligners_comment_stays_in_the_panel_after_aligning(world, client) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead, comment="Ready.")
    services.mission_align(mission=mission, by=world.leader, comment="Fits the intent.")
    client.force_login(world.coach)  # a reader: no decision to make, the conversation to read
    panel = _panel(client.get(f"/o/acme/missions/{mission.pk}/"))
    assert f"{world.leader.get_full_name()}</strong> aligned it" in panel
    assert "Fits the intent." in panel and "Ready." in panel


def test_the_send_back_reason_is_labelled_as_required_and_align_comment_as_optional(
    world, client
) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead)
    client.force_login(world.leader)
    response = client.get(f"/o/acme/missions/{mission.pk}/")
    send_back = response.context["send_back_form"]["comment"]
    assert send_back.field.required
    assert send_back.label == "What needs to change"
    panel = _panel(response)
    label = re.search(rf'<label for="{send_back.id_for_label}">(.*?)</label>', panel, re.S)
    assert label, panel
    assert "(required)" in label.group(1) and "(optional)" not in label.group(1)
    align = response.context["comment_form"]["comment"]
    assert not align.field.required and align.id_for_label != send_back.id_for_label


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_is_shown_on_its_field_and_nothing_is_stored(world, client, reason) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead)
    client.force_login(world.leader)
    response = client.post(f"/o/acme/missions/{mission.pk}/send-back/", {"comment": reason})
    assert response.status_code == 400
    assert response.context["send_back_form"].errors == {"comment": [SEND_BACK_NEEDS_A_REASON]}
    panel = _panel(response)
    assert SEND_BACK_NEEDS_A_REASON in panel
    assert 'aria-invalid="true"' in panel
    mission.refresh_from_db()
    assert mission.alignment_status == "proposed"
    assert not AuditEvent.objects.filter(mission=mission, verb="sent_back").exists()
    assert not Notification.objects.filter(kind="sent_back").exists()


def test_align_needs_no_comment(world, client) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead)
    client.force_login(world.leader)
    response = client.post(f"/o/acme/missions/{mission.pk}/align/", {"comment": ""})
    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.alignment_status == "aligned"


def test_the_service_refuses_an_empty_reason_on_its_field(world) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead)
    for reason in ("", " \n "):
        with pytest.raises(ValidationError) as error:
            services.mission_send_back(mission=mission, by=world.leader, comment=reason)
        assert error.value.message_dict == {"comment": [SEND_BACK_NEEDS_A_REASON]}
    mission.refresh_from_db()
    assert mission.alignment_status == "proposed"


@pytest.mark.parametrize("payload", [{}, {"comment": ""}, {"comment": "  "}])
def test_the_api_answers_400_with_the_reasons_field_error(world, payload) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead)
    api = APIClient()
    api.force_authenticate(world.leader)
    response = api.post(f"/api/v1/missions/{mission.pk}/send-back/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"comment": [SEND_BACK_NEEDS_A_REASON]}
    mission.refresh_from_db()
    assert mission.alignment_status == "proposed"
    assert not AuditEvent.objects.filter(mission=mission, verb="sent_back").exists()
