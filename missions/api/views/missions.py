"""API views of missions: read, write and archive the cascade's missions, and read a
mission's subtree. The alignment actions come from ``alignment``; a mission's version
(``ETag``, ``If-Match``) from ``versions``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, as_serializer_error

from kernel.api.permissions import request_actor, require_api
from kernel.permissions import Action, Actor, can_move
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user

from ... import selectors, services
from ...models import Mission
from ...services.missions import ConflictError
from .. import filters
from .. import serializers as s
from .alignment import MissionAlignmentMixin
from .common import API_PERMISSIONS, updated
from .versions import IF_MATCH, PreconditionFailed, if_match, with_etag

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


@extend_schema_view(
    update=IF_MATCH,
    partial_update=IF_MATCH,
    destroy=extend_schema(
        description="Archive the mission: nothing is deleted, and it stays readable, with "
        '`"status": "archived"`, for its history.'
    ),
)
class MissionViewSet(TenantScopedAPIMixin, MissionAlignmentMixin, viewsets.ModelViewSet[Mission]):
    """Missions of the cascade. DELETE archives; nothing is ever deleted.

    A mission's ``ETag`` is its version: send it back in ``If-Match`` with a PUT or PATCH, and
    the change is refused (412) if someone changed the mission in between. A PATCH without it
    changes only the fields it sends, whatever else changed meanwhile.
    """

    queryset = Mission.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.MissionSerializer
    permission_classes = API_PERMISSIONS
    filterset_class = filters.MissionFilter
    # ``?cursor=`` keyset pages for clients that walk every row (missionlead.pagination).
    cursor_pagination = True
    ordering_fields = ["id", "title", "level", "period_start", "period_end", "updated_at"]

    def get_queryset(self) -> QuerySet[Mission]:
        queryset = selectors.missions_for_member(user=signed_in_user(self.request))
        if self.detail:
            queryset = queryset.select_related("organisation", "parent")
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The caller's missions, 50 a page; filters and ordering as documented."""
        rows = self.filter_queryset(self.get_queryset()).values(*s.MISSION_ROW_FIELDS)
        page = self.paginate_queryset(rows)
        if page is None:  # no paginator configured: every row, as DRF's own list does
            return Response([s.mission_row(row) for row in rows])
        return self.get_paginated_response([s.mission_row(row) for row in page])

    @extend_schema(examples=[MISSION_CREATE_EXAMPLE])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write a mission, as a draft: under ``parent`` (a child) or at the top."""
        return with_etag(super().create(request, *args, **kwargs))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return with_etag(super().retrieve(request, *args, **kwargs))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return with_etag(super().update(request, *args, **kwargs))

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
                organisation=data["organisation"], data=data, by=signed_in_user(self.request)
            )

    def perform_update(self, serializer: BaseSerializer[Mission]) -> None:
        data = serializer.validated_data
        mission = updated(serializer)
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
        read_at = if_match(self.request)
        with _operating_space_errors():
            try:
                serializer.instance = services.mission_update(
                    mission=mission, data=data, by=signed_in_user(self.request), read_at=read_at
                )
            except ConflictError as error:
                raise PreconditionFailed(" ".join(error.messages)) from error

    def perform_destroy(self, instance: Mission) -> None:
        services.mission_archive(mission=instance, by=signed_in_user(self.request))

    @extend_schema(responses=s.MissionTreeSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def tree(self, request: Request, pk: str) -> Response:
        """The mission and all its descendants, nested under ``children``."""
        return Response(selectors.mission_tree(mission=self.get_object()))
