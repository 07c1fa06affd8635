"""The caller's API tokens: ``GET /api/v1/auth/tokens/`` lists those that still work (never
their keys), ``POST /api/v1/auth/tokens/<id>/revoke/`` revokes one, and
``POST /api/v1/auth/token/revoke/`` revokes the token the request came with."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from missionlead.serializers import ModelSerializer

from ..models import ApiToken
from ..tokens import api_token_revoke, api_tokens_active_for


class ApiTokenSerializer(ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


@extend_schema_view(list=extend_schema(summary="The caller's tokens that still work"))
@extend_schema(tags=["auth"])
class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens; anyone else's do not exist here (404)."""

    serializer_class = ApiTokenSerializer
    ordering_fields = ["created_at", "last_used_at", "expires_at", "name"]

    def get_queryset(self) -> QuerySet[ApiToken]:
        return api_tokens_active_for(user=self.request.user)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        """Revoke one of the caller's tokens: it stops working at once."""
        api_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class CurrentTokenRevokeApi(APIView):
    """``POST /api/v1/auth/token/revoke/``: log a script out."""

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked."),
            400: OpenApiResponse(description="The request came without a token (a session)."),
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        """Revoke the token this request was authenticated with."""
        if not isinstance(request.auth, ApiToken):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["This request came without an API token."]}
            )
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
