"""API views of the leadership practices: ``/api/v1/stakeholders/`` and each stakeholder's
``contacts/``. The same permission module and services as the pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
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
from ..models import (
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
from .filters import StakeholderFilter
from .serializers import (
    AskReviewSerializer,
    ChallengeAnswerSerializer,
    ChallengeSerializer,
    ContactSerializer,
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
