"""The Django admin of 30-day reviews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin

from kernel.admin import ReadOnlyAdminMixin

from .models import (
    AlignmentSnapshot,
    BriefClaim,
    CalendarFeed,
    CoachingNote,
    Comment,
    DigestClaim,
    Finding,
    Mention,
    MissionScore,
    Reminder,
    Review,
    SearchEntry,
    SubtreeSnapshot,
)

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
        super().clean()
        cleaned = self.cleaned_data
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


class WrittenByTheChecksMixin(ReadOnlyAdminMixin):
    """Rows the alignment checks and the reminder sweep write; people only read them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Finding)
class FindingAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    list_display = ("kind", "severity", "mission", "message", "opened_at", "resolved_at")
    list_filter = ("kind", "severity", ("resolved_at", admin.EmptyFieldListFilter), "organisation")
    list_select_related = ("mission",)
    search_fields = ("message", "mission__title")
    raw_id_fields = ("mission",)
    show_full_result_count = False


@admin.register(MissionScore)
class MissionScoreAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    list_display = ("mission", "score", "organisation")
    list_filter = ("organisation",)
    list_select_related = ("mission", "organisation")
    search_fields = ("mission__title",)
    raw_id_fields = ("mission",)
    show_full_result_count = False


@admin.register(AlignmentSnapshot)
class AlignmentSnapshotAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    list_display = ("run_date", "organisation", "team", "score", "missions", "open_findings")
    list_filter = ("organisation", "run_date")
    list_select_related = ("organisation", "team")
    date_hierarchy = "run_date"
    show_full_result_count = False


@admin.register(SubtreeSnapshot)
class SubtreeSnapshotAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    """Each team with its sub-teams on the day of a check: the sums of their snapshots."""

    list_display = ("run_date", "organisation", "team", "score", "missions", "open_findings")
    list_filter = ("organisation", "run_date")
    list_select_related = ("organisation", "team")
    raw_id_fields = ("team",)
    date_hierarchy = "run_date"
    show_full_result_count = False


@admin.register(Reminder)
class ReminderAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    list_display = ("review", "kind", "recipient", "created_at", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    list_select_related = ("review__mission", "recipient")
    raw_id_fields = ("review", "recipient")
    show_full_result_count = False


@admin.register(DigestClaim)
class DigestClaimAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    """The digests claimed and sent, one per person and period (``lines`` 0: nothing to say,
    not emailed). Read-only: a row is the claim that keeps a digest from going twice."""

    list_display = ("user", "period", "created_at", "sent_at", "lines")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "period")
    raw_id_fields = ("user",)
    show_full_result_count = False


@admin.register(BriefClaim)
class BriefClaimAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    """The weekly briefs claimed and sent, one per organisation, person and week (``items`` 0:
    nothing to say, not emailed). Read-only: a row is the claim that keeps a brief from going
    twice."""

    list_display = ("user", "organisation", "period", "created_at", "sent_at", "items")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "organisation")
    list_select_related = ("user", "organisation")
    search_fields = ("user__username", "user__email", "period")
    raw_id_fields = ("user", "organisation")
    show_full_result_count = False


@admin.register(CoachingNote)
class CoachingNoteAdmin(admin.ModelAdmin):
    """Who wrote a note about whom, and when; never the body. Notes are private to the coach
    and the coachee (``kernel.permissions.can_read_coaching_note``), so the admin neither
    shows nor edits them; it may delete one (a person leaving asks for their data to go)."""

    list_display = ("coach", "coachee", "organisation", "created_at", "updated_at")
    list_filter = ("organisation",)
    list_select_related = ("coach", "coachee", "organisation")
    fields = ("organisation", "coach", "coachee", "created_at", "updated_at")
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SearchEntry)
class SearchEntryAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    """Written by the database's triggers (``reviews.search``): read here, never edited."""

    list_display = ("kind", "object_id", "organisation")
    list_filter = ("kind",)
    list_select_related = ("organisation",)
    exclude = ("vector",)


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    raw_id_fields = ("person",)
    readonly_fields = ("organisation",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are written in the app (``reviews.services.comments``); here they are read,
    and an admin may correct one (the service's history is the app's)."""

    list_display = ("__str__", "author", "mission", "created_at", "removed_at")
    list_filter = (("removed_at", admin.EmptyFieldListFilter), "organisation")
    list_select_related = ("author", "mission")
    search_fields = ("body", "mission__title")
    raw_id_fields = ("mission", "kpi", "key_task", "review", "parent", "author")
    readonly_fields = ("created_at", "edited_at")
    inlines = [MentionInline]
    show_full_result_count = False


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ("person", "comment")
    list_select_related = ("person", "comment")
    raw_id_fields = ("comment", "person")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(WrittenByTheChecksMixin, admin.ModelAdmin):
    """People's calendar feeds: read-only (only a hash of each address is kept); a person
    makes and revokes their own on their calendar page."""

    list_display = ("user", "organisation", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "organisation")
    list_select_related = ("user", "organisation")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user", "organisation")
    exclude = ("digest",)
    show_full_result_count = False
