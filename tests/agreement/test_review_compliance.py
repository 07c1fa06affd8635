"""Review compliance: which reviews fell due, and which of those were held on time.

The rule, as the dashboards state it: of the reviews of active missions whose due date fell in
the last 90 days (before today; cancelled ones left out), the share held on or before that
date. Two SQL spellings count it: the live figures of teams (``reviews.dashboards
.figures_by_team``, window ``WINDOW_DAYS``) and the alignment check's daily snapshot, which the
organisation's dashboard shows (``reviews.checks.scores._figures_by_team``, window
``COMPLIANCE_WINDOW_DAYS``). The rule is also written out below with the ORM, from that
sentence, so that both SQL spellings are held to it and not only to each other.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F, Q

from missions.models import Mission
from reviews import dashboards
from reviews.dashboards import figures_by_team, organisation_figures
from reviews.dashboards.queries import checked_figures
from reviews.models import Review
from tests.agreement.builders import checked, days
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db
WINDOW = dashboards.WINDOW_DAYS  # the checks' is the same (test_shared_numbers)


def python_compliance(organisation) -> tuple[int, int]:
    """(due, held on time), the rule written out from the sentence above."""
    due = Review.objects.filter(
        mission__organisation=organisation,
        mission__status=Mission.Status.ACTIVE,
        due_date__gte=days(-WINDOW),
        due_date__lt=days(0),
    ).exclude(status=Review.Status.CANCELLED)
    on_time = due.filter(Q(status=Review.Status.DONE) & Q(held_on__lte=F("due_date")))
    return due.count(), on_time.count()


# label: (mission status, review status, due in days, held days after the due date or None,
#         (counts as due, counts as held on time))
CASES = {
    "held on its due date": ("active", "done", -10, 0, (1, 1)),
    "held the day before it fell due": ("active", "done", -10, -1, (1, 1)),
    "held the day after it fell due": ("active", "done", -10, 1, (1, 0)),
    "not held, due yesterday": ("active", "scheduled", -1, None, (1, 0)),
    "not held, due today": ("active", "scheduled", 0, None, (0, 0)),
    "held today, due today": ("active", "done", 0, 0, (0, 0)),
    "held early, due in five days": ("active", "done", 5, -6, (0, 0)),
    "due exactly a window ago, held on time": ("active", "done", -WINDOW, 0, (1, 1)),
    "due exactly a window ago, not held": ("active", "scheduled", -WINDOW, None, (1, 0)),
    "due a day before the window": ("active", "done", -WINDOW - 1, 0, (0, 0)),
    "cancelled, due yesterday": ("active", "cancelled", -1, None, (0, 0)),
    "held on time, of a completed mission": ("completed", "done", -10, 0, (0, 0)),
    "not held, of a completed mission": ("completed", "scheduled", -10, None, (0, 0)),
    "held late, of an archived mission": ("archived", "done", -10, 3, (0, 0)),
}


@pytest.fixture
def reviewed(world, request):
    """One review of an Operations mission, as the case says; returns the expected counts."""
    mission_status, status, due_in, held_after, expected = CASES[request.param]
    mission = MissionFactory(
        parent=world.team_mission, level="team", owner_team=world.team, status=mission_status
    )
    due = days(due_in)
    Review.objects.create(
        mission=mission,
        due_date=due,
        status=status,
        held_on=None if held_after is None else due + dt.timedelta(days=held_after),
    )
    assert python_compliance(world.organisation) == expected
    return expected


@pytest.mark.parametrize("reviewed", CASES, indirect=True)
def test_the_live_team_figures_count_reviews_by_the_rule(world, reviewed) -> None:
    teams = figures_by_team(organisation=world.organisation, scope=None)
    due = sum(f.reviews_due for f in teams.values())
    on_time = sum(f.reviews_on_time for f in teams.values())
    assert (due, on_time) == reviewed
    team = figures_by_team(organisation=world.organisation, scope=[world.team])[world.team.pk]
    assert (team.reviews_due, team.reviews_on_time) == reviewed


@pytest.mark.parametrize("reviewed", CASES, indirect=True)
def test_the_check_snapshot_counts_reviews_by_the_rule(world, reviewed) -> None:
    checked(world.organisation)
    total = organisation_figures(organisation=world.organisation).total
    assert (total.reviews_due, total.reviews_on_time) == reviewed
    scope = [world.team]
    team = checked_figures(organisation=world.organisation, scope=scope).teams.get(world.team.pk)
    assert team is not None
    assert (team.reviews_due, team.reviews_on_time) == reviewed
