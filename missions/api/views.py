"""API views of the missions app.

Querysets come from selectors (the caller's organisations only, so another organisation's
object answers 404); object permissions from ``kernel.permissions`` through
``ActorPermission``; writes through ``missions.services``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, as_serializer_error

from kernel import services as kernel_services
from kernel.api.permissions import ActorPermission, request_actor, require_api
from kernel.models import Invitation, Membership, Organisation, Team
from kernel.permissions import Action, Actor, can_move
from kernel.tenancy import TenantScopedAPIMixin

from .. import selectors, services
from ..models import Interdependency, KeyTask, Mission, Vision
from ..services.missions import ConflictError
from . import filters
from . import serializers as s

API_PERMISSIONS = [permissions.IsAuthenticated, ActorPermission]

MISSION_CREATE_EXAMPLE = OpenApiExample(
    "A team mission under its parent",
    request_only=True,
    value={
        "level": "team",
        "title": "Discharge to assess",
        "statement": "Assess patients at home, not on the ward.",
        "intent": "Free beds and get people home sooner.",
        "parent": 2,
        "owner_team": 3,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "operating_space": {
            "deadline": "2026-11-30",
            "scope": "The two community wards",
            "budget": "25000.00",
            "headcount": 3,
            "constraints": "Clinical governance rules apply.",
            "decision_rights": {
                "free": ["rota", "visit order"],
                "consult": ["discharge criteria"],
                "must_not": ["close beds"],
            },
        },
    },
)
ALIGNMENT_EXAMPLES = {
    "propose": OpenApiExample(
        "Put forward", request_only=True, value={"comment": "Ready for your review."}
    ),
    "align": OpenApiExample("Align", request_only=True, value={"comment": "Aligned: go."}),
    "send_back": OpenApiExample(
        "Send back",
        request_only=True,
        value={"comment": "The deadline is after ours; bring it to November."},
    ),
}


class PreconditionFailed(APIException):
    """``If-Match`` names another version of the mission than the one stored: someone changed
    it since the client read it; ``detail`` says who and when."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The mission changed since the version that If-Match names."
    default_code = "precondition_failed"


CONFLICT_DETAIL = inline_serializer("ConflictDetail", {"detail": serializers.CharField()})
CONFLICT_RESPONSE = OpenApiResponse(
    CONFLICT_DETAIL,
    description="Someone decided a moment before; ``detail`` says who, what and when.",
)
IF_MATCH = extend_schema(
    parameters=[
        OpenApiParameter(
            "If-Match",
            str,
            OpenApiParameter.HEADER,
            description="Optional: the ``ETag`` of the mission as read (a GET answers it). "
            "The change is made only if nobody changed the mission since; otherwise 412.",
        )
    ],
    responses={
        200: s.MissionSerializer,
        412: OpenApiResponse(
            CONFLICT_DETAIL,
            description="Someone changed the mission since the version that If-Match names; "
            "``detail`` says who and when.",
        ),
    },
)


def _with_etag(response: Response) -> Response:
    """A mission's ``ETag`` is its ``updated_at`` as the API writes it: the version a client
    sends back in ``If-Match``."""
    data = response.data if response.status_code < 300 else None
    if isinstance(data, dict) and data.get("updated_at"):
        response["ETag"] = f'"{data["updated_at"]}"'
    return response


