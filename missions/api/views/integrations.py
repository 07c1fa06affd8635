"""API views of integrations: the webhook endpoints (and Slack and Microsoft Teams addresses)
of the organisations the caller administers, their delivery logs, a test event and the
rotation of a secret. To anyone but the organisation's admins they do not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel import services as kernel_services
from kernel.api.permissions import require_api
from kernel.models import Membership, Organisation, WebhookDelivery, WebhookEndpoint
from kernel.permissions import Action
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user
from missionlead.serializers import ModelSerializer

from ..serializers import scoped_field
from .common import API_PERMISSIONS, updated


class WebhookEndpointSerializer(ModelSerializer):
    """An endpoint: where the events go, which ones, and whether it is on (and if not, why).
    ``secret`` is the Standard Webhooks signing secret (``whsec_…``); set by the server."""

    organisation = scoped_field(Organisation, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        allow_empty=False,
        max_length=len(WebhookEndpoint.Event.choices),
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organisation",
            "kind",
            "name",
            "url",
            "events",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "secret",
            "previous_secret_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "disabled_reason",
            "disabled_at",
            "secret",
            "previous_secret_until",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"kind": {"required": False}, "is_active": {"required": False}}


class WebhookDeliverySerializer(ModelSerializer):
    """One event sent to one endpoint, and how its attempts went."""

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "message_id",
            "event",
            "payload",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "last_attempt_at",
            "response_status",
            "duration_ms",
            "error",
        ]
        read_only_fields = fields


MANAGE = Action.MANAGE_INTEGRATIONS


class WebhookEndpointViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet[WebhookEndpoint]):
    """Webhook endpoints of the organisations the caller administers."""

    queryset = WebhookEndpoint.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = WebhookEndpointSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {
        "retrieve": MANAGE,
        "update": MANAGE,
        "partial_update": MANAGE,
        "destroy": MANAGE,
        "deliveries": MANAGE,
        "test": MANAGE,
        "rotate_secret": MANAGE,
    }
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return (
            WebhookEndpoint.objects.filter(organisation__in=self._administered())
            .select_related("organisation")
            .order_by("name", "id")
        )

    def _administered(self) -> QuerySet[Organisation]:
        return Organisation.objects.filter(
            memberships__user=signed_in_user(self.request),
            memberships__role=Membership.Role.ADMIN,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Refused before the body is read: only an organisation's admins add endpoints.
        if not self._administered().exists():
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[WebhookEndpoint]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation", None) or self._only_administered()
        require_api(self.request, MANAGE, organisation)
        serializer.instance = kernel_services.webhook_endpoint_create(
            organisation=organisation, data=data, by=signed_in_user(self.request)
        )

    def perform_update(self, serializer: BaseSerializer[WebhookEndpoint]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        serializer.instance = kernel_services.webhook_endpoint_update(
            endpoint=updated(serializer), data=data, by=signed_in_user(self.request)
        )

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        kernel_services.webhook_endpoint_delete(endpoint=instance, by=signed_in_user(self.request))

    def _only_administered(self) -> Organisation:
        administered = list(self._administered()[:2])
        if len(administered) > 1:
            raise ValidationError({"organisation": ["Say which organisation to add it to."]})
        return administered[0]

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The endpoint's delivery log, newest first, a page at a time."""
        log = WebhookDelivery.objects.filter(endpoint=self.get_object()).order_by(
            "-created_at", "-id"
        )
        page = self.paginator.paginate_queryset(log, request, view=self) if self.paginator else None
        rows = WebhookDeliverySerializer(page if page is not None else log[:100], many=True).data
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a ``webhook.test`` event to the endpoint; answers with its delivery."""
        delivery = kernel_services.webhook_send_test(
            endpoint=self.get_object(), by=signed_in_user(request)
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=202)

    @extend_schema(request=None, responses={200: WebhookEndpointSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """A new secret; the previous one signs too for 24 hours."""
        endpoint = kernel_services.webhook_endpoint_rotate_secret(
            endpoint=self.get_object(), by=signed_in_user(request)
        )
        return Response(self.get_serializer(endpoint).data)
