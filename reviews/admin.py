"""The Django admin of 30-day reviews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin

from .models import Review

if TYPE_CHECKING:
    from django.http import HttpRequest


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = (
            "mission",
            "due_date",
            "status",
            "held_on",
            "held_by",
            "summary",
            "working",
            "not_working",
            "changes",
            "still_aligned",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") == Review.Status.DONE and not cleaned.get("held_on"):
            self.add_error("held_on", "A review that is done says when it was held.")
        mission_id = cleaned["mission"].pk if cleaned.get("mission") else self.instance.mission_id
        due_date = cleaned.get("due_date")
        if mission_id and due_date:
            clash = Review.objects.filter(mission_id=mission_id, due_date=due_date)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("due_date", "This mission already has a review due that day.")
        return cleaned


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    form = ReviewForm
    list_display = ("mission", "due_date", "status", "held_on", "held_by", "still_aligned")
    list_filter = ("status", "still_aligned", "mission__organisation", "due_date")
    list_select_related = ("mission", "held_by")
    search_fields = ("mission__title", "summary")
    autocomplete_fields = ("mission", "held_by")
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("mission", "due_date", "status", "held_on", "held_by")}),
        (
            "The review",
            {
                "fields": (
                    "summary",
                    "working",
                    "not_working",
                    "changes",
                    "still_aligned",
                )
            },
        ),
        ("History", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A review belongs to one mission's cycle; moving it would break "one per cycle".
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("mission", *fields) if obj else fields
