from __future__ import annotations

from rest_framework import serializers

from missions.models import Notification

from ..models import Finding, Review


class ReviewSerializer(serializers.ModelSerializer):
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


class ReviewCompleteSerializer(serializers.Serializer):
    """What a held review records."""

    held_on = serializers.DateField(required=False)
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    working = serializers.CharField(allow_blank=True, required=False, default="")
    not_working = serializers.CharField(allow_blank=True, required=False, default="")
    changes = serializers.CharField(allow_blank=True, required=False, default="")
    still_aligned = serializers.BooleanField()


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "organisation",
            "mission",
            "kind",
            "severity",
            "message",
            "opened_at",
            "resolved_at",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
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
        ]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    """How many notifications a mark-read call changed."""

    marked = serializers.IntegerField()
