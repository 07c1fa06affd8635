from __future__ import annotations

from rest_framework import serializers

from ..models import Review


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
