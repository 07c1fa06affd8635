"""API views of the leadership practices: ``/api/v1/stakeholders/`` and each stakeholder's
``contacts/``. The same permission module and services as the pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import request_actor, require_api
from kernel.permissions import Action, can_keep_stakeholder_map
from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user
from missions.api.filters import IdFilter
from missions.api.views.common import API_PERMISSIONS, updated

from .. import selectors, services
from ..models import LearningGroup, LearningSession, PriorityChallenge, Recognition, Stakeholder
from .filters import StakeholderFilter
from .serializers import (
    ChallengeAnswerSerializer,
    ChallengeSerializer,
    ContactSerializer,
    LearningGroupSerializer,
    LearningSessionSerializer,
    RecognitionSerializer,
    SessionNoteSerializer,
    StakeholderSerializer,
)


class StakeholderViewSet(TenantScopedAPIMixin, viewsets.ModelViewSet):
    """Stakeholders the caller may read: those of the maps they keep (the missions they may
    edit, their own map) and those whose communication plan they own."""

    queryset = Stakeholder.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = StakeholderSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"contacts": Action.VIEW}
    ordering_fields = ["id", "influence", "interest", "next_contact_on", "updated_at"]
    filterset_class = StakeholderFilter

    def get_queryset(self) -> QuerySet[Stakeholder]:
        return selectors.visible_to_user(user=signed_in_user(self.request)).order_by("id")

    def perform_create(self, serializer: BaseSerializer[Stakeholder]) -> None:
        data = dict(serializer.validated_data)
        organisation, mission = data.pop("organisation"), data.pop("mission", None)
        actor = request_actor(self.request, organisation)
        if actor is None:
            raise NotFound
        if not can_keep_stakeholder_map(actor, mission):
            raise PermissionDenied
        serializer.instance = services.stakeholder_create(actor=actor, mission=mission, data=data)

    def perform_update(self, serializer: BaseSerializer[Stakeholder]) -> None:
        stakeholder = updated(serializer)
        actor = require_api(self.request, Action.EDIT, stakeholder)
        data = {
            k: v
            for k, v in serializer.validated_data.items()
            if k not in ("organisation", "mission")
        }
        serializer.instance = services.stakeholder_update(
            actor=actor, stakeholder=stakeholder, data=data
        )

    def perform_destroy(self, instance: Stakeholder) -> None:
        actor = require_api(self.request, Action.ARCHIVE, instance)
        services.stakeholder_remove(actor=actor, stakeholder=instance)

    @extend_schema(methods=["GET"], responses=ContactSerializer(many=True))
    @extend_schema(methods=["POST"], request=ContactSerializer, responses={201: ContactSerializer})
    @action(detail=True, methods=["get", "post"], url_path="contacts", filter_backends=[])
    def contacts(self, request: Request, pk: str) -> Response:
        """The stakeholder's contacts, newest first; POST logs one (the caller made it): the
        stakeholder's stance becomes the contact's, and the plan's next contact moves on."""
        stakeholder = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.contacts_of(stakeholder=stakeholder))
            return self.get_paginated_response(ContactSerializer(page, many=True).data)
        actor = require_api(request, Action.LOG_CONTACT, stakeholder)
        payload = ContactSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = services.contact_log(
            actor=actor, stakeholder=stakeholder, data=dict(payload.validated_data)
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ChallengeFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(field_name="mission_id")
    open = filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", label="Only those waiting for an answer"
    )

    class Meta:
        model = PriorityChallenge
        fields: list[str] = []


class ChallengeViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Challenges to priorities ("be brave"): every member reads them and raises one on any
    mission; whoever answers for the mission's priorities answers through ``answer``."""

    queryset = PriorityChallenge.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = ChallengeSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"answer": Action.VIEW}  # ``answer`` checks who may answer
    filterset_class = ChallengeFilter
    ordering_fields = ["id", "created_at", "answered_at"]

    def get_queryset(self) -> QuerySet[PriorityChallenge]:
        user = signed_in_user(self.request)
        return (
            PriorityChallenge.objects.filter(organisation__memberships__user=user)
            .select_related("organisation", "mission__parent", "mission__owner_team")
            .order_by("id")
        )

    def perform_create(self, serializer: BaseSerializer[PriorityChallenge]) -> None:
        data = dict(serializer.validated_data)
        mission = data.pop("mission")
        actor = require_api(self.request, Action.CHALLENGE, mission)
        serializer.instance = services.challenge_raise(actor=actor, mission=mission, data=data)

    @extend_schema(request=ChallengeAnswerSerializer, responses=ChallengeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def answer(self, request: Request, pk: str) -> Response:
        """Answer the challenge: an ``outcome`` and why (``answer``). 409 when it has been
        answered already."""
        challenge = self.get_object()
        actor = require_api(request, Action.ANSWER_CHALLENGE, challenge)
        payload = ChallengeAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        answered = services.challenge_answer(
            actor=actor, challenge=challenge, data=dict(payload.validated_data)
        )
        return Response(ChallengeSerializer(answered).data)


class LearningGroupViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's action learning groups (of others, nothing: a safe space), their sessions
    and the notes of each."""

    queryset = LearningGroup.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = LearningGroupSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"sessions": Action.VIEW, "notes": Action.VIEW}
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self) -> QuerySet[LearningGroup]:
        user = signed_in_user(self.request)
        return (
            LearningGroup.objects.filter(members=user)
            .select_related("organisation")
            .prefetch_related("members")
            .order_by("id")
        )

    def perform_create(self, serializer: BaseSerializer[LearningGroup]) -> None:
        data = dict(serializer.validated_data)
        actor = request_actor(self.request, data.pop("organisation"))
        if actor is None:
            raise NotFound
        serializer.instance = services.learning_group_create(actor=actor, data=data)

    @extend_schema(methods=["GET"], responses=LearningSessionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=LearningSessionSerializer,
        responses={201: LearningSessionSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def sessions(self, request: Request, pk: str) -> Response:
        """The group's sessions, newest first; its facilitator adds one with POST."""
        group = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(group.sessions.all())
            return self.get_paginated_response(LearningSessionSerializer(page, many=True).data)
        actor = require_api(request, Action.EDIT, group)
        payload = LearningSessionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = services.learning_session_create(
            actor=actor, group=group, data=dict(payload.validated_data)
        )
        return Response(LearningSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=SessionNoteSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=SessionNoteSerializer, responses={201: SessionNoteSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        url_path=r"sessions/(?P<session_pk>[0-9]{1,18})/notes",
    )
    def notes(self, request: Request, pk: str, session_pk: str) -> Response:
        """The notes of one of the group's sessions; any of its people adds one with POST."""
        group = self.get_object()
        session = LearningSession.objects.filter(group=group, pk=int(session_pk)).first()
        if session is None:
            raise NotFound
        if request.method == "GET":
            page = self.paginate_queryset(session.notes.all())
            return self.get_paginated_response(SessionNoteSerializer(page, many=True).data)
        actor = require_api(request, Action.WRITE_NOTE, session)
        payload = SessionNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.session_note_write(
            actor=actor, session=session, body=payload.validated_data["body"]
        )
        return Response(SessionNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class RecognitionViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Peer recognition the caller may read (given, received, and of the people they lead or
    coach); POST recognises a colleague for a behaviour of the four themes."""

    queryset = Recognition.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = RecognitionSerializer
    permission_classes = API_PERMISSIONS
    ordering_fields = ["id", "created_at"]

    def get_queryset(self) -> QuerySet[Recognition]:
        return selectors.recognitions_visible_to_user(user=signed_in_user(self.request))

    def perform_create(self, serializer: BaseSerializer[Recognition]) -> None:
        data = dict(serializer.validated_data)
        actor = request_actor(self.request, data.pop("organisation"))
        if actor is None:
            raise NotFound
        serializer.instance = services.recognition_give(actor=actor, data=data)
