"""API views of the missions app.

Querysets come from selectors (the caller's organisations only, so another organisation's
object answers 404); object permissions from ``missions.permissions`` through
``ActorPermission``; writes through ``missions.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from .. import selectors, services
from ..models import Interdependency, KeyTask, Mission, Organisation, Team, Vision
from ..permissions import Action
from . import serializers as s
from .permissions import ActorPermission, require_api

API_PERMISSIONS = [permissions.IsAuthenticated, ActorPermission]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisations the caller belongs to."""

    serializer_class = s.OrganisationSerializer
    permission_classes = API_PERMISSIONS
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_of(user=self.request.user).order_by("id")


class TeamViewSet(viewsets.ModelViewSet):
    """Teams; organisation admins create and change them."""

    serializer_class = s.TeamSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {
        "update": Action.MANAGE_ORGANISATION,
        "partial_update": Action.MANAGE_ORGANISATION,
        "destroy": Action.MANAGE_ORGANISATION,
    }
    filterset_fields = ["organisation", "parent", "leader"]
    ordering_fields = ["id", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Team]:
        return selectors.teams_for_member(user=self.request.user).select_related("organisation")

    def perform_create(self, serializer: BaseSerializer[Team]) -> None:
        data = serializer.validated_data
        require_api(self.request, Action.MANAGE_ORGANISATION, data["organisation"])
        serializer.instance = services.team_create(
            organisation=data["organisation"],
            name=data["name"],
            parent=data.get("parent"),
            leader=data.get("leader"),
        )

    def perform_update(self, serializer: BaseSerializer[Team]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        serializer.instance = services.team_update(
            team=serializer.instance, data=data, by=self.request.user
        )


class VisionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The vision and CEO's intent of each of the caller's organisations."""

    serializer_class = s.VisionSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"update": Action.EDIT_VISION, "partial_update": Action.EDIT_VISION}
    filterset_fields = ["organisation"]

    def get_queryset(self) -> QuerySet[Vision]:
        return selectors.visions_for_member(user=self.request.user).select_related("organisation")

    def perform_create(self, serializer: BaseSerializer[Vision]) -> None:
        organisation = serializer.validated_data["organisation"]
        require_api(self.request, Action.EDIT_VISION, organisation)
        serializer.instance = services.vision_update(
            organisation=organisation, data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer: BaseSerializer[Vision]) -> None:
        serializer.instance = services.vision_update(
            organisation=serializer.instance.organisation,
            data=serializer.validated_data,
            by=self.request.user,
        )


class MissionViewSet(viewsets.ModelViewSet):
    """Missions of the cascade. DELETE archives; nothing is ever deleted."""

    serializer_class = s.MissionSerializer
    permission_classes = API_PERMISSIONS
    filterset_fields = {
        "organisation": ["exact"],
        "parent": ["exact", "isnull"],
        "level": ["exact"],
        "status": ["exact"],
        "alignment_status": ["exact"],
        "owner_team": ["exact"],
        "owner_user": ["exact"],
        "updated_at": ["gte"],
    }
    ordering_fields = ["id", "title", "period_end", "updated_at"]

    def get_queryset(self) -> QuerySet[Mission]:
        queryset = selectors.missions_for_member(user=self.request.user)
        if self.detail:
            queryset = queryset.select_related("organisation", "parent")
        return queryset

    def perform_create(self, serializer: BaseSerializer[Mission]) -> None:
        data = serializer.validated_data
        if data.get("parent") is not None:
            require_api(self.request, Action.CREATE_CHILD, data["parent"])
        else:
            require_api(self.request, Action.CREATE_TOP_MISSION, data["organisation"])
        serializer.instance = services.mission_create(
            organisation=data["organisation"], data=data, by=self.request.user
        )

    def perform_update(self, serializer: BaseSerializer[Mission]) -> None:
        data = serializer.validated_data
        new_parent = data.get("parent")
        if new_parent is not None and new_parent.pk != serializer.instance.parent_id:
            require_api(self.request, Action.CREATE_CHILD, new_parent)
        serializer.instance = services.mission_update(
            mission=serializer.instance, data=data, by=self.request.user
        )

    def perform_destroy(self, instance: Mission) -> None:
        services.mission_archive(mission=instance, by=self.request.user)

    @extend_schema(responses={200: OpenApiResponse(description="The mission with nested children")})
    @action(detail=True, methods=["get"])
    def tree(self, request: Request, pk: str) -> Response:
        """The mission and all its descendants, nested under ``children``."""
        return Response(selectors.mission_tree(mission=self.get_object()))

    def _alignment(self, service: Any, request: Request) -> Response:
        mission = self.get_object()
        payload = s.AlignmentActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mission = service(
            mission=mission, by=request.user, comment=payload.validated_data["comment"]
        )
        return Response(self.get_serializer(mission).data)

    @extend_schema(request=s.AlignmentActionSerializer, responses=s.MissionSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str) -> Response:
        """The owner puts the mission forward for alignment."""
        return self._alignment(services.mission_propose, request)

    @extend_schema(request=s.AlignmentActionSerializer, responses=s.MissionSerializer)
    @action(detail=True, methods=["post"])
    def align(self, request: Request, pk: str) -> Response:
        """The parent mission's owner aligns (approves) the mission."""
        return self._alignment(services.mission_align, request)

    @extend_schema(request=s.AlignmentActionSerializer, responses=s.MissionSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str) -> Response:
        """The parent mission's owner sends the mission back with a comment."""
        return self._alignment(services.mission_send_back, request)


class KeyTaskViewSet(viewsets.ModelViewSet):
    """Key tasks; whoever may edit the mission manages its tasks."""

    serializer_class = s.KeyTaskSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"destroy": Action.EDIT}
    filterset_fields = ["mission", "owner", "status"]
    ordering_fields = ["id", "due_date"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[KeyTask]:
        return selectors.key_tasks_for_member(user=self.request.user).select_related(
            "mission__organisation", "mission__parent"
        )

    def perform_create(self, serializer: BaseSerializer[KeyTask]) -> None:
        mission = serializer.validated_data["mission"]
        require_api(self.request, Action.EDIT, mission)
        serializer.instance = services.key_task_create(
            mission=mission, data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer: BaseSerializer[KeyTask]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "mission"}
        serializer.instance = services.key_task_update(
            task=serializer.instance, data=data, by=self.request.user
        )


class InterdependencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Links between missions; the asked side answers through ``respond``."""

    serializer_class = s.InterdependencySerializer
    permission_classes = API_PERMISSIONS
    # Reading the link is enough to reach ``respond``; it then checks the asked mission.
    permission_actions = {"respond": Action.VIEW}
    filterset_fields = ["organisation", "from_mission", "to_mission", "kind", "status"]

    def get_queryset(self) -> QuerySet[Interdependency]:
        return selectors.interdependencies_for_member(user=self.request.user).select_related(
            "organisation", "from_mission", "to_mission__parent"
        )

    def perform_create(self, serializer: BaseSerializer[Interdependency]) -> None:
        data = serializer.validated_data
        require_api(self.request, Action.EDIT, data["from_mission"])
        serializer.instance = services.interdependency_create(
            from_mission=data["from_mission"],
            to_mission=data["to_mission"],
            kind=data["kind"],
            description=data.get("description", ""),
            by=self.request.user,
        )

    @extend_schema(
        request=s.InterdependencyRespondSerializer, responses=s.InterdependencySerializer
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        """Acknowledge, decline or resolve: the owner of the other mission answers."""
        link = self.get_object()
        payload = s.InterdependencyRespondSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        require_api(request, Action.EDIT, link.to_mission)
        link = services.interdependency_respond(
            link=link, status=payload.validated_data["status"], by=request.user
        )
        return Response(self.get_serializer(link).data, status=status.HTTP_200_OK)
