"""The data every scenario starts from: three generated organisations, and a few hundred
reviews placed so that today each is in one reminder window (3 days before, on the day, the
day after, escalated to the boss)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from kernel.models import Organisation
from missions.models import Mission
from reviews.models import Review

from .effects import Key

ORGANISATIONS = ("chaos-north", "chaos-south", "chaos-east")
# Days from today to the due date → the reminder due today (reviews.services.reminders).
OFFSETS = {3: "before", 0: "due", -1: "after", -7: "escalation"}


@dataclass
class Data:
    reminders: set[Key]  # (review id, recipient id) of every reminder due today
    organisation_ids: set[int]
    emails: dict[str, int]  # address → user id


def _owner(mission: Mission) -> Any:
    """Who a mission belongs to: its owner, or its owning team's leader (mission_owners)."""
    if mission.owner_user_id:
        return mission.owner_user
    return mission.owner_team.leader if mission.owner_team_id else None


def prepare(*, missions_per_org: int, due_per_org: int, log: Callable[[str], None]) -> Data:
    """Migrate, generate three organisations, and give ``due_per_org`` missions in play of
    each a review due today in one of the reminder windows; every other mission in play has
    its review weeks away (so the sweep has nothing to schedule and nothing else to send). A
    draft or sent-back mission has no review, as the sweep gives it none."""
    call_command("migrate", verbosity=0)
    PeriodicTask.objects.update(enabled=False)  # the harness is beat, or starts its own
    rng = random.Random(7)
    due: set[Key] = set()
    today = timezone.localdate()
    for slug in ORGANISATIONS:
        call_command(
            "generate_org",
            missions=missions_per_org,
            slug=slug,
            replace=True,
            kpis_per_mission=1,
            checkins_per_kpi=2,
            tasks_per_mission=0,
            seed=ORGANISATIONS.index(slug) + 1,
            no_progress=True,
            stdout=io.StringIO(),  # its summary is for people generating an organisation
        )
        in_play = list(
            Mission.objects.filter(organisation__slug=slug)
            .in_play()
            .select_related("owner_user", "owner_team__leader", "parent__owner_user")
            .select_related("parent__owner_team__leader")
            .order_by("id")
        )
        Review.objects.filter(mission__organisation__slug=slug).delete()
        chosen = {m.pk for m in rng.sample(in_play, min(due_per_org, len(in_play)))}
        reviews = []
        for i, mission in enumerate(in_play):
            offset = list(OFFSETS)[i % len(OFFSETS)] if mission.pk in chosen else 21
            due = today + dt.timedelta(days=offset)
            reviews.append(
                Review(organisation_id=mission.organisation_id, mission=mission, due_date=due)
            )
        Review.objects.bulk_create(reviews)
        for review, mission in zip(reviews, in_play, strict=True):
            kind = OFFSETS.get((review.due_date - today).days)
            if kind is None:
                continue
            target = mission.parent if kind == "escalation" and mission.parent else mission
            person = _owner(target)
            if person is not None:
                due.add((review.pk, person.pk))
    users = get_user_model().objects.filter(memberships__organisation__slug__in=ORGANISATIONS)
    emails = {email.lower(): pk for pk, email in users.values_list("pk", "email") if email}
    missing = {pk for _, pk in due} - set(emails.values())
    assert not missing, f"recipients without an email address: {missing}"
    organisation_ids = set(
        Organisation.objects.filter(slug__in=ORGANISATIONS).values_list("pk", flat=True)
    )
    log(f"==> {len(due)} reminders due today across {len(ORGANISATIONS)} organisations")
    return Data(reminders=due, organisation_ids=organisation_ids, emails=emails)
