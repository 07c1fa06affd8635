"""Align and send back one proposed mission at the same moment: exactly one decision stands.

The loser is told what happened (API 409 with a message; in the browser a message on the
mission page), and only the winner's notification and audit entry exist.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest

from kernel.models import AuditEvent, Notification
from missions.models import Mission
from tests.missions.factories import MissionFactory

from .helpers import TRIALS, api_client, browser, run_together

pytestmark = pytest.mark.django_db(transaction=True)

DECISIONS = ("aligned", "sent_back")
KINDS = (Notification.Kind.ALIGNED, Notification.Kind.SENT_BACK)


def _proposed(world) -> Mission:
    return MissionFactory(
        parent=world.team_mission,
        level=Mission.Level.INDIVIDUAL,
        owner_user=world.staff,
        alignment_status=Mission.AlignmentStatus.PROPOSED,
    )


def _decisions(mission: Mission) -> tuple[int, int]:
    """Audit entries and notifications of an align or send-back of ``mission``."""
    return (
        AuditEvent.objects.filter(mission=mission, verb__in=DECISIONS).count(),
        Notification.objects.filter(mission=mission, kind__in=KINDS).count(),
    )


def test_it_lets_one_of_align_and_send_back_win_in_the_api(world) -> None:
    as_lead, as_admin = api_client(world.lead), api_client(world.org_admin)
    outcomes: Counter[str] = Counter()
    for _ in range(TRIALS):
        mission = _proposed(world)
        base = f"/api/v1/missions/{mission.pk}"
        align, send_back = run_together(
            partial(as_lead, "post", f"{base}/align/", {"comment": "Go."}),
            partial(as_admin, "post", f"{base}/send-back/", {"comment": "Bring it forward."}),
        )
        statuses = (align.status_code, send_back.status_code)
        outcomes[str(statuses)] += 1
        mission.refresh_from_db()
        if statuses == (200, 409):
            assert mission.alignment_status == "aligned"
            assert "aligned it" in send_back.json()["detail"], send_back.json()
        elif statuses == (409, 200):
            assert mission.alignment_status == "sent_back"
            assert "sent it back" in align.json()["detail"], align.json()
        else:
            continue
        assert _decisions(mission) == (1, 1)
    assert set(outcomes) <= {"(200, 409)", "(409, 200)"}, f"{TRIALS} trials: {dict(outcomes)}"


def test_it_tells_the_browser_user_who_decided_first(world) -> None:
    lead, admin = browser(world.lead), browser(world.org_admin)
    outcomes: Counter[str] = Counter()
    for _ in range(TRIALS):
        mission = _proposed(world)
        base = f"/o/acme/missions/{mission.pk}"
        responses = run_together(
            partial(lead.post, f"{base}/align/", {"comment": "Go."}),
            partial(admin.post, f"{base}/send-back/", {"comment": "Bring it forward."}),
        )
        assert [r.status_code for r in responses] == [302, 302]
        mission.refresh_from_db()
        lead_page = lead.get(f"{base}/").content.decode()
        admin_page = admin.get(f"{base}/").content.decode()
        if mission.alignment_status == "aligned":
            told = "sent it back" not in lead_page and "aligned it a moment ago" in admin_page
        else:
            told = "aligned it" not in admin_page and "sent it back a moment ago" in lead_page
        outcomes[f"{mission.alignment_status}, loser told: {told}"] += 1
        if told:
            assert _decisions(mission) == (1, 1)
    assert all(o.endswith("True") for o in outcomes), f"{TRIALS} trials: {dict(outcomes)}"


def test_it_lets_one_of_two_proposals_at_once_through(world) -> None:
    """The owner clicks Propose in two tabs: the boss is asked once."""
    as_staff = api_client(world.staff)
    outcomes: Counter[str] = Counter()
    for _ in range(TRIALS):
        mission = _proposed(world)
        Mission.objects.filter(pk=mission.pk).update(alignment_status="draft")
        url = f"/api/v1/missions/{mission.pk}/propose/"
        responses = run_together(*(partial(as_staff, "post", url, {}) for _ in range(2)))
        asked = Notification.objects.filter(
            mission=mission, kind=Notification.Kind.ALIGNMENT_REQUESTED
        ).count()
        outcomes[f"{sorted(r.status_code for r in responses)}, boss asked {asked}"] += 1
    assert dict(outcomes) == {"[200, 409], boss asked 1": TRIALS}


def test_it_answers_409_naming_who_decided_before(world) -> None:
    """Not only at the same moment: a decision on a mission someone decided on already."""
    mission = _proposed(world)
    base = f"/api/v1/missions/{mission.pk}"
    assert api_client(world.lead)("post", f"{base}/align/", {}).status_code == 200

    response = api_client(world.org_admin)("post", f"{base}/send-back/", {"comment": "No."})

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"{world.lead.get_full_name()} aligned it a moment ago, so it was not sent back."
    }
    assert _decisions(mission) == (1, 1)
