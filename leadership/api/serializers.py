"""The leadership resources of the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from kernel.models import Organisation
from missionlead.serializers import ModelSerializer
from missions.api.serializers import scoped_field
from missions.models import Mission

from ..models import (
    Contact,
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
