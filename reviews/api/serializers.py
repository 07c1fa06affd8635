from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from kernel.models import Notification
from kernel.notifications import GROUP_OF_KIND
from measures.models import Kpi
from missionlead.serializers import ModelSerializer
from missions.api.serializers import scoped_field
from missions.models import KeyTask, Mission

from ..models import Comment, Finding, Review


class ReviewSerializer(ModelSerializer):
    class Meta:
        model = Review
        fields = [
            "id",
            "mission",
            "due_date",
            "held_on",
            "held_by",
            "summary",
            "working",
            "not_working",
            "changes",
            "still_aligned",
            "status",
        ]
        read_only_fields = fields


class ReviewCompleteSerializer(ModelSerializer):
    """What a held review records, with the review's own bounds (dates, lengths)."""

    class Meta:
        model = Review
        fields = ["held_on", "summary", "working", "not_working", "changes", "still_aligned"]
        extra_kwargs = {
            "held_on": {"required": False, "allow_null": False},
            "still_aligned": {"required": True, "allow_null": False},
            **{name: {"default": ""} for name in ("summary", "working", "not_working", "changes")},
        }


class FindingSerializer(ModelSerializer):
    predicted = serializers.BooleanField(
        read_only=True,
        help_text="A misalignment expected to happen (on ``expected_on``), not one that has.",
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "organisation",
            "mission",
            "kind",
            "severity",
            "message",
            "predicted",
            "expected_on",
            "opened_at",
            "resolved_at",
        ]
        extra_kwargs = {
            "expected_on": {
                "help_text": "For a predicted finding, the day it is expected to happen; "
                "null for the others."
            }
        }
        read_only_fields = fields


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "organisation",
            "kind",
            "message",
            "url",
            "mission",
            "created_at",
            "read_at",
            "cause",
            "done_at",
        ]
        read_only_fields = fields


class InboxItemSerializer(NotificationSerializer):
    """An open item of the caller's inbox: what waits for them, and the group it belongs to
    on My work's "To do now"."""

    group = serializers.SerializerMethodField()

    class Meta(NotificationSerializer.Meta):
        fields = [*NotificationSerializer.Meta.fields, "group"]
        read_only_fields = fields

    def get_group(self, item: Notification) -> str:
        return GROUP_OF_KIND[item.kind]


class MarkedReadSerializer(serializers.Serializer):
    """How many notifications a mark-read call changed."""

    marked = serializers.IntegerField()


class CommentSerializer(ModelSerializer):
    """A comment and what it is on. Written on exactly one of ``mission``, ``kpi``,
    ``key_task`` or ``review``, or as a reply (``parent``, then on what the parent is on);
    only ``body`` changes afterwards. A removed comment keeps its place with an empty body."""

    mission = scoped_field(Mission, required=False)
    kpi = scoped_field(Kpi, allow_null=True, required=False)
    key_task = scoped_field(KeyTask, allow_null=True, required=False)
    review = scoped_field(Review, allow_null=True, required=False)
    # DRF's metaclass moves declared fields out of the class: no clash with Field.parent.
    parent = scoped_field(  # type: ignore[assignment]
        Comment, allow_null=True, required=False, help_text="The comment this one answers."
    )
    mention = scoped_field(
        get_user_model(),
        allow_null=True,
        required=False,
        write_only=True,
        help_text="A member to tell, as an @username in the body tells them.",
    )
    mentioned = serializers.SerializerMethodField(help_text="The members the comment names.")

    SUBJECTS = ("mission", "kpi", "key_task", "review", "parent")

    class Meta:
        model = Comment
        fields = [
            "id",
            "organisation",
            "mission",
            "kpi",
            "key_task",
            "review",
            "parent",
            "author",
            "body",
            "mention",
            "mentioned",
            "created_at",
            "edited_at",
            "removed_at",
        ]
        read_only_fields = ["organisation", "author", "created_at", "edited_at", "removed_at"]

    def get_mentioned(self, comment: Comment) -> list[int]:
        return sorted(m.person_id for m in comment.mentions.all())

    def to_representation(self, comment: Comment) -> dict[str, Any]:
        data = super().to_representation(comment)
        if comment.removed_at is not None:
            data["body"] = ""
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            moved = [name for name in self.SUBJECTS if name in attrs]
            if moved:
                raise serializers.ValidationError(
                    {name: ["A comment stays where it was written."] for name in moved}
                )
            return attrs
        given = [name for name in self.SUBJECTS if attrs.get(name) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"mission": ["Give one of mission, kpi, key_task, review or parent."]}
            )
        return attrs

    def subject(self) -> Any:
        """What a new comment is on (a reply: the comment it answers)."""
        return next(
            self.validated_data[name]
            for name in self.SUBJECTS
            if self.validated_data.get(name) is not None
        )
