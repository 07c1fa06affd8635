"""API views of the leadership practices: ``/api/v1/stakeholders/`` and each stakeholder's
``contacts/``, challenges, learning groups, recognition, innovation, development plans and
coalitions. The same permission module and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kernel.api.permissions import request_actor, require_api
from kernel.models import Membership, Organisation
from kernel.permissions import Action, Actor, can, can_keep_stakeholder_map, require
from kernel.tenancy import TenantScopedAPIMixin
from kernel.validators import parse_id
from kernel.web import signed_in_user
from missions.api.filters import IdFilter
from missions.api.views.common import API_PERMISSIONS, updated

from .. import selectors, services
from ..models import (
    Coalition,
    CoalitionMember,
    Contribution,
    DevelopmentEvidence,
    DevelopmentPlan,
    Idea,
    InnovationChallenge,
    LearningGroup,
    LearningSession,
    PriorityChallenge,
    Recognition,
    Stakeholder,
)
from ..sharing import members_scope
from .filters import StakeholderFilter
from .serializers import (
    AskReviewSerializer,
    ChallengeAnswerSerializer,
    ChallengeSerializer,
    CoalitionAnswerSerializer,
    CoalitionDetailSerializer,
    CoalitionInviteSerializer,
    CoalitionMemberSerializer,
    CoalitionMissionSerializer,
    CoalitionSerializer,
    CoalitionUpdateSerializer,
    ContactSerializer,
    ContributionAnswerSerializer,
    ContributionOfferSerializer,
    ContributionSerializer,
    DevelopmentEvidenceSerializer,
    DevelopmentGoalSerializer,
    DevelopmentPlanSerializer,
    DevelopmentReviewSerializer,
    IdeaAdoptSerializer,
    IdeaCommentSerializer,
    IdeaSerializer,
    IdeaShortlistSerializer,
    IdeaSupportSerializer,
    InnovationChallengeSerializer,
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


class InnovationChallengeFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    mission = IdFilter(field_name="mission_id")

    class Meta:
        model = InnovationChallenge
        fields: list[str] = []


class InnovationChallengeViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Innovation challenges: every member reads them; whoever may edit a mission opens one on
    it (the people invited are told) and closes it early with ``close``."""

    queryset = InnovationChallenge.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = InnovationChallengeSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"close": Action.EDIT}
    filterset_class = InnovationChallengeFilter
    ordering_fields = ["id", "created_at", "closes_on"]

    def get_queryset(self) -> QuerySet[InnovationChallenge]:
        user = signed_in_user(self.request)
        return (
            InnovationChallenge.objects.filter(organisation__memberships__user=user)
            .select_related("organisation", "mission__parent", "mission__owner_team")
            .prefetch_related("teams")
            .order_by("id")
        )

    def perform_create(self, serializer: BaseSerializer[InnovationChallenge]) -> None:
        data = dict(serializer.validated_data)
        mission = data.pop("mission")
        actor = require_api(self.request, Action.EDIT, mission)
        serializer.instance = services.innovation_open(actor=actor, mission=mission, data=data)

    @extend_schema(request=None, responses=InnovationChallengeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, pk: str) -> Response:
        """Close the challenge to new ideas before its date; 409 when closed already."""
        challenge = self.get_object()
        actor = require_api(request, Action.EDIT, challenge)
        closed = services.innovation_close(actor=actor, challenge=challenge)
        return Response(InnovationChallengeSerializer(closed).data)


class IdeaFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    challenge = IdFilter(field_name="challenge_id")
    status = filters.ChoiceFilter(choices=Idea.Status.choices)

    class Meta:
        model = Idea
        fields: list[str] = []


class IdeaViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The idea exchange: every member reads ideas; those a challenge invites submit them,
    comment and support them; their authors reword them; whoever may edit the challenge's
    mission shortlists them and takes them forward (``adopt``)."""

    queryset = Idea.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = IdeaSerializer
    permission_classes = API_PERMISSIONS
    # Each action checks its own right (``TAKE_PART``, ``CHOOSE_IDEAS``) on the idea.
    permission_actions = {
        "support": Action.VIEW,
        "comments": Action.VIEW,
        "shortlist": Action.VIEW,
        "adopt": Action.VIEW,
    }
    filterset_class = IdeaFilter
    ordering_fields = ["id", "created_at", "support_count"]

    def get_queryset(self) -> QuerySet[Idea]:
        user = signed_in_user(self.request)
        return (
            Idea.objects.filter(organisation__memberships__user=user)
            .select_related(
                "organisation",
                "challenge__organisation",
                "challenge__mission__parent",
                "challenge__mission__owner_team",
            )
            .prefetch_related("authors")
            .annotate(support_count=selectors.support_count())
            .order_by("id")
        )

    def perform_create(self, serializer: BaseSerializer[Idea]) -> None:
        data = dict(serializer.validated_data)
        challenge = data.pop("challenge")
        actor = require_api(self.request, Action.TAKE_PART, challenge)
        idea = services.idea_submit(actor=actor, challenge=challenge, data=data)
        serializer.instance = self.get_queryset().get(pk=idea.pk)

    def perform_update(self, serializer: BaseSerializer[Idea]) -> None:
        idea = updated(serializer)
        actor = require_api(self.request, Action.EDIT, idea)
        services.idea_update(actor=actor, idea=idea, data=dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=idea.pk)

    def _answer(self, idea: Idea) -> Response:
        return Response(IdeaSerializer(self.get_queryset().get(pk=idea.pk)).data)

    @extend_schema(methods=["POST", "DELETE"], request=None, responses=IdeaSupportSerializer)
    @action(detail=True, methods=["post", "delete"], filter_backends=[])
    def support(self, request: Request, pk: str) -> Response:
        """POST supports the idea (once, however often sent); DELETE takes the support back.
        While its challenge takes ideas (409 after); not one's own idea (400)."""
        idea = self.get_object()
        actor = require_api(request, Action.TAKE_PART, idea)
        count = services.idea_support(actor=actor, idea=idea, support=request.method == "POST")
        return Response({"support_count": count})

    @extend_schema(methods=["GET"], responses=IdeaCommentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=IdeaCommentSerializer, responses={201: IdeaCommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request: Request, pk: str) -> Response:
        """The idea's comments, oldest first; POST adds one (its authors are told)."""
        idea = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(idea.comments.all())
            return self.get_paginated_response(IdeaCommentSerializer(page, many=True).data)
        actor = require_api(request, Action.TAKE_PART, idea)
        payload = IdeaCommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.idea_comment(actor=actor, idea=idea, body=payload.validated_data["body"])
        return Response(IdeaCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IdeaShortlistSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def shortlist(self, request: Request, pk: str) -> Response:
        """Put the idea on its challenge's shortlist (``shortlisted``: false takes it off)."""
        idea = self.get_object()
        actor = require_api(request, Action.CHOOSE_IDEAS, idea)
        payload = IdeaShortlistSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.idea_shortlist(
            actor=actor, idea=idea, shortlisted=payload.validated_data["shortlisted"]
        )
        return self._answer(idea)

    @extend_schema(request=IdeaAdoptSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def adopt(self, request: Request, pk: str) -> Response:
        """Take the idea forward: as a new key task of the challenge's mission (its
        description credits the authors), or by linking a mission right under it. 409 when
        taken forward already."""
        idea = self.get_object()
        actor = require_api(request, Action.CHOOSE_IDEAS, idea)
        payload = IdeaAdoptSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        chosen = payload.validated_data
        if "key_task" in chosen:
            make = services.key_task_from_idea(actor=actor, data=dict(chosen["key_task"]))
        else:
            mission = chosen["child_mission"]
            make = lambda _idea: mission  # noqa: E731  # the service checks where it sits
        services.idea_adopt(actor=actor, idea=idea, make=make)
        return self._answer(idea)


class DevelopmentPlanViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Development plans the caller may read: their own, and those of the people of the teams
    they lead or coach (nobody else's, admins included). ``POST`` starts (or returns) the
    caller's own plan in an organisation; its person writes it and its goals, the leader and
    coach add evidence and hold reviews."""

    queryset = DevelopmentPlan.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = DevelopmentPlanSerializer
    permission_classes = API_PERMISSIONS
    # Each action checks its own right on the plan.
    permission_actions = {
        "goals": Action.VIEW,
        "goal": Action.VIEW,
        "evidence": Action.VIEW,
        "reviews": Action.VIEW,
        "ask_review": Action.VIEW,
    }
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self) -> QuerySet[DevelopmentPlan]:
        user = signed_in_user(self.request)
        return selectors.development_plans_visible_to_user(user=user)

    def perform_create(self, serializer: BaseSerializer[DevelopmentPlan]) -> None:
        data = dict(serializer.validated_data)
        actor = request_actor(self.request, data.pop("organisation"))
        if actor is None:
            raise NotFound
        plan = services.development_plan_of(actor=actor)
        serializer.instance = services.development_plan_update(actor=actor, plan=plan, data=data)

    def perform_update(self, serializer: BaseSerializer[DevelopmentPlan]) -> None:
        plan = updated(serializer)
        actor = require_api(self.request, Action.EDIT, plan)
        data = {k: v for k, v in serializer.validated_data.items() if k != "organisation"}
        serializer.instance = services.development_plan_update(actor=actor, plan=plan, data=data)

    @extend_schema(methods=["GET"], responses=DevelopmentGoalSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=DevelopmentGoalSerializer,
        responses={201: DevelopmentGoalSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def goals(self, request: Request, pk: str) -> Response:
        """The plan's goals; its person adds one with POST (a ``behaviour`` of the four
        themes, the ``goal``, its ``actions``, ``target_on``)."""
        plan = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(plan.goals.all())
            return self.get_paginated_response(DevelopmentGoalSerializer(page, many=True).data)
        actor = require_api(request, Action.EDIT, plan)
        payload = DevelopmentGoalSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        goal = services.development_goal_add(
            actor=actor, plan=plan, data=dict(payload.validated_data)
        )
        return Response(DevelopmentGoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DevelopmentGoalSerializer, responses=DevelopmentGoalSerializer)
    @action(
        detail=True,
        methods=["patch"],
        filter_backends=[],
        url_path=r"goals/(?P<goal_pk>[0-9]{1,18})",
    )
    def goal(self, request: Request, pk: str, goal_pk: str) -> Response:
        """Its person changes a goal: words, actions, date, ``status`` (achieved, set aside)."""
        plan = self.get_object()
        goal = plan.goals.filter(pk=int(goal_pk)).first()
        if goal is None:
            raise NotFound
        actor = require_api(request, Action.EDIT, plan)
        payload = DevelopmentGoalSerializer(goal, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        goal = services.development_goal_update(
            actor=actor, goal=goal, data=dict(payload.validated_data)
        )
        return Response(DevelopmentGoalSerializer(goal).data)

    @extend_schema(methods=["GET"], responses=DevelopmentEvidenceSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=DevelopmentEvidenceSerializer,
        responses={201: DevelopmentEvidenceSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def evidence(self, request: Request, pk: str) -> Response:
        """The evidence of the plan's goals, newest first; the person, their leader or their
        coach notes some with POST (``goal``, ``observed_on``, ``note``)."""
        plan = self.get_object()
        if request.method == "GET":
            rows = DevelopmentEvidence.objects.filter(goal__plan=plan)
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(DevelopmentEvidenceSerializer(page, many=True).data)
        actor = require_api(request, Action.WRITE_NOTE, plan)
        payload = DevelopmentEvidenceSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        goal = data.pop("goal")
        if goal.plan_id != plan.pk:
            raise ValidationError({"goal": ["Choose a goal of this plan."]})
        evidence = services.development_evidence_add(actor=actor, goal=goal, data=data)
        return Response(
            DevelopmentEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(methods=["GET"], responses=DevelopmentReviewSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=DevelopmentReviewSerializer,
        responses={201: DevelopmentReviewSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def reviews(self, request: Request, pk: str) -> Response:
        """The plan's reviews; the person's leader or coach records one held with POST
        (``held_on``, ``note``): the review asked leaves their inbox."""
        plan = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(plan.reviews.all())
            return self.get_paginated_response(DevelopmentReviewSerializer(page, many=True).data)
        actor = require_api(request, Action.REVIEW_DEVELOPMENT, plan)
        payload = DevelopmentReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.development_review_hold(
            actor=actor, plan=plan, data=dict(payload.validated_data)
        )
        return Response(DevelopmentReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AskReviewSerializer, responses=DevelopmentPlanSerializer)
    @action(detail=True, methods=["post"], url_path="ask-review", filter_backends=[])
    def ask_review(self, request: Request, pk: str) -> Response:
        """Its person asks their team's leader or a coach of theirs (``reviewer``) to review
        the plan with them: an item in that person's inbox until the review is held."""
        plan = self.get_object()
        actor = require_api(request, Action.EDIT, plan)
        payload = AskReviewSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        asked = services.development_review_ask(
            actor=actor, plan=plan, reviewer=payload.validated_data["reviewer"]
        )
        return Response(DevelopmentPlanSerializer(asked).data)


# --- Coalitions ------------------------------------------------------------------------------
# A coalition belongs to no one organisation: the caller acts in it for one of theirs that it is
# shared with (``?organisation=`` says which, for someone in several of its members; by default
# the first of them that may do what is asked). A contribution is its organisation's own row:
# another member's is read through ``selectors.contribution_for`` (in the coalition's scope).

ACTING_FOR = OpenApiParameter(
    "organisation",
    int,
    OpenApiParameter.QUERY,
    required=False,
    description="For someone in several of its member organisations: the one to act for (by "
    "default the first of them that may do it).",
)


def coalition_actor(request: Request, coalition: Coalition, action: Action) -> Actor:
    """The caller as one of their organisations that the coalition is shared with: the one
    ``?organisation=`` names, or the first that may do ``action`` (else the first, which the
    permission then refuses). 404 when it is shared with none of them."""
    mine = Organisation.objects.filter(memberships__user=signed_in_user(request)).order_by("pk")
    candidates = [o for o in mine if coalition.shared_with(o.pk)]
    chosen = request.query_params.get("organisation", "")
    if chosen != "":
        candidates = [o for o in candidates if o.pk == parse_id(chosen)]
    actors = [a for a in (request_actor(request, o) for o in candidates) if a is not None]
    if not actors:
        raise NotFound
    return next((a for a in actors if can(a, action, coalition)), actors[0])


class CoalitionViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Coalitions of the caller's organisations (those they are in or invited to): whoever
    speaks for an organisation (an admin, a leader of a top team) forms one, edits it, invites
    others, writes its missions and leaves; an invited organisation's leaders answer; whoever
    may edit a mission offers it to a mission of the coalition."""

    queryset = Coalition.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = CoalitionSerializer
    # A coalition is no one organisation's: ``coalition_actor`` and ``kernel.permissions``
    # judge each request (``ActorPermission`` reads an object's one organisation).
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self) -> QuerySet[Coalition]:
        mine = Membership.objects.filter(user=signed_in_user(self.request)).values(
            "organisation_id"
        )
        return (
            Coalition.objects.filter(
                pk__in=CoalitionMember.objects.filter(
                    member_id__in=mine,
                    status__in=[CoalitionMember.Status.ACTIVE, CoalitionMember.Status.INVITED],
                ).values("coalition_id")
            )
            .prefetch_related(
                Prefetch(
                    "members",
                    queryset=CoalitionMember.objects.filter(member_id__in=mine)
                    .select_related("member")
                    .order_by("member_id"),
                    to_attr="places",
                )
            )
            .order_by("name", "id")
        )

    def _coalition(self, action: Action, *, check: bool = True) -> tuple[Coalition, Actor]:
        """The coalition of the URL and the caller acting in it (404 to an organisation it is
        not shared with); 403 when they may not do ``action``, unless the service checks."""
        coalition = get_object_or_404(Coalition.objects.all(), pk=self.kwargs["pk"])
        actor = coalition_actor(self.request, coalition, action)
        if check:
            require(actor, action, coalition)
        return coalition, actor

    def _listed(self, coalition: Coalition) -> Response:
        return Response(CoalitionSerializer(self.get_queryset().get(pk=coalition.pk)).data)

    def perform_create(self, serializer: BaseSerializer[Coalition]) -> None:
        data = dict(serializer.validated_data)
        actor = request_actor(self.request, data.pop("organisation"))
        if actor is None:
            raise NotFound
        coalition = services.coalition_form(actor=actor, data=data)
        serializer.instance = self.get_queryset().get(pk=coalition.pk)

    @extend_schema(parameters=[ACTING_FOR], responses=CoalitionDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """The coalition as one of its members reads it: its purpose and members, its
        missions, and for an active member the contributions offered and aligned to them, the
        aligned ones with their missions' KPIs and forecasts."""
        coalition, actor = self._coalition(Action.VIEW)
        page = selectors.coalition_page(actor=actor, coalition=coalition)
        detail: dict[str, Any] = {
            "coalition": coalition,
            "organisation": actor.organisation.pk,
            "may_lead": can(actor, Action.LEAD_COALITION, coalition),
            "may_join": can(actor, Action.JOIN_COALITION, coalition),
            "members": page.members,
            "missions": page.missions,
            "links": page.links,
        }
        return Response(CoalitionDetailSerializer(detail).data)

    @extend_schema(
        parameters=[ACTING_FOR], request=CoalitionUpdateSerializer, responses=CoalitionSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change its name or purpose: for whoever speaks for an active member."""
        coalition, actor = self._coalition(Action.LEAD_COALITION)
        payload = CoalitionUpdateSerializer(coalition, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.coalition_update(
            actor=actor, coalition=coalition, data=dict(payload.validated_data)
        )
        return self._listed(coalition)

    @extend_schema(
        parameters=[ACTING_FOR],
        request=CoalitionInviteSerializer,
        responses={201: CoalitionMemberSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def invite(self, request: Request, pk: str) -> Response:
        """Invite another organisation by its address (``/o/<address>/``): its leaders are
        asked in their inbox. One that declined or left may be invited again."""
        coalition, actor = self._coalition(Action.LEAD_COALITION)
        payload = CoalitionInviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.coalition_invite(
            actor=actor, coalition=coalition, address=payload.validated_data["address"]
        )
        # The organisation invited is another's row: its name is read in the members' scope.
        with members_scope(coalition):
            invited = CoalitionMember.objects.select_related("member").get(pk=row.pk)
            data = CoalitionMemberSerializer(invited).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ACTING_FOR],
        request=CoalitionAnswerSerializer,
        responses=CoalitionMemberSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def answer(self, request: Request, pk: str) -> Response:
        """Join (``join``: true) or decline the coalition the organisation is invited to: once,
        by whoever speaks for it (409 when answered already)."""
        coalition, actor = self._coalition(Action.JOIN_COALITION, check=False)
        payload = CoalitionAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.coalition_answer(
            actor=actor, coalition=coalition, join=payload.validated_data["join"]
        )
        return Response(CoalitionMemberSerializer(row).data)

    @extend_schema(parameters=[ACTING_FOR], request=None, responses=CoalitionMemberSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def leave(self, request: Request, pk: str) -> Response:
        """Leave the coalition: the organisation's contributions are withdrawn, its missions
        stay as they are. 409 when it has left already."""
        coalition, actor = self._coalition(Action.LEAD_COALITION)
        row = services.coalition_leave(actor=actor, coalition=coalition)
        return Response(CoalitionMemberSerializer(row).data)

    @extend_schema(
        parameters=[ACTING_FOR],
        request=CoalitionMissionSerializer,
        responses={201: CoalitionMissionSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def missions(self, request: Request, pk: str) -> Response:
        """Write a mission of the coalition (``title``, ``intent``): members then offer their
        own missions to it."""
        coalition, actor = self._coalition(Action.LEAD_COALITION)
        payload = CoalitionMissionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mission = services.coalition_mission_write(
            actor=actor, coalition=coalition, data=dict(payload.validated_data)
        )
        return Response(CoalitionMissionSerializer(mission).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContributionOfferSerializer, responses={201: ContributionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def offer(self, request: Request, pk: str) -> Response:
        """Offer a mission of the caller's (``mission``, one they may edit) to a mission of the
        coalition (``coalition_mission``), saying ``how`` it contributes; the other members'
        leaders are asked to align it. The mission's organisation offers it."""
        coalition, _ = self._coalition(Action.VIEW)
        payload = ContributionOfferSerializer(
            data=request.data, context={**self.get_serializer_context(), "coalition": coalition}
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actor = request_actor(request, data["mission"].organisation)
        if actor is None:
            raise NotFound
        contribution = services.contribution_offer(
            actor=actor,
            coalition_mission=data["coalition_mission"],
            mission=data["mission"],
            how=data["how"],
        )
        return Response(ContributionSerializer(contribution).data, status=status.HTTP_201_CREATED)


class ContributionFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    coalition = IdFilter(field_name="coalition_mission__coalition_id")
    mission = IdFilter(field_name="mission_id")
    status = filters.ChoiceFilter(choices=Contribution.Status.choices)

    class Meta:
        model = Contribution
        fields: list[str] = []


class ContributionViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The contributions of the caller's organisations to the coalitions they are members of:
    offered through a coalition's ``offer``, withdrawn by whoever may edit the mission. A
    leader of another member aligns or declines one with ``answer``."""

    queryset = Contribution.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = ContributionSerializer
    permission_classes = API_PERMISSIONS
    permission_actions = {"withdraw": Action.EDIT}
    filterset_class = ContributionFilter
    ordering_fields = ["id", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Contribution]:
        user = signed_in_user(self.request)
        # While its organisation is an active member: ``kernel.permissions`` reads it so.
        return (
            Contribution.objects.filter(
                organisation__memberships__user=user,
                coalition_mission__coalition__members__member_id=F("organisation_id"),
                coalition_mission__coalition__members__status=CoalitionMember.Status.ACTIVE,
            )
            .select_related("organisation", "mission__parent", "coalition_mission__coalition")
            .order_by("id")
        )

    @extend_schema(parameters=[ACTING_FOR], request=ContributionAnswerSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def answer(self, request: Request, pk: str) -> Response:
        """Align (``align``: true) or decline (with an ``answer`` saying why) a contribution
        another member offers: once, by whoever speaks for another active member (409 when
        answered already). The member that offered it is told."""
        contribution, actor = self._offered_to_caller(pk)
        require(actor, Action.ALIGN, contribution)
        payload = ContributionAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        answered = services.contribution_answer(
            actor=actor,
            contribution=contribution,
            align=payload.validated_data["align"],
            comment=payload.validated_data["answer"],
        )
        return Response(ContributionSerializer(answered).data)

    def _offered_to_caller(self, pk: str) -> tuple[Contribution, Actor]:
        """A contribution to a coalition one of the caller's organisations is active in (the
        one ``?organisation=`` names, or the first that may align it), read in the
        coalition's scope; 404 for any other."""
        wanted = parse_id(pk)
        user = signed_in_user(self.request)
        chosen = self.request.query_params.get("organisation", "")
        found: list[tuple[Contribution, Actor]] = []
        for organisation in Organisation.objects.filter(memberships__user=user).order_by("pk"):
            if chosen != "" and organisation.pk != parse_id(chosen):
                continue
            actor = request_actor(self.request, organisation)
            contribution = (
                selectors.contribution_for(actor=actor, pk=wanted)
                if actor is not None and wanted is not None
                else None
            )
            if actor is not None and contribution is not None:
                found.append((contribution, actor))
        if not found:
            raise NotFound
        return next((f for f in found if can(f[1], Action.ALIGN, f[0])), found[0])

    @extend_schema(request=None, responses=ContributionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw a contribution of the caller's organisation, offered or aligned: for
        whoever may edit its mission (409 when it is no longer offered)."""
        contribution = self.get_object()
        actor = require_api(request, Action.EDIT, contribution)
        withdrawn = services.contribution_withdraw(actor=actor, contribution=contribution)
        return Response(self.get_serializer(self.get_queryset().get(pk=withdrawn.pk)).data)
