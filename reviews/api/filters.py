"""Filters of the reviews, findings and notifications API (django-filter)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from kernel.models import Notification
from missions.api.filters import (
    BooleanFilter,
    DateTimeFilter,
    IdFilter,
    MissionOwnerFilterSet,
    UpdatedSinceFilter,
)

from ..models import PREDICTED_KINDS, Comment, Finding, Review


class ReviewFilter(MissionOwnerFilterSet):
    """``?team=`` and ``?owner=`` are those of the reviewed mission."""

    mission_prefix = "mission__"

    organisation = IdFilter(field_name="mission__organisation_id")
    mission = IdFilter(field_name="mission_id")
    status = filters.ChoiceFilter(choices=Review.Status.choices)
    due_date__gte = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_date__lte = filters.DateFilter(field_name="due_date", lookup_expr="lte")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Review
        fields = ["organisation", "team", "owner", "mine", "mission", "status", "updated_since"]


class FindingFilter(MissionOwnerFilterSet):
    """``?open=true`` for the findings that still hold, ``false`` for the resolved ones;
    ``?updated_since=`` for those opened or resolved since."""

    mission_prefix = "mission__"

    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(field_name="mission_id")
    kind = filters.ChoiceFilter(choices=Finding.Kind.choices)
    severity = filters.ChoiceFilter(choices=Finding.Severity.choices)
    open = BooleanFilter(method="filter_open", label="Open (not resolved)")
    predicted = BooleanFilter(
        method="filter_predicted", label="Predicted (expected to happen, not happened yet)"
    )
    updated_since = DateTimeFilter(
        method="filter_updated_since", label="Opened or resolved at or after this date-time"
    )

    class Meta:
        model = Finding
        fields = [
            "organisation",
            "team",
            "owner",
            "mine",
            "mission",
            "kind",
            "severity",
            "open",
            "predicted",
        ]

    def filter_open(self, queryset: QuerySet[Finding], name: str, value: bool) -> QuerySet[Finding]:
        return queryset.filter(resolved_at__isnull=value)

    def filter_predicted(
        self, queryset: QuerySet[Finding], name: str, value: bool
    ) -> QuerySet[Finding]:
        predicted = Q(kind__in=PREDICTED_KINDS)
        return queryset.filter(predicted if value else ~predicted)

    def filter_updated_since(
        self, queryset: QuerySet[Finding], name: str, value: dt.datetime
    ) -> QuerySet[Finding]:
        return queryset.filter(Q(opened_at__gte=value) | Q(resolved_at__gte=value))


class NotificationFilter(filters.FilterSet):
    """``?unread=true`` for the unread ones (``read_at__isnull`` is its earlier name)."""

    organisation = IdFilter(field_name="organisation_id")
    kind = filters.ChoiceFilter(choices=Notification.Kind.choices)
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread")
    done = BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True, label="Done")
    read_at__isnull = BooleanFilter(field_name="read_at", lookup_expr="isnull")
    updated_since = DateTimeFilter(
        method="filter_updated_since", label="Created or read at or after this date-time"
    )

    class Meta:
        model = Notification
        fields = ["organisation", "kind", "unread"]

    def filter_updated_since(
        self, queryset: QuerySet[Notification], name: str, value: dt.datetime
    ) -> QuerySet[Notification]:
        return queryset.filter(Q(created_at__gte=value) | Q(read_at__gte=value))


class InboxFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    kind = filters.ChoiceFilter(choices=Notification.Kind.choices)

    class Meta:
        model = Notification
        fields = ["organisation", "kind"]


class CommentFilter(filters.FilterSet):
    """``?mission=`` for a mission's whole conversation (its KPIs', key tasks' and reviews'
    comments with its own); ``?kpi=``, ``?key_task=``, ``?review=`` for one of those;
    ``?parent=`` for a thread's replies."""

    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(field_name="mission_id")
    kpi = IdFilter(field_name="kpi_id")
    key_task = IdFilter(field_name="key_task_id")
    review = IdFilter(field_name="review_id")
    parent = IdFilter(field_name="parent_id")
    author = IdFilter(field_name="author_id")

    class Meta:
        model = Comment
        fields: list[str] = []
