"""Filters of the KPI API (django-filter)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from missions.api.filters import IdFilter, MissionOwnerFilterSet, UpdatedSinceFilter

from ..models import ForecastStatus, Kpi


class KpiFilter(MissionOwnerFilterSet):
    """``?team=`` and ``?owner=`` are those of the KPI's mission."""

    mission_prefix = "mission__"

    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(field_name="mission_id")
    parent_kpi = IdFilter(field_name="parent_kpi_id")
    status = filters.ChoiceFilter(choices=Kpi.Status.choices)
    direction = filters.ChoiceFilter(choices=Kpi.Direction.choices)
    forecast_status = filters.ChoiceFilter(choices=ForecastStatus.choices)
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Kpi
        fields = [
            "organisation",
            "team",
            "owner",
            "mine",
            "mission",
            "parent_kpi",
            "status",
            "direction",
            "forecast_status",
            "updated_since",
        ]
