"""The leadership resources of the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from kernel.models import Organisation, Team
from missionlead.serializers import ModelSerializer
from missions.api.serializers import scoped_field
from missions.models import Mission

from ..models import (
    Contact,
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
