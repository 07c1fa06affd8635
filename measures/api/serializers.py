"""Input and output shapes of the KPI API; progress, forecast and roll-up are the figures
stored on the KPI (computed by measures.figures)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from missionlead.serializers import ModelSerializer
from missions.api.serializers import IdField, MemberScopedField
from missions.models import Mission

from ..models import CheckIn, Kpi
from ..summary import stored_forecast


class ForecastSerializer(serializers.Serializer):
    value_at_due = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=["on_track", "at_risk", "off_track", "unknown"])
    reach_date = serializers.DateField(allow_null=True)
    probability = serializers.FloatField(
        allow_null=True, help_text="The chance (0–1) of meeting the target by the due date."
    )
    low = serializers.FloatField(
        allow_null=True, help_text="The low end of the 80% interval of the value at the due date."
    )
    high = serializers.FloatField(
        allow_null=True, help_text="The high end of the 80% interval of the value at the due date."
    )
    method = serializers.CharField(help_text="How the forecast was made; empty without one.")


class KpiSerializer(ModelSerializer):
    mission = MemberScopedField(queryset=Mission.objects.all())
    parent_kpi = MemberScopedField(queryset=Kpi.objects.all(), allow_null=True, required=False)
    progress = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()
    latest_value = serializers.SerializerMethodField()
    rollup_progress = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = [
            "id",
            "mission",
            "name",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_max",
            "due_date",
            "cadence_days",
            "weight",
            "parent_kpi",
            "status",
            "progress",
            "forecast",
            "latest_value",
            "rollup_progress",
        ]
        read_only_fields = ["status"]

    # Progress, forecast and roll-up are stored on the KPI by measures.services (computed by
    # measures.figures), so a list of KPIs costs no query per KPI.
    def get_progress(self, kpi: Kpi) -> float:
        return round(kpi.progress, 4)

    @extend_schema_field(ForecastSerializer)
    def get_forecast(self, kpi: Kpi) -> dict[str, object]:
        return stored_forecast(kpi).as_dict()

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_latest_value(self, kpi: Kpi) -> float | None:
        return None if kpi.latest_value is None else float(kpi.latest_value)

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True,
            help_text="The progress (0–1) of the active KPIs that contribute to this one, "
            "weighted by their weight; null when none does.",
        )
    )
    def get_rollup_progress(self, kpi: Kpi) -> float | None:
        value = kpi.rollup_progress
        return None if value is None else round(value, 4)


KPI_ROW_FIELDS = (
    "id",
    "mission_id",
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_max",
    "due_date",
    "cadence_days",
    "weight",
    "parent_kpi_id",
    "status",
    "progress",
    "forecast_value",
    "forecast_status",
    "forecast_reach_date",
    "forecast_probability",
    "forecast_low",
    "forecast_high",
    "forecast_method",
    "latest_value",
    "rollup_progress",
)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _decimal(value: Decimal | None, places: int) -> str | None:
    """A decimal as DRF's field writes it: text, with the column's decimal places."""
    return None if value is None else f"{value:.{places}f}"


def kpi_row(row: dict[str, Any]) -> dict[str, Any]:
    """What ``KpiSerializer`` renders, built straight from a ``values()`` row (``KPI_ROW_FIELDS``).

    The KPI list answers 50 of these a request; DRF's fields spent most of its Python time on
    them. tests/measures/test_api.py checks that the list's rows equal the serializer's
    document of each KPI. Dates are left to the JSON renderer (ISO 8601).
    """
    latest = row["latest_value"]
    return {
        "id": row["id"],
        "mission": row["mission_id"],
        "name": row["name"],
        "unit": row["unit"],
        "direction": row["direction"],
        "baseline": _decimal(row["baseline"], 4),
        "target": _decimal(row["target"], 4),
        "target_max": _decimal(row["target_max"], 4),
        "due_date": row["due_date"],
        "cadence_days": row["cadence_days"],
        "weight": _decimal(row["weight"], 2),
        "parent_kpi": row["parent_kpi_id"],
        "status": row["status"],
        "progress": round(row["progress"], 4),
        "forecast": {
            "value_at_due": _rounded(row["forecast_value"]),
            "status": row["forecast_status"],
            "reach_date": row["forecast_reach_date"],
            "probability": _rounded(row["forecast_probability"]),
            "low": _rounded(row["forecast_low"]),
            "high": _rounded(row["forecast_high"]),
            "method": row["forecast_method"],
        },
        "latest_value": None if latest is None else float(latest),
        "rollup_progress": _rounded(row["rollup_progress"]),
    }


class SupersedesField(IdField):
    """A check-in of the KPI being checked in (``context["kpi"]``). Any other id, of another
    KPI or another organisation, answers exactly as an id that does not exist: which ids exist
    elsewhere is none of the caller's business."""

    def get_queryset(self) -> QuerySet[CheckIn]:
        kpi = self.context.get("kpi")
        return CheckIn.objects.filter(kpi=kpi) if kpi is not None else CheckIn.objects.none()


class CheckInSerializer(ModelSerializer):
    """A check-in; ``recorded_on`` and ``comment`` have the model's bounds (from 2000 to
    today; 2,000 characters without control characters)."""

    confidence = serializers.IntegerField(min_value=0, max_value=100, default=70)
    supersedes = SupersedesField(queryset=CheckIn.objects.none(), allow_null=True, required=False)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "kpi",
            "value",
            "confidence",
            "comment",
            "recorded_on",
            "author",
            "supersedes",
            "created_at",
        ]
        read_only_fields = ["kpi", "author", "created_at"]
        extra_kwargs = {"recorded_on": {"required": False}}
