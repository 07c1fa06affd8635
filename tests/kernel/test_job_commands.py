"""Scheduled jobs started as commands skip Django's system checks, which load the URL
configuration and with it every view: more than half of a job's start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each with arguments that stop it early, after Django's start-up (and the system checks,
# had it run them): an organisation that does not exist, or a database whose tables the tests
# have not made (theirs is a copy under another name).
JOBS = (
    ("run_alignment_checks", "--org", "no-such-organisation"),
    ("refresh_kpi_figures", "--org", "no-such-organisation"),
    ("send_review_reminders",),
    ("send_digests",),
    ("send_briefs",),
)


@pytest.mark.parametrize("job", JOBS, ids=[job[0] for job in JOBS])
def test_a_job_started_as_a_command_loads_no_view(job: tuple[str, ...]) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "missionlead.settings_test"}
    started = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", *job],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in started.stderr.splitlines()}
    assert "django.core.management" in imported, started.stderr[-2000:]
    assert not views(imported)


def test_the_system_checks_would_load_them() -> None:
    """The test above can fail: a command that runs the checks imports the views."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "missionlead.settings_test"}
    started = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in started.stderr.splitlines()}
    assert views(imported)


def views(modules: set[str]) -> set[str]:
    """The pages' modules among ``modules``: what the URL configuration loads."""
    return {m for m in modules if m.startswith(("missions.views", "reviews.dashboard_views"))}
