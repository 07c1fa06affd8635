"""Reads across every organisation a user belongs to: what the API lists (the pages read one
organisation at a time, through an ``Actor``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from kernel.models import Organisation, Team

from ..models import Interdependency, KeyTask, Mission, MissionTemplate, Period, Vision

if TYPE_CHECKING:
    from kernel.types import User


def organisations_of(*, user: User) -> QuerySet[Organisation]:
    """The organisations the user is a member of (a deactivated membership does not count)."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__deactivated_at=None
    ).order_by("name")


def _member_of(user: User) -> dict[str, User | None]:
    # One filter call, so both conditions hold for the same membership.
    return {
        "organisation__memberships__user": user,
        "organisation__memberships__deactivated_at": None,
    }


def missions_for_member(*, user: User) -> QuerySet[Mission]:
    """Missions of every organisation the user belongs to (the API's lists)."""
    return Mission.objects.filter(**_member_of(user)).order_by("id")


def periods_for_member(*, user: User) -> QuerySet[Period]:
    """The planning periods of every organisation the user belongs to."""
    return Period.objects.filter(**_member_of(user)).order_by("starts_on", "-ends_on", "id")


def teams_for_member(*, user: User) -> QuerySet[Team]:
    return Team.objects.filter(**_member_of(user)).order_by("id")


def visions_for_member(*, user: User) -> QuerySet[Vision]:
    return Vision.objects.filter(**_member_of(user)).order_by("id")


def key_tasks_for_member(*, user: User) -> QuerySet[KeyTask]:
    return KeyTask.objects.filter(
        mission__organisation__memberships__user=user,
        mission__organisation__memberships__deactivated_at=None,
    ).order_by("id")


def interdependencies_for_member(*, user: User) -> QuerySet[Interdependency]:
    return Interdependency.objects.filter(**_member_of(user)).order_by("id")


def mission_templates_for_member(*, user: User) -> QuerySet[MissionTemplate]:
    """The templates of the organisations the user belongs to (the product's are in code)."""
    return MissionTemplate.objects.filter(organisation__memberships__user=user).order_by("id")
