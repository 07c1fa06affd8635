"""Runs of one organisation's alignment checks at the same moment (the nightly run and a
subtree's run requested by an edit, a task redelivered while its first run still works): each
finishes, and each finding that holds is open once."""

from __future__ import annotations

from functools import partial

import pytest

from missions.models import Mission
from reviews.checks import run_checks
from reviews.models import Finding
from tests.missions.factories import MissionFactory

from .helpers import TRIALS, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_runs_at_once_open_each_finding_once(world) -> None:
    # Orphans and missions without KPIs: findings that every run opens.
    for _ in range(5):
        MissionFactory(
            organisation=world.organisation,
            parent=None,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.staff,
        )
    for _ in range(TRIALS):
        Finding.objects.all().delete()
        results = run_together(
            partial(run_checks, organisation=world.organisation),
            partial(run_checks, organisation=world.organisation),
            partial(run_checks, organisation=world.organisation, root=world.team_mission),
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        open_findings = Finding.objects.filter(resolved_at__isnull=True)
        keys = list(open_findings.values_list("mission_id", "kind", "subject"))
        assert len(keys) == len(set(keys)) > 5
        # The second and third runs found open what the first opened.
        assert sum(r.opened for r in results) == len(keys)
