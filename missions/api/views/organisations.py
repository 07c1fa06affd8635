"""API views of organisations and their vision: what the caller's organisations are, and the
vision and CEO's intent each mission aligns to."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import require_api
from kernel.models import Organisation
from kernel.permissions import Action
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user

from ... import selectors, services
from ...models import Period, Vision
from .. import filters
from .. import serializers as s
from .common import API_PERMISSIONS, updated


class OrganisationViewSet(TenantScopedAPIMixin, viewsets.ReadOnlyModelViewSet[Organisation]):
    """The organisations the caller belongs to."""

    queryset = Organisation.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.OrganisationSerializer
    permission_classes = API_PERMISSIONS
    ordering_fields = ["id", "name", "slug"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_of(user=signed_in_user(self.request)).order_by("id")


class VisionViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Vision],
):
    """The vision and CEO's intent of each of the caller's organisations."""

    queryset = Vision.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.VisionSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"update": Action.EDIT_VISION, "partial_update": Action.EDIT_VISION}
    filterset_class = filters.VisionFilter
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self) -> QuerySet[Vision]:
        return selectors.visions_for_member(user=signed_in_user(self.request)).select_related(
            "organisation"
        )

    def perform_create(self, serializer: BaseSerializer[Vision]) -> None:
        organisation = serializer.validated_data["organisation"]
        require_api(self.request, Action.EDIT_VISION, organisation)
        serializer.instance = services.vision_update(
            organisation=organisation,
            data=serializer.validated_data,
            by=signed_in_user(self.request),
        )

    def perform_update(self, serializer: BaseSerializer[Vision]) -> None:
        serializer.instance = services.vision_update(
            organisation=updated(serializer).organisation,
            data=serializer.validated_data,
            by=signed_in_user(self.request),
        )


class PeriodViewSet(TenantScopedAPIMixin, viewsets.ReadOnlyModelViewSet[Period]):
    """The planning periods of the caller's organisations (their admins define them on the
    Periods page); a mission's ``period`` is one of them."""

    queryset = Period.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.PeriodSerializer
    permission_classes = API_PERMISSIONS
    filterset_class = filters.PeriodFilter
    ordering_fields = ["id", "name", "starts_on"]

    def get_queryset(self) -> QuerySet[Period]:
        return selectors.periods_for_member(user=signed_in_user(self.request))
