"""Reads for KPIs and check-ins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import CheckIn, Kpi

if TYPE_CHECKING:
    from kernel.permissions import Actor
    from kernel.types import User


def kpis_for_member(*, user: User) -> QuerySet[Kpi]:
    """KPIs of the user's organisations (their figures are stored columns: one query)."""
    return (
        Kpi.objects.filter(organisation__memberships__user=user)
        .select_related("organisation", "mission__parent")
        .order_by("id")
    )


def kpis_visible_to(*, actor: Actor) -> QuerySet[Kpi]:
    """Every KPI of the actor's organisation: members read the whole cascade, its KPIs with it
    (``missions.selectors.mission_list_visible_to``)."""
    return Kpi.objects.filter(organisation=actor.organisation)


def check_ins_of(*, kpi: Kpi) -> QuerySet[CheckIn]:
    return kpi.check_ins.select_related("author").newest_first()
