from __future__ import annotations

from rest_framework import serializers

from kernel.models import Notification
from kernel.notifications import GROUP_OF_KIND
from missionlead.serializers import ModelSerializer

from ..models import Finding, Review


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
