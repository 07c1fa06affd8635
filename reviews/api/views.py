"""API views of the reviews app: reviews (and recording one through ``complete``), alignment
findings, and the caller's own notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import ActorPermission, request_actor, require_api
from kernel.models import Notification
from kernel.notifications import notifications_mark_read
from kernel.permissions import Action
from kernel.tenancy import TenantScopedAPIMixin
from kernel.validators import MAX_ID, parse_id
from kernel.web import signed_in_user
from missions.selectors import organisations_of

from .. import selectors, services
from ..models import Comment, Finding, Review
from ..services import comments
from .filters import CommentFilter, FindingFilter, InboxFilter, NotificationFilter, ReviewFilter
from .serializers import (
    CommentSerializer,
    FindingSerializer,
    InboxItemSerializer,
    MarkedReadSerializer,
    NotificationSerializer,
    ReviewCompleteSerializer,
    ReviewSerializer,
)


class ReviewViewSet(TenantScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Scheduled and held reviews of the caller's organisations."""

    # For the schema only (drf-spectacular reads the model here); get_queryset scopes it.
    queryset = Review.objects.none()
    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticated, ActorPermission]
    permission_actions = {"complete": Action.EDIT}
    filterset_class = ReviewFilter
    ordering_fields = ["id", "due_date", "held_on", "updated_at"]

    def get_queryset(self) -> QuerySet[Review]:
        return selectors.reviews_for_member(user=signed_in_user(self.request))

    @extend_schema(
        request=ReviewCompleteSerializer,
        responses=ReviewSerializer,
        examples=[
            OpenApiExample(
                "A held review",
                request_only=True,
                value={
                    "held_on": "2026-03-02",
                    "summary": "Two wards open; the third waits for staff.",
                    "working": "Daily huddles with the GP practices.",
                    "not_working": "Weekend discharges.",
                    "changes": "Move one nurse to weekends.",
                    "still_aligned": True,
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """Record the review as held; the next one is scheduled a cadence later."""
        review = self.get_object()
        payload = ReviewCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.review_complete(
            review=review, data=payload.validated_data, by=signed_in_user(request)
        )
        return Response(ReviewSerializer(review).data)


class FindingViewSet(TenantScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Alignment findings of the caller's organisations; the checks open and resolve them."""

    # For the schema only (drf-spectacular reads the model here); get_queryset scopes it.
    queryset = Finding.objects.none()
    serializer_class = FindingSerializer
    permission_classes = [permissions.IsAuthenticated, ActorPermission]
    filterset_class = FindingFilter
    ordering_fields = ["id", "opened_at", "resolved_at", "severity"]
    ordering_aliases = {"severity": "severity_rank"}  # critical first

    def get_queryset(self) -> QuerySet[Finding]:
        return selectors.findings_for_member(user=signed_in_user(self.request))


class InboxViewSet(TenantScopedAPIMixin, viewsets.GenericViewSet):
    """The caller's inbox: every open item (what waits for them), newest first, as My work's
    "To do now" lists it; each item leaves once its cause is handled.
    ``?organisation=<id>`` and ``?kind=`` narrow it."""

    queryset = Notification.objects.none()
    serializer_class = InboxItemSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = InboxFilter

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.inbox_of(user=signed_in_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class NotificationViewSet(TenantScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own in-app notifications, newest first; mark one or all read."""

    # For the schema only (drf-spectacular reads the model here); get_queryset scopes it.
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = NotificationFilter
    ordering_fields = ["id", "created_at", "read_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_of(user=signed_in_user(self.request))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request: Request, pk: str) -> Response:
        """Mark this notification read (already read: unchanged)."""
        notification = self.get_object()
        actor = request_actor(request, notification.organisation)
        notifications_mark_read(actor=actor, ids=[str(notification.pk)])
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=MarkedReadSerializer,
        parameters=[
            OpenApiParameter(
                "organisation",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                description="Only the notifications of this organisation",
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification read; ``?organisation=<id>`` for one organisation."""
        organisations = organisations_of(user=signed_in_user(request))
        body = request.data if isinstance(request.data, dict) else {}
        raw = request.query_params.get("organisation") or body.get("organisation")
        if raw:
            pk = parse_id(raw)
            if pk is None:
                raise ValidationError(
                    {"organisation": ["Give the id of one of your organisations."]}
                )
            organisations = organisations.filter(pk=pk)
        marked = 0
        for organisation in organisations:  # the few organisations of one person
            actor = request_actor(request, organisation)
            marked += notifications_mark_read(actor=actor, ids=None)
        return Response(MarkedReadSerializer({"marked": marked}).data)


class CommentViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet[Comment]):
    """The conversation on the work, as on the pages: any member comments on what they see;
    the author corrects a comment for ``Comment.EDIT_MINUTES`` (409 after that) and removes
    it, as an organisation admin may; ``@username`` in the body mentions a member."""

    queryset = Comment.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = CommentSerializer
    permission_classes = [permissions.IsAuthenticated, ActorPermission]
    filterset_class = CommentFilter
    ordering_fields = ["id", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Comment]:
        user = signed_in_user(self.request)
        return (
            Comment.objects.filter(organisation__in=organisations_of(user=user))
            .select_related("organisation", "mission__organisation")
            .prefetch_related("mentions")
            .order_by("created_at", "id")
        )

    def perform_create(self, serializer: BaseSerializer[Comment]) -> None:
        assert isinstance(serializer, CommentSerializer)
        on = serializer.subject()
        require_api(self.request, Action.COMMENT, on)
        data = serializer.validated_data
        serializer.instance = comments.comment_post(
            on=on,
            parent=on if isinstance(on, Comment) else None,
            body=data["body"],
            mention=data.get("mention"),
            by=signed_in_user(self.request),
        )

    def perform_update(self, serializer: BaseSerializer[Comment]) -> None:
        assert serializer.instance is not None
        serializer.instance = comments.comment_edit(
            comment=serializer.instance,
            body=serializer.validated_data.get("body", serializer.instance.body),
            by=signed_in_user(self.request),
        )

    def perform_destroy(self, instance: Comment) -> None:
        comments.comment_remove(comment=instance, by=signed_in_user(self.request))
