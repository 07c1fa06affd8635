"""Filters of the stakeholders API: narrowing what the caller may read already, so an id of
something they may not read matches nothing (never an error that tells it exists)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from missions.api.filters import IdFilter

from ..models import Stakeholder


class StakeholderFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(field_name="mission_id", label="The mission whose map it is on")
    plan_owner = IdFilter(field_name="plan_owner_id", label="The owner of its plan")
    due_by = filters.DateFilter(
        field_name="next_contact_on", lookup_expr="lte", label="Next contact on or before"
    )

    class Meta:
        model = Stakeholder
        fields: list[str] = []
