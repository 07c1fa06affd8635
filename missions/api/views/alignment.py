"""The alignment actions of the mission API: the owner proposes, the parent mission's owner
aligns or sends back."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.web import signed_in_user

from ... import services
from ...models import Mission
from .. import serializers as s
from .versions import CONFLICT_RESPONSE

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


class MissionAlignmentMixin(GenericAPIView[Mission]):
    """``propose``, ``align`` and ``send-back`` on a mission viewset: each reads the comment,
    calls its service and answers the mission as it now stands."""

    def _alignment(
        self,
        service: Callable[..., Mission],
        request: Request,
        payload_class: type[s.AlignmentActionSerializer] = s.AlignmentActionSerializer,
    ) -> Response:
        mission = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        # A decision someone made first is a StateConflict: the API's handler answers 409.
        mission = service(
            mission=mission, by=signed_in_user(request), comment=payload.validated_data["comment"]
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
