"""Forms for KPIs and check-ins."""

from __future__ import annotations

from typing import Any

from django import forms

from kernel.forms import ServiceModelForm, VersionedForm
from missions.models import Mission

from .models import CheckIn, Kpi
from .services import KPI_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParentKpiField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.mission.title})"


class KpiForm(VersionedForm):
    """A measure of success; it may contribute to a KPI of the parent mission.

    The model's own rules (a cadence of at least a day, a weight not below zero, the range's
    bounds) are checked here, on a copy (``ServiceModelForm``), so they come back beside their
    field; the mission and organisation, which the service sets, are left out of that check.
    Editing, it carries the version it was read at (``VersionedForm``).
    """

    noun = "KPI"

    parent_kpi = ParentKpiField(
        queryset=Kpi.objects.none(),
        required=False,
        label="Contributes to",
        help_text="A measure of the parent mission that this one moves.",
    )

    class Meta:
        model = Kpi
        fields = list(KPI_FIELDS)  # what the KPI services take
        widgets = {"due_date": DATE}
        labels = {"target_max": "Upper bound (ranges only)"}

    def __init__(self, *args: Any, mission: Mission | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = mission.parent if mission is not None else None
        if parent is not None:
            parent_kpi = self.fields["parent_kpi"]
            assert isinstance(parent_kpi, ParentKpiField), "declared above"
            parent_kpi.queryset = Kpi.objects.filter(
                mission=parent, status=Kpi.Status.ACTIVE
            ).select_related("mission")
        else:
            del self.fields["parent_kpi"]


class CheckInForm(ServiceModelForm):
    """Value, confidence and an optional comment: a check-in in two clicks.

    The model's rules (confidence 0–100) are checked here, so the bulk check-in and the CSV
    upload name the field; the KPI and author, which the service sets, are left out."""

    class Meta:
        model = CheckIn
        fields = ["value", "confidence", "comment", "recorded_on"]
        widgets = {
            "recorded_on": DATE,
            "comment": forms.TextInput(),
            "confidence": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }
        labels = {"recorded_on": "Date"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].required = False