def _if_match(request: Request) -> dt.datetime | None:
    """The version of the mission that ``If-Match`` names (one ``ETag``), or None without the
    header or with ``*``. A value that names no version cannot match: 412."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    read_at = None
    if len(header) > 2 and header[0] == header[-1] == '"':
        try:
            read_at = dt.datetime.fromisoformat(header[1:-1])
        except ValueError:
            read_at = None
    if read_at is None or read_at.tzinfo is None:
        raise PreconditionFailed("If-Match names no version of this mission: send its ETag.")
    return read_at


# Operating-space fields are nested in the API (``operating_space``) but flat on the model: a
# service's error about one of them goes under ``operating_space``, where the caller sent it.
OPERATING_SPACE_FIELDS = frozenset(s.OperatingSpaceSerializer().fields)


@contextmanager
def _operating_space_errors() -> Iterator[None]:
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        errors = as_serializer_error(error)
        nested = {k: v for k, v in errors.items() if k in OPERATING_SPACE_FIELDS}
        if not nested:
            raise
        rest = {k: v for k, v in errors.items() if k not in OPERATING_SPACE_FIELDS}
        raise ValidationError({**rest, "operating_space": nested}) from error


def _owner_errors(
    actor: Actor, data: dict[str, Any], parent: Mission | None, current: Mission | None = None
) -> dict[str, list[str]]:
    """The owners the browser form would not offer this writer (organisation admins may give a
    mission to any team or person of the organisation; the serializer checked that)."""
    if actor.is_admin:
        return {}
    errors: dict[str, list[str]] = {}
    team, person = data.get("owner_team"), data.get("owner_user")
    if team is not None and (current is None or team.pk != current.owner_team_id):
        teams = selectors.mission_owner_teams(actor=actor, parent=parent, current=current)
        if not teams.filter(pk=team.pk).exists():
            errors["owner_team"] = [
                "Choose a team you lead, or the parent mission's team or a team under it."
            ]
    if person is not None and (current is None or person.pk != current.owner_user_id):
        people = selectors.mission_owner_people(actor=actor, parent=parent, current=current)
        if not people.filter(pk=person.pk).exists():
            errors["owner_user"] = [
                "Choose yourself, the parent mission's owner or a person of its team."
            ]
    return errors


class OrganisationViewSet(TenantScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The organisations the caller belongs to."""

    queryset = Organisation.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.OrganisationSerializer
    permission_classes = API_PERMISSIONS
    ordering_fields = ["id", "name", "slug"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_of(user=self.request.user).order_by("id")


class TeamViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet):
    """Teams; organisation admins create and change them."""

    queryset = Team.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.TeamSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {
        "update": Action.MANAGE_ORGANISATION,
        "partial_update": Action.MANAGE_ORGANISATION,
        "destroy": Action.MANAGE_ORGANISATION,
    }
    filterset_class = filters.TeamFilter
    ordering_fields = ["id", "name", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Team]:
        return selectors.teams_for_member(user=self.request.user).select_related("organisation")

    def perform_create(self, serializer: BaseSerializer[Team]) -> None:
        data = serializer.validated_data
        require_api(self.request, Action.MANAGE_ORGANISATION, data["organisation"])
        serializer.instance = kernel_services.team_create(
            organisation=data["organisation"],
            name=data["name"],
            parent=data.get("parent"),
            leader=data.get("leader"),
            by=self.request.user,
        )

    def perform_update(self, serializer: BaseSerializer[Team]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        serializer.instance = kernel_services.team_update(
            team=serializer.instance, data=data, by=self.request.user
        )


class VisionViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The vision and CEO's intent of each of the caller's organisations."""

    queryset = Vision.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.VisionSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"update": Action.EDIT_VISION, "partial_update": Action.EDIT_VISION}
    filterset_class = filters.VisionFilter
    ordering_fields = ["id", "updated_at"]

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


@extend_schema_view(
    update=IF_MATCH,
    partial_update=IF_MATCH,
    destroy=extend_schema(
        description="Archive the mission: nothing is deleted, and it stays readable, with "
        '`"status": "archived"`, for its history.'
    ),
)
class MissionViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet):
    """Missions of the cascade. DELETE archives; nothing is ever deleted.

    A mission's ``ETag`` is its version: send it back in ``If-Match`` with a PUT or PATCH, and
    the change is refused (412) if someone changed the mission in between. A PATCH without it
    changes only the fields it sends, whatever else changed meanwhile.
    """

    queryset = Mission.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.MissionSerializer
    permission_classes = API_PERMISSIONS
    filterset_class = filters.MissionFilter
    ordering_fields = ["id", "title", "level", "period_start", "period_end", "updated_at"]

    def get_queryset(self) -> QuerySet[Mission]:
        queryset = selectors.missions_for_member(user=self.request.user)
        if self.detail:
            queryset = queryset.select_related("organisation", "parent")
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The caller's missions, 50 a page; filters and ordering as documented."""
        rows = self.filter_queryset(self.get_queryset()).values(*s.MISSION_ROW_FIELDS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([s.mission_row(row) for row in page])

    @extend_schema(examples=[MISSION_CREATE_EXAMPLE])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write a mission, as a draft: under ``parent`` (a child) or at the top."""
        return _with_etag(super().create(request, *args, **kwargs))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _with_etag(super().retrieve(request, *args, **kwargs))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _with_etag(super().update(request, *args, **kwargs))

    def perform_create(self, serializer: BaseSerializer[Mission]) -> None:
        data = serializer.validated_data
        if data.get("parent") is not None:
            actor = require_api(self.request, Action.CREATE_CHILD, data["parent"])
        else:
            actor = require_api(self.request, Action.CREATE_TOP_MISSION, data["organisation"])
        errors = _owner_errors(actor, data, data.get("parent"))
        if errors:
            raise ValidationError(errors)
        with _operating_space_errors():
            serializer.instance = services.mission_create(
                organisation=data["organisation"], data=data, by=self.request.user
            )

    def perform_update(self, serializer: BaseSerializer[Mission]) -> None:
        data = serializer.validated_data
        mission = serializer.instance
        actor = request_actor(self.request, mission.organisation)
        if actor is None:  # ActorPermission answered 404 already; never reached
            raise NotFound
        # A mission's place in the cascade is its bosses' decision: the service checks the
        # same rule; asking it first answers 403 before any other error.
        moves = "parent" in data and getattr(data["parent"], "pk", None) != mission.parent_id
        if moves and not can_move(actor, mission, data["parent"]):
            raise PermissionDenied
        errors = _owner_errors(actor, data, data.get("parent", mission.parent), mission)
        if errors:
            raise ValidationError(errors)
        read_at = _if_match(self.request)
        with _operating_space_errors():
            try:
                serializer.instance = services.mission_update(
                    mission=serializer.instance, data=data, by=self.request.user, read_at=read_at
                )
            except ConflictError as error:
                raise PreconditionFailed(" ".join(error.messages)) from error

    def perform_destroy(self, instance: Mission) -> None:
        services.mission_archive(mission=instance, by=self.request.user)

    @extend_schema(responses=s.MissionTreeSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def tree(self, request: Request, pk: str) -> Response:
        """The mission and all its descendants, nested under ``children``."""
        return Response(selectors.mission_tree(mission=self.get_object()))

    def _alignment(
        self, service: Any, request: Request, payload_class: type = s.AlignmentActionSerializer
    ) -> Response:
        mission = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        # A decision someone made first is a StateConflict: the API's handler answers 409.
        mission = service(
            mission=mission, by=request.user, comment=payload.validated_data["comment"]
        )
        return Response(self.get_serializer(mission).data)

    @extend_schema(
        request=s.AlignmentActionSerializer,
        responses={200: s.MissionSerializer, 409: CONFLICT_RESPONSE},
        examples=[ALIGNMENT_EXAMPLES["propose"]],
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str) -> Response:
        """The owner puts the mission forward for alignment."""
        return self._alignment(services.mission_propose, request)

    @extend_schema(
        request=s.AlignmentActionSerializer,
        responses={200: s.MissionSerializer, 409: CONFLICT_RESPONSE},
        examples=[ALIGNMENT_EXAMPLES["align"]],
    )
    @action(detail=True, methods=["post"])
    def align(self, request: Request, pk: str) -> Response:
        """The parent mission's owner aligns (approves) the mission."""
        return self._alignment(services.mission_align, request)

    @extend_schema(
        request=s.SendBackSerializer,
        responses={200: s.MissionSerializer, 409: CONFLICT_RESPONSE},
        examples=[ALIGNMENT_EXAMPLES["send_back"]],
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str) -> Response:
        """The parent mission's owner sends the mission back, saying what needs to change."""
        return self._alignment(services.mission_send_back, request, s.SendBackSerializer)


class KeyTaskViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet):
    """Key tasks; whoever may edit the mission manages its tasks."""

    queryset = KeyTask.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.KeyTaskSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"destroy": Action.EDIT}
    filterset_class = filters.KeyTaskFilter
    ordering_fields = ["id", "due_date", "status", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[KeyTask]:
        return selectors.key_tasks_for_member(user=self.request.user).select_related(
            "mission__organisation", "mission__parent"
        )

    def perform_create(self, serializer: BaseSerializer[KeyTask]) -> None:
        mission = serializer.validated_data["mission"]
        require_api(self.request, Action.EDIT, mission)
        _check_task_owner(serializer.validated_data, mission)
        serializer.instance = services.key_task_create(
            mission=mission, data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer: BaseSerializer[KeyTask]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "mission"}
        task = serializer.instance
        if data.get("owner") is not None and data["owner"].pk != task.owner_id:
            _check_task_owner(data, task.mission)
        serializer.instance = services.key_task_update(
            task=serializer.instance, data=data, by=self.request.user
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
    viewsets.GenericViewSet,
):
    """Links between missions; the asked side answers through ``respond``."""

    queryset = Interdependency.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.InterdependencySerializer
    permission_classes = API_PERMISSIONS
    # Reading the link is enough to reach ``respond``; it then checks the asked mission.
    permission_actions = {"respond": Action.VIEW}
    filterset_class = filters.InterdependencyFilter
    ordering_fields = ["id", "created_at", "updated_at", "status"]

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
            link=link, status=payload.validated_data["status"], by=request.user
        )
        return Response(self.get_serializer(link).data, status=status.HTTP_200_OK)


class InvitationViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations of the organisations the caller administers: invite by email with a role
    and a team (the link goes to that address), list them, resend or revoke one."""

    queryset = Invitation.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.InvitationSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {
        "retrieve": Action.MANAGE_ORGANISATION,
        "revoke": Action.MANAGE_ORGANISATION,
        "resend": Action.MANAGE_ORGANISATION,
    }
    ordering_fields = ["id", "created_at", "email"]

    def get_queryset(self) -> QuerySet[Invitation]:
        return (
            Invitation.objects.filter(
                organisation__memberships__user=self.request.user,
                organisation__memberships__role=Membership.Role.ADMIN,
            )
            .select_related("organisation", "team")
            .order_by("-created_at", "-id")
        )

    def perform_create(self, serializer: BaseSerializer[Invitation]) -> None:
        data = serializer.validated_data
        organisation = data.get("organisation") or self._only_administered()
        require_api(self.request, Action.MANAGE_ORGANISATION, organisation)
        # A refusal is answered by the API's exception handler: 400, or 409 for a state.
        serializer.instance = kernel_services.invitation_create(
            organisation=organisation,
            email=data["email"],
            role=data.get("role", Membership.Role.STAFF),
            team=data.get("team"),
            by=self.request.user,
        )

    def _only_administered(self) -> Organisation:
        administered = list(
            Organisation.objects.filter(
                memberships__user=self.request.user, memberships__role=Membership.Role.ADMIN
            )[:2]
        )
        if not administered:  # nobody to invite for: no organisation of theirs allows it
            raise PermissionDenied
        if len(administered) > 1:
            raise ValidationError({"organisation": ["Say which organisation to invite to."]})
        return administered[0]

    def _act(self, service: Any) -> Response:
        invitation = service(invitation=self.get_object(), by=self.request.user)
        return Response(self.get_serializer(invitation).data)

    @extend_schema(request=None, responses={200: s.InvitationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Turn the invitation's link off."""
        return self._act(kernel_services.invitation_revoke)

    @extend_schema(request=None, responses={200: s.InvitationSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        """Send the invitation again, with a new link valid for another week."""
        return self._act(kernel_services.invitation_resend)
