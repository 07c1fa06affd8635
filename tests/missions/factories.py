"""factory_boy factories for organisations, people, teams and missions."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from kernel import tree
from kernel.models import Membership, Organisation, Team
from missions.models import Mission, Vision

PERIOD_START = dt.date(2026, 1, 1)
PERIOD_END = dt.date(2026, 12, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("mission-test")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class VisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vision

    organisation = factory.SubFactory(OrganisationFactory)
    purpose = "Keep our community healthy."
    vision = "Care closer to home for everyone by 2031."
    ceo_intent = "Shift care out of hospital without losing quality."


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    parent = None
    path = factory.LazyAttribute(
        lambda t: tree.child_path(t.parent.path, t.parent.pk) if t.parent else ""
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.STAFF


class MissionFactory(factory.django.DjangoModelFactory):
    """A team mission by default; pass ``parent`` to place it in the cascade.

    A draft, as a new mission is: under a parent it is not in play (``missions.querysets
    .in_play``), so it has no reviews scheduled, listed or reminded. ``aligned=True`` gives a
    child mission its boss has aligned.
    """

    class Meta:
        model = Mission

    class Params:
        aligned = factory.Trait(alignment_status=Mission.AlignmentStatus.ALIGNED)

    organisation = factory.LazyAttribute(
        lambda m: m.parent.organisation if m.parent else OrganisationFactory()
    )
    level = Mission.Level.TEAM
    title = factory.Sequence(lambda n: f"Mission {n}")
    statement = "Deliver the thing."
    intent = "Because it matters."
    parent = None
    path = factory.LazyAttribute(
        lambda m: tree.child_path(m.parent.path, m.parent.pk) if m.parent else ""
    )
    owner_team = factory.LazyAttribute(
        lambda m: (
            None
            if m.level == Mission.Level.INDIVIDUAL
            else TeamFactory(organisation=m.organisation)
        )
    )
    owner_user = factory.LazyAttribute(
        lambda m: UserFactory() if m.level == Mission.Level.INDIVIDUAL else None
    )
    period_start = PERIOD_START
    period_end = PERIOD_END


def align(*missions: Mission) -> None:
    """Mark missions aligned, as their bosses would have (written straight to the database,
    without the workflow's notifications): in play, so their reviews are scheduled, listed as
    due and reminded."""
    Mission.objects.filter(pk__in=[m.pk for m in missions]).update(
        alignment_status=Mission.AlignmentStatus.ALIGNED
    )
    for mission in missions:
        mission.alignment_status = Mission.AlignmentStatus.ALIGNED
