"""API views for KPIs and their check-ins (``/api/v1/kpis/<id>/check-ins/``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import ActorPermission, require_api
from kernel.permissions import Action
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user

from .. import selectors, services
from ..models import Kpi
from .filters import KpiFilter
from .serializers import KPI_ROW_FIELDS, CheckInSerializer, KpiSerializer, kpi_row

CHECK_IN_EXAMPLE = OpenApiExample(
    "A weekly reading",
    request_only=True,
    value={
        "value": "42.5",
        "confidence": 80,
        "comment": "Two more wards live this week.",
        "recorded_on": "2026-03-06",
    },
)


@extend_schema_view(
    destroy=extend_schema(
        description="Archive the KPI: nothing is deleted, and it stays readable, with "
        '`"status": "archived"`; it takes no more check-ins.'
    )
)
class KpiViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet):
    """Measures of success with their progress and forecast. DELETE archives."""

    queryset = Kpi.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = KpiSerializer
    permission_classes = [permissions.IsAuthenticated, ActorPermission]
    permission_actions = {"check_ins": Action.VIEW}
    filterset_class = KpiFilter
    # ``?cursor=`` keyset pages for clients that walk every row (missionlead.pagination).
    cursor_pagination = True
    ordering_fields = ["id", "due_date", "name", "progress", "updated_at"]

    def get_queryset(self) -> QuerySet[Kpi]:
        return selectors.kpis_for_member(user=signed_in_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The caller's KPIs, 50 a page; filters and ordering as documented."""
        rows = self.filter_queryset(self.get_queryset()).values(*KPI_ROW_FIELDS)
        page = self.paginate_queryset(rows)
        if page is None:  # no paginator configured: every row, as DRF's own list does
            return Response([kpi_row(row) for row in rows])
        return self.get_paginated_response([kpi_row(row) for row in page])

    def perform_create(self, serializer: BaseSerializer[Kpi]) -> None:
        mission = serializer.validated_data["mission"]
        require_api(self.request, Action.EDIT, mission)
        serializer.instance = services.kpi_create(
            mission=mission, data=serializer.validated_data, by=signed_in_user(self.request)
        )

    def perform_update(self, serializer: BaseSerializer[Kpi]) -> None:
        kpi = serializer.instance
        assert kpi is not None, "an update's serializer is built on the KPI (get_object)"
        data = {k: v for k, v in serializer.validated_data.items() if k != "mission"}
        serializer.instance = services.kpi_update(
            kpi=kpi, data=data, by=signed_in_user(self.request)
        )

    def perform_destroy(self, instance: Kpi) -> None:
        services.kpi_archive(kpi=instance, by=signed_in_user(self.request))

    @extend_schema(methods=["GET"], responses=CheckInSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=CheckInSerializer,
        responses={201: CheckInSerializer},
        examples=[CHECK_IN_EXAMPLE],
    )
    @action(detail=True, methods=["get", "post"], url_path="check-ins", filter_backends=[])
    def check_ins(self, request: Request, pk: str) -> Response:
        """The KPI's check-ins, newest first; POST appends one (the caller is the author)."""
        kpi = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.check_ins_of(kpi=kpi))
            return self.get_paginated_response(CheckInSerializer(page, many=True).data)
        require_api(request, Action.CHECK_IN, kpi)
        payload = CheckInSerializer(data=request.data, context={"kpi": kpi})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        supersedes = data.get("supersedes")
        check_in = services.kpi_record_value(
            kpi=kpi,
            value=data["value"],
            confidence=data["confidence"],
            by=signed_in_user(request),
            comment=data.get("comment", ""),
            recorded_on=data.get("recorded_on"),
            supersedes=supersedes,
        )
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)
