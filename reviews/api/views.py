"""API views for reviews: read them, and record a held review through ``complete``."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from missions.api.permissions import ActorPermission
from missions.permissions import Action

from .. import selectors, services
from ..models import Review
from .serializers import ReviewCompleteSerializer, ReviewSerializer


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Scheduled and held reviews of the caller's organisations."""

    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticated, ActorPermission]
    permission_actions = {"complete": Action.EDIT}
    filterset_fields = {"mission": ["exact"], "status": ["exact"], "due_date": ["gte", "lte"]}
    ordering_fields = ["id", "due_date"]

    def get_queryset(self) -> QuerySet[Review]:
        return selectors.reviews_for_member(user=self.request.user)

    @extend_schema(request=ReviewCompleteSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """Record the review as held; the next one is scheduled a cadence later."""
        review = self.get_object()
        payload = ReviewCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.review_complete(
            review=review, data=payload.validated_data, by=request.user
        )
        return Response(ReviewSerializer(review).data)
