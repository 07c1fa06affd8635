"""API views of the work that delivers missions: key tasks, and the interdependencies between
missions (one asks, the other answers)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import require_api
from kernel.permissions import Action
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user

from ... import selectors, services
from ...models import Interdependency, KeyTask, Mission
from .. import filters
from .. import serializers as s
from .common import API_PERMISSIONS, updated


class KeyTaskViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet[KeyTask]):
    """Key tasks; whoever may edit the mission manages its tasks."""

    queryset = KeyTask.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.KeyTaskSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"destroy": Action.EDIT}
    filterset_class = filters.KeyTaskFilter
    ordering_fields = ["id", "due_date", "status", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[KeyTask]:
        return selectors.key_tasks_for_member(user=signed_in_user(self.request)).select_related(
            "mission__organisation", "mission__parent"
        )

    def perform_create(self, serializer: BaseSerializer[KeyTask]) -> None:
        mission = serializer.validated_data["mission"]
        require_api(self.request, Action.EDIT, mission)
        _check_task_owner(serializer.validated_data, mission)
        serializer.instance = services.key_task_create(
            mission=mission, data=serializer.validated_data, by=signed_in_user(self.request)
        )

    def perform_update(self, serializer: BaseSerializer[KeyTask]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "mission"}
        task = updated(serializer)
        if data.get("owner") is not None and data["owner"].pk != task.owner_id:
            _check_task_owner(data, task.mission)
        serializer.instance = services.key_task_update(
            task=task, data=data, by=signed_in_user(self.request)
        )


def _check_task_owner(data: dict[str, Any], mission: Mission) -> None:
    """A key task is owned by the mission's owner or a person of its owner team (as in the
    browser form)."""
    owner = data.get("owner")
    people = selectors.key_task_owner_people(mission=mission)
    if owner is not None and not people.filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": ["Choose the mission's owner or a person of its owner team."]}
        )


class InterdependencyViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Interdependency],
):
    """Links between missions; the asked side answers through ``respond``, the asking side
    corrects what it says with ``PATCH``."""

    queryset = Interdependency.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.InterdependencySerializer
    permission_classes = API_PERMISSIONS
    # Reading the link is enough to reach ``respond`` and ``PATCH``; each then checks its
    # side's mission (the asked one answers, the asking one corrects).
    permission_actions = {"respond": Action.VIEW, "partial_update": Action.VIEW}
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = filters.InterdependencyFilter
    ordering_fields = ["id", "created_at", "updated_at", "status"]

    def get_queryset(self) -> QuerySet[Interdependency]:
        return selectors.interdependencies_for_member(
            user=signed_in_user(self.request)
        ).select_related("organisation", "from_mission", "to_mission__parent")

    def perform_create(self, serializer: BaseSerializer[Interdependency]) -> None:
        data = serializer.validated_data
        require_api(self.request, Action.EDIT, data["from_mission"])
        serializer.instance = services.interdependency_create(
            from_mission=data["from_mission"],
            to_mission=data["to_mission"],
            kind=data["kind"],
            description=data.get("description", ""),
            by=signed_in_user(self.request),
            for_task=data.get("for_task"),
        )

    @extend_schema(
        request=s.InterdependencyChangeSerializer,
        responses=s.InterdependencySerializer,
        examples=[
            OpenApiExample(
                "Correct the description",
                request_only=True,
                value={"description": "Transport for the home visits, two days a week."},
            )
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Correct an open link's description or the key task it is for: the asking
        mission's owner (or their boss) does, through the service the page uses."""
        link = self.get_object()
        require_api(request, Action.EDIT, link.from_mission)
        payload = s.InterdependencyChangeSerializer(
            link, data=request.data, partial=True, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        link = services.interdependency_update(
            link=link, data=payload.validated_data, by=signed_in_user(request)
        )
        return Response(self.get_serializer(link).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=s.InterdependencyRespondSerializer,
        responses=s.InterdependencySerializer,
        examples=[
            OpenApiExample("Acknowledge", request_only=True, value={"status": "acknowledged"})
        ],
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        """Acknowledge, decline or resolve: the owner of the other mission answers."""
        link = self.get_object()
        # Permission before validation, as on every other route: 403 whatever the body.
        require_api(request, Action.EDIT, link.to_mission)
        payload = s.InterdependencyRespondSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        link = services.interdependency_respond(
            link=link, status=payload.validated_data["status"], by=signed_in_user(request)
        )
        return Response(self.get_serializer(link).data, status=status.HTTP_200_OK)
