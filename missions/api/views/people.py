"""API views of people: the teams of an organisation, and invitations to join it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel import services as kernel_services
from kernel.api.permissions import require_api
from kernel.models import Invitation, Membership, Organisation, Team
from kernel.permissions import Action
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user

from ... import selectors
from .. import filters
from .. import serializers as s
from .common import API_PERMISSIONS, updated


class TeamViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet[Team]):
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
        return selectors.teams_for_member(user=signed_in_user(self.request)).select_related(
            "organisation"
        )

    def perform_create(self, serializer: BaseSerializer[Team]) -> None:
        data = serializer.validated_data
        require_api(self.request, Action.MANAGE_ORGANISATION, data["organisation"])
        serializer.instance = kernel_services.team_create(
            organisation=data["organisation"],
            name=data["name"],
            parent=data.get("parent"),
            leader=data.get("leader"),
            by=signed_in_user(self.request),
        )

    def perform_update(self, serializer: BaseSerializer[Team]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        serializer.instance = kernel_services.team_update(
            team=updated(serializer), data=data, by=signed_in_user(self.request)
        )


class InvitationViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Invitation],
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
                organisation__memberships__user=signed_in_user(self.request),
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
            by=signed_in_user(self.request),
        )

    def _only_administered(self) -> Organisation:
        administered = list(
            Organisation.objects.filter(
                memberships__user=signed_in_user(self.request),
                memberships__role=Membership.Role.ADMIN,
            )[:2]
        )
        if not administered:  # nobody to invite for: no organisation of theirs allows it
            raise PermissionDenied
        if len(administered) > 1:
            raise ValidationError({"organisation": ["Say which organisation to invite to."]})
        return administered[0]

    def _act(self, service: Any) -> Response:
        invitation = service(invitation=self.get_object(), by=signed_in_user(self.request))
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
