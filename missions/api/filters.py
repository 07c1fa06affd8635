"""Filters of the missions API (django-filter), and the filter types the other apps share.

Filters narrow a queryset that a selector has already limited to the caller's organisations,
so an id of another organisation's object simply matches nothing: it is never an error that
would tell the caller the object exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field

from kernel.models import Team
from kernel.querysets import owned_by_person
from missions.querysets import owned_by_teams

from ..models import Interdependency, KeyTask, Mission, Period, Vision

# PostgreSQL's bigint: a larger id is a 400, not a database error.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.Filter):
    """The id of a related object: a whole number (``?mission=12``)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _TrueOrFalseSelect(BooleanWidget):
    """The browsable API's select of yes, no or either, passing what was sent to the field
    as it is (django-filter's widget turns an unknown value into "either")."""

    value_from_datadict = forms.Select.value_from_datadict


class _TrueOrFalse(forms.NullBooleanField):
    """``true`` or ``false`` (any case); empty is no filter. django-filter's own boolean filter
    reads anything else (``?mine=yes``, ``?mine=2``) as no filter at all, so a typo answered
    with everything; here it is a 400."""

    widget = _TrueOrFalseSelect

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # None for empty, as Django's NullBooleanField (its stub ignores the same)
        if isinstance(value, bool):
            return value
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValidationError("Give true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        """Empty is allowed (no filter); ``to_python`` has refused the rest."""


class BooleanFilter(filters.BooleanFilter):
    """A true/false filter that refuses any other value (``_TrueOrFalse``)."""

    field_class = _TrueOrFalse

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _TrueOrFalseSelect)
        super().__init__(*args, **kwargs)


class UtcDateTimeField(forms.DateTimeField):
    """A date-time in UTC. ISO 8601 allows offsets PostgreSQL refuses (``-20:37``) and times
    that leave the calendar when converted (year 1 at +14:00): those are a 400 here, not a
    database error."""

    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(dt.UTC)
        except (OverflowError, ValueError) as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class DateTimeFilter(filters.DateTimeFilter):
    """A date or ISO 8601 date-time, compared in UTC."""

    field_class = UtcDateTimeField


class UpdatedSinceFilter(DateTimeFilter):
    """``?updated_since=2026-01-31`` or an ISO 8601 date-time: changed at or after it."""

    def __init__(self, field_name: str = "updated_at", **kwargs: Any) -> None:
        kwargs.setdefault("label", "Changed at or after this date or ISO 8601 date-time")
        super().__init__(field_name=field_name, lookup_expr="gte", **kwargs)


class MissionOwnerFilterSet(filters.FilterSet):
    """``?team=`` and ``?owner=`` for anything that belongs to a mission (``mission_prefix``)."""

    mission_prefix = ""

    team = IdFilter(method="filter_team", label="Owned by this team, or by a person of this team")
    owner = IdFilter(
        method="filter_owner", label="Owned by this person, in person or as the team's leader"
    )
    mine = BooleanFilter(
        method="filter_mine", label="Owned by the caller (true), or by anyone else (false)"
    )

    def mine_q(self, user_id: int) -> Q:
        return owned_by_person(user_id, prefix=self.mission_prefix)

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        mine = self.mine_q(user.pk)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def filter_team(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        return queryset.filter(owned_by_teams([value], self.mission_prefix))

    def filter_owner(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        return queryset.filter(owned_by_person(value, prefix=self.mission_prefix))


class TeamFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    parent = IdFilter(field_name="parent_id")
    leader = IdFilter(field_name="leader_id")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Team
        fields = ["organisation", "parent", "leader", "updated_since"]


class VisionFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Vision
        fields = ["organisation", "updated_since"]


class PeriodFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Period
        fields = ["organisation", "parent"]


class MissionFilter(MissionOwnerFilterSet):
    organisation = IdFilter(field_name="organisation_id")
    parent = IdFilter(field_name="parent_id")
    period = IdFilter(field_name="period_id")
    parent__isnull = BooleanFilter(
        field_name="parent", lookup_expr="isnull", label="Top of the cascade (no parent)"
    )
    owner_team = IdFilter(field_name="owner_team_id")
    owner_user = IdFilter(field_name="owner_user_id")
    level = filters.ChoiceFilter(choices=Mission.Level.choices)
    status = filters.ChoiceFilter(choices=Mission.Status.choices)
    alignment_status = filters.ChoiceFilter(choices=Mission.AlignmentStatus.choices)
    updated_since = UpdatedSinceFilter()
    # The earlier name of ``updated_since``, kept for the scripts that use it.
    updated_at__gte = UpdatedSinceFilter()

    class Meta:
        model = Mission
        fields = [
            "organisation",
            "team",
            "owner",
            "mine",
            "parent",
            "parent__isnull",
            "owner_team",
            "owner_user",
            "level",
            "status",
            "alignment_status",
            "updated_since",
        ]


class KeyTaskFilter(MissionOwnerFilterSet):
    mission_prefix = "mission__"

    organisation = IdFilter(field_name="mission__organisation_id")
    mission = IdFilter(field_name="mission_id")
    # A key task has an owner of its own: ``?owner=`` and ``?mine=`` are the task's, ``?team=``
    # the mission's.
    owner = IdFilter(field_name="owner_id", label="The task's owner")
    status = filters.ChoiceFilter(choices=KeyTask.Status.choices)
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")
    updated_since = UpdatedSinceFilter()

    def mine_q(self, user_id: int) -> Q:
        return Q(owner_id=user_id)

    class Meta:
        model = KeyTask
        fields = ["organisation", "team", "owner", "mine", "mission", "status", "updated_since"]


class InterdependencyFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(method="filter_mission", label="Either side of the link")
    from_mission = IdFilter(field_name="from_mission_id")
    to_mission = IdFilter(field_name="to_mission_id")
    kind = filters.ChoiceFilter(choices=Interdependency.Kind.choices)
    status = filters.ChoiceFilter(choices=Interdependency.Status.choices)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Interdependency
        fields = ["organisation", "from_mission", "to_mission", "kind", "status"]

    def filter_mission(
        self, queryset: QuerySet[Interdependency], name: str, value: int
    ) -> QuerySet[Interdependency]:
        return queryset.filter(Q(from_mission_id=value) | Q(to_mission_id=value))
