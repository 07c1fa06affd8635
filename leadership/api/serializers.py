"""The leadership resources of the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kernel.models import Organisation, Team
from kernel.validators import validate_line, validate_text
from measures.models import ForecastStatus
from missionlead.serializers import ModelSerializer, TextField
from missions.api.serializers import IdField, scoped_field
from missions.models import Mission

from ..models import (
    Coalition,
    CoalitionMember,
    CoalitionMission,
    Contact,
    Contribution,
    DevelopmentEvidence,
    DevelopmentGoal,
    DevelopmentPlan,
    DevelopmentReview,
    Idea,
    IdeaComment,
    InnovationChallenge,
    LearningGroup,
    LearningSession,
    PriorityChallenge,
    Recognition,
    SessionNote,
    Stakeholder,
)

STANCE_HELP = "-2 opposed, -1 sceptical, 0 neutral, 1 supportive, 2 champion."


class StakeholderSerializer(ModelSerializer):
    organisation = scoped_field(Organisation)
    mission = scoped_field(
        Mission,
        allow_null=True,
        required=False,
        help_text="The mission whose map this is; null for the caller's own map.",
    )
    member = scoped_field(get_user_model(), allow_null=True, required=False)
    plan_owner = scoped_field(get_user_model(), allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)
    quadrant = serializers.CharField(
        read_only=True,
        help_text="How the influence/interest grid says to engage them: Manage closely, "
        "Keep satisfied, Keep informed or Monitor.",
    )

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "organisation",
            "mission",
            "leader",
            "member",
            "name",
            "display_name",
            "why",
            "interests",
            "influence",
            "interest",
            "quadrant",
            "stance",
            "desired_stance",
            "message",
            "channel",
            "cadence_days",
            "plan_owner",
            "next_contact_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["leader", "created_at", "updated_at"]
        extra_kwargs = {
            "stance": {"help_text": STANCE_HELP},
            "desired_stance": {"help_text": STANCE_HELP},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            # The map a stakeholder is on is set when it is created.
            for name in ("organisation", "mission"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: ["A stakeholder stays on the map it was put on."]}
                    )
            return attrs
        mission = attrs.get("mission")
        if mission is not None and mission.organisation_id != attrs["organisation"].pk:
            raise serializers.ValidationError(
                {"mission": ["Choose a mission of the stakeholder's organisation."]}
            )
        return attrs


class ContactSerializer(ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "stakeholder",
            "contacted_on",
            "channel",
            "note",
            "stance_after",
            "by",
            "created_at",
        ]
        read_only_fields = ["stakeholder", "by", "created_at"]
        extra_kwargs = {
            "stance_after": {"help_text": STANCE_HELP},
            "channel": {"required": False},
        }


class ChallengeSerializer(ModelSerializer):
    mission = scoped_field(Mission)
    other_mission = scoped_field(Mission, allow_null=True, required=False)
    # Empty until answered.
    outcome = serializers.ChoiceField(
        choices=PriorityChallenge.Outcome.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = PriorityChallenge
        fields = [
            "id",
            "organisation",
            "mission",
            "kind",
            "other_mission",
            "statement",
            "raised_by",
            "created_at",
            "outcome",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = [
            "organisation",
            "raised_by",
            "created_at",
            "outcome",
            "answer",
            "answered_by",
            "answered_at",
        ]


class ChallengeAnswerSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=PriorityChallenge.Outcome.choices)
    answer = serializers.CharField(max_length=2_000)


class LearningGroupSerializer(ModelSerializer):
    organisation = scoped_field(Organisation)
    facilitator = scoped_field(get_user_model())
    members = scoped_field(
        get_user_model(), many=True, help_text="Its people with the facilitator; 4 to 8 in all."
    )

    class Meta:
        model = LearningGroup
        fields = ["id", "organisation", "name", "purpose", "facilitator", "members", "created_at"]
        read_only_fields = ["created_at"]


class LearningSessionSerializer(ModelSerializer):
    class Meta:
        model = LearningSession
        fields = ["id", "group", "held_on", "topic", "created_by", "created_at"]
        read_only_fields = ["group", "created_by", "created_at"]


class SessionNoteSerializer(ModelSerializer):
    class Meta:
        model = SessionNote
        fields = ["id", "session", "author", "body", "created_at"]
        read_only_fields = ["session", "author", "created_at"]


class RecognitionSerializer(ModelSerializer):
    organisation = scoped_field(Organisation)
    receiver = scoped_field(get_user_model())

    class Meta:
        model = Recognition
        fields = [
            "id",
            "organisation",
            "giver",
            "receiver",
            "team",
            "behaviour",
            "theme",
            "story",
            "created_at",
        ]
        read_only_fields = ["giver", "team", "theme", "created_at"]


class InnovationChallengeSerializer(ModelSerializer):
    mission = scoped_field(Mission)
    teams = scoped_field(
        Team,
        many=True,
        required=False,
        help_text="Who may take part: the people of these teams and of the teams under them; "
        "empty, the whole organisation.",
    )
    accepts_ideas = serializers.SerializerMethodField()

    class Meta:
        model = InnovationChallenge
        fields = [
            "id",
            "organisation",
            "mission",
            "question",
            "detail",
            "closes_on",
            "teams",
            "accepts_ideas",
            "opened_by",
            "closed_at",
            "created_at",
        ]
        read_only_fields = ["organisation", "opened_by", "closed_at", "created_at"]

    def get_accepts_ideas(self, challenge: InnovationChallenge) -> bool:
        return challenge.accepts_ideas()


class IdeaSerializer(ModelSerializer):
    challenge = scoped_field(InnovationChallenge)
    co_authors = scoped_field(
        get_user_model(),
        many=True,
        required=False,
        write_only=True,
        help_text="Colleagues who share the idea, credited as its authors with the caller.",
    )
    support_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "organisation",
            "challenge",
            "title",
            "description",
            "authors",
            "co_authors",
            "status",
            "support_count",
            "key_task",
            "child_mission",
            "submitted_by",
            "adopted_by",
            "adopted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "organisation",
            "authors",
            "status",
            "key_task",
            "child_mission",
            "submitted_by",
            "adopted_by",
            "adopted_at",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "challenge" in attrs and attrs["challenge"] != self.instance.challenge:
                raise serializers.ValidationError(
                    {"challenge": ["An idea stays in the challenge it was submitted to."]}
                )
            if attrs.get("co_authors"):
                raise serializers.ValidationError(
                    {"co_authors": ["Authors are named when the idea is submitted."]}
                )
        return attrs


class IdeaCommentSerializer(ModelSerializer):
    class Meta:
        model = IdeaComment
        fields = ["id", "idea", "author", "body", "created_at"]
        read_only_fields = ["idea", "author", "created_at"]


class IdeaSupportSerializer(serializers.Serializer[Any]):
    support_count = serializers.IntegerField(read_only=True)


class IdeaShortlistSerializer(serializers.Serializer[Any]):
    shortlisted = serializers.BooleanField(default=True)


class IdeaKeyTaskSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    owner = scoped_field(get_user_model(), allow_null=True, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)


class IdeaAdoptSerializer(serializers.Serializer[Any]):
    """Take the idea forward as a new key task of the challenge's mission (``key_task``), or
    link a mission right under it that the caller wrote for it (``child_mission``)."""

    key_task = IdeaKeyTaskSerializer(required=False)
    child_mission = scoped_field(Mission, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("key_task" in attrs) == ("child_mission" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": ["Give a key_task or a child_mission, one of the two."]}
            )
        return attrs


class DevelopmentPlanSerializer(ModelSerializer):
    organisation = scoped_field(Organisation)

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "organisation",
            "person",
            "aspiration",
            "review_asked_of",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["person", "review_asked_of", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and attrs.get("organisation", self.instance.organisation) != (
            self.instance.organisation
        ):
            raise serializers.ValidationError(
                {"organisation": ["A plan stays in its organisation."]}
            )
        return attrs


class DevelopmentGoalSerializer(ModelSerializer):
    class Meta:
        model = DevelopmentGoal
        fields = [
            "id",
            "plan",
            "behaviour",
            "theme",
            "goal",
            "actions",
            "target_on",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["plan", "theme", "created_at", "updated_at"]


class DevelopmentEvidenceSerializer(ModelSerializer):
    goal = scoped_field(DevelopmentGoal)

    class Meta:
        model = DevelopmentEvidence
        fields = ["id", "goal", "observed_on", "note", "by", "created_at"]
        read_only_fields = ["by", "created_at"]


class DevelopmentReviewSerializer(ModelSerializer):
    class Meta:
        model = DevelopmentReview
        fields = ["id", "plan", "reviewer", "held_on", "note", "created_at"]
        read_only_fields = ["plan", "reviewer", "created_at"]


class AskReviewSerializer(serializers.Serializer[Any]):
    reviewer = scoped_field(
        get_user_model(), help_text="The leader of the person's team, or a coach of it."
    )


# --- Coalitions ----------------------------------------------------------------------------
# A coalition is shared by its members; what one member reads of another (its name, the
# contributions offered and aligned, their missions' titles and KPIs) is what the coalition's
# page reads (``selectors.coalition_page``), and nothing else: no person of another member.


class CoalitionMemberSerializer(serializers.Serializer[Any]):
    """A member organisation: its name and its place, from the invitation on."""

    organisation = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.name")
    status = serializers.ChoiceField(choices=CoalitionMember.Status.choices)
    invited_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    left_at = serializers.DateTimeField(allow_null=True)


class CoalitionSerializer(ModelSerializer):
    organisation = scoped_field(
        Organisation,
        required=False,
        write_only=True,
        help_text="The organisation that forms it, its first member: needed only for someone "
        "in several organisations.",
    )
    your_organisations = CoalitionMemberSerializer(
        source="places",
        many=True,
        read_only=True,
        help_text="The caller's organisations in it, each with its status (invited or member).",
    )

    class Meta:
        model = Coalition
        fields = [
            "id",
            "organisation",
            "name",
            "purpose",
            "convened_by",
            "your_organisations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["convened_by", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("organisation") is None:
            request = self.context.get("request")
            mine = (
                list(Organisation.objects.filter(memberships__user=request.user)[:2])
                if request is not None
                else []
            )
            if len(mine) != 1:
                raise serializers.ValidationError(
                    {"organisation": "Say which organisation (you belong to several)."}
                )
            attrs["organisation"] = mine[0]
        return attrs


class CoalitionUpdateSerializer(ModelSerializer):
    class Meta:
        model = Coalition
        fields = ["name", "purpose"]


class CoalitionKpiSerializer(serializers.Serializer[Any]):
    """A KPI of a mission aligned to the coalition: its figures as stored, nothing else."""

    name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField(source="kpi.unit")
    latest_value = serializers.FloatField(allow_null=True)
    progress = serializers.SerializerMethodField(help_text="0–1, towards its target.")
    forecast_status = serializers.ChoiceField(
        source="kpi.forecast_status", choices=ForecastStatus.choices
    )

    def get_progress(self, figures: Any) -> float:
        return round(float(figures.progress), 4)


class CoalitionContributionSerializer(serializers.Serializer[Any]):
    """A contribution as the coalition's page shows it (``selectors.ContributionView``)."""

    id = serializers.IntegerField(source="contribution.pk")
    organisation = serializers.IntegerField(source="member.pk")
    member = serializers.CharField(source="member.name", help_text="The member that offers it.")
    mission = serializers.IntegerField(source="contribution.mission_id")
    mission_title = serializers.CharField(source="contribution.mission.title")
    how = serializers.CharField(source="contribution.how")
    own = serializers.BooleanField(help_text="Whether it is of the organisation seen from.")
    may_answer = serializers.BooleanField(help_text="Whether the caller may align or decline it.")
    may_withdraw = serializers.BooleanField(help_text="Whether the caller may withdraw it.")
    kpis = serializers.SerializerMethodField(
        help_text="Its mission's active KPIs, once aligned; empty while offered."
    )

    @extend_schema_field(CoalitionKpiSerializer(many=True))
    def get_kpis(self, view: Any) -> list[dict[str, Any]]:
        if view.figures is None:
            return []
        return list(CoalitionKpiSerializer(view.figures.kpis, many=True).data)


class CoalitionMissionPageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="mission.pk")
    title = serializers.CharField(source="mission.title")
    intent = serializers.CharField(source="mission.intent")
    written_by = serializers.IntegerField(source="mission.written_by_id", allow_null=True)
    aligned = CoalitionContributionSerializer(many=True)
    offered = CoalitionContributionSerializer(many=True)


class CoalitionLinkSerializer(serializers.Serializer[Any]):
    """What one member's aligned contribution needs from another's."""

    id = serializers.IntegerField(source="link.pk")
    contribution = serializers.IntegerField(source="link.contribution_id")
    member = serializers.CharField(source="member.name")
    mission_title = serializers.CharField()
    depends_on = serializers.IntegerField(source="link.depends_on_id")
    on_member = serializers.CharField(source="on_member.name")
    on_mission_title = serializers.CharField()
    description = serializers.CharField(source="link.description")


class CoalitionDetailSerializer(serializers.Serializer[Any]):
    """A coalition as one of its members reads it: its purpose, its members, its missions with
    the contributions offered and aligned to them (an invited organisation reads none), and
    what the contributions need from one another."""

    id = serializers.IntegerField(source="coalition.pk")
    name = serializers.CharField(source="coalition.name")
    purpose = serializers.CharField(source="coalition.purpose")
    convened_by = serializers.IntegerField(source="coalition.convened_by_id", allow_null=True)
    created_at = serializers.DateTimeField(source="coalition.created_at")
    updated_at = serializers.DateTimeField(source="coalition.updated_at")
    organisation = serializers.IntegerField(
        help_text="The caller's organisation it is read as (``?organisation=``); its place is "
        "among the members."
    )
    may_lead = serializers.BooleanField(
        help_text="Whether the caller speaks for it here: edits, invites, writes missions, "
        "aligns the others' contributions, leaves."
    )
    may_join = serializers.BooleanField(help_text="Whether the caller answers its invitation.")
    members = CoalitionMemberSerializer(many=True)
    missions = CoalitionMissionPageSerializer(many=True)
    links = CoalitionLinkSerializer(many=True)


class CoalitionInviteSerializer(serializers.Serializer[Any]):
    address = TextField(
        max_length=Organisation._meta.get_field("slug").max_length,
        validators=[validate_line],
        help_text="The organisation's address: the name after /o/ in the address of its pages.",
    )


class CoalitionAnswerSerializer(serializers.Serializer[Any]):
    join = serializers.BooleanField(help_text="True joins the coalition; false declines.")


class CoalitionMissionSerializer(ModelSerializer):
    class Meta:
        model = CoalitionMission
        fields = ["id", "coalition", "title", "intent", "written_by", "created_at", "updated_at"]
        read_only_fields = ["coalition", "written_by", "created_at", "updated_at"]


class ContributionSerializer(ModelSerializer):
    """A contribution of the caller's organisation (or, once answered, another member's)."""

    coalition = serializers.IntegerField(source="coalition_mission.coalition_id", read_only=True)
    coalition_mission_title = serializers.CharField(
        source="coalition_mission.title", read_only=True
    )
    mission_title = serializers.CharField(source="mission.title", read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "organisation",
            "coalition",
            "coalition_mission",
            "coalition_mission_title",
            "mission",
            "mission_title",
            "how",
            "status",
            "answer",
            "answered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CoalitionMissionField(IdField):
    """A mission of the coalition the request is about (``context["coalition"]``); those of
    other coalitions do not exist."""

    def get_queryset(self) -> QuerySet[CoalitionMission]:
        return CoalitionMission.objects.filter(coalition=self.context.get("coalition"))


class ContributionOfferSerializer(serializers.Serializer[Any]):
    """One of the caller's missions (one they may edit) offered to a mission of the
    coalition."""

    coalition_mission = CoalitionMissionField(
        queryset=CoalitionMission.objects.all(), help_text="A mission of this coalition."
    )
    mission = scoped_field(Mission, help_text="A mission of yours that you may edit.")
    how = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Contribution._meta.get_field("how").max_length,
        validators=[validate_text],
        help_text="What your mission adds to the coalition's.",
    )


class ContributionAnswerSerializer(serializers.Serializer[Any]):
    align = serializers.BooleanField(help_text="True aligns it; false declines it (say why).")
    answer = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Contribution._meta.get_field("answer").max_length,
        validators=[validate_line],
        help_text="A comment; needed to decline, so the member can offer a better one.",
    )
