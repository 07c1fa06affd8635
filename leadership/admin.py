"""The Django admin of the leadership practices: stakeholders with their plans and contacts.
Changes made here skip the services' audit log and inbox items; the pages and the API are the
ordinary way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from .models import (
    Coalition,
    CoalitionLink,
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
    IdeaSupport,
    InnovationChallenge,
    LearningGroup,
    LearningSession,
    PriorityChallenge,
    Recognition,
    SessionNote,
    Stakeholder,
)

if TYPE_CHECKING:
    from django.http import HttpRequest


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("contacted_on", "channel", "stance_after", "by", "note")
    raw_id_fields = ("by",)
    extra = 0


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "organisation",
        "mission",
        "leader",
        "influence",
        "interest",
        "stance",
        "desired_stance",
        "plan_owner",
        "next_contact_on",
    )
    list_filter = ("organisation", "stance", "channel")
    list_select_related = ("organisation", "mission", "leader", "member", "plan_owner")
    search_fields = ("name", "member__username", "member__last_name", "mission__title")
    raw_id_fields = ("mission", "leader", "member", "plan_owner", "created_by", "updated_by")
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "channel", "stance_after", "by", "created_at")
    list_filter = ("organisation", "channel")
    list_select_related = ("stakeholder__member", "organisation", "by")
    raw_id_fields = ("stakeholder", "by")
    show_full_result_count = False


@admin.register(PriorityChallenge)
class PriorityChallengeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "mission", "raised_by", "created_at", "outcome")
    list_filter = ("organisation", "kind", "outcome")
    list_select_related = ("organisation", "mission", "raised_by")
    raw_id_fields = ("mission", "other_mission", "raised_by", "answered_by")
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False


class _PrivateAdmin(admin.ModelAdmin):
    """Action learning and development plans are safe spaces: the admin lists who and when,
    never what was said, and changes nothing; it may delete (a person leaving asks for their
    data to go)."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LearningGroup)
class LearningGroupAdmin(_PrivateAdmin):
    list_display = ("name", "organisation", "facilitator", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "facilitator")
    fields = ("organisation", "name", "facilitator", "created_at")
    readonly_fields = fields


@admin.register(LearningSession)
class LearningSessionAdmin(_PrivateAdmin):
    list_display = ("held_on", "group", "organisation")
    list_filter = ("organisation",)
    list_select_related = ("group", "organisation")
    fields = ("organisation", "group", "held_on", "created_at")
    readonly_fields = fields


@admin.register(SessionNote)
class SessionNoteAdmin(_PrivateAdmin):
    list_display = ("__str__", "organisation", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("author", "organisation")
    fields = ("organisation", "session", "author", "created_at")
    readonly_fields = fields


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "giver", "theme", "created_at")
    list_filter = ("organisation", "theme")
    list_select_related = ("organisation", "giver", "receiver")
    raw_id_fields = ("giver", "receiver", "team")
    readonly_fields = ("theme", "created_at")
    show_full_result_count = False


class IdeaCommentInline(admin.TabularInline):
    model = IdeaComment
    fields = ("author", "body", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("author",)
    extra = 0


@admin.register(InnovationChallenge)
class InnovationChallengeAdmin(admin.ModelAdmin):
    list_display = ("question", "organisation", "mission", "closes_on", "closed_at", "opened_by")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "mission", "opened_by")
    search_fields = ("question", "mission__title")
    raw_id_fields = ("mission", "opened_by", "teams")
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "challenge", "status", "submitted_by", "created_at")
    list_filter = ("organisation", "status")
    list_select_related = ("organisation", "challenge", "submitted_by")
    search_fields = ("title", "challenge__question")
    raw_id_fields = (
        "challenge",
        "authors",
        "submitted_by",
        "key_task",
        "child_mission",
        "adopted_by",
    )
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False
    inlines = [IdeaCommentInline]


@admin.register(IdeaSupport)
class IdeaSupportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "person", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "person")
    raw_id_fields = ("idea", "person")
    show_full_result_count = False


@admin.register(IdeaComment)
class IdeaCommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "author")
    raw_id_fields = ("idea", "author")
    show_full_result_count = False


# Development plans are personal (the person, their leader, their coach): the admin lists whose
# and when, never what is written, and changes nothing.


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(_PrivateAdmin):
    list_display = ("__str__", "organisation", "updated_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "person")
    fields = ("organisation", "person", "created_at", "updated_at")
    readonly_fields = fields


@admin.register(DevelopmentGoal)
class DevelopmentGoalAdmin(_PrivateAdmin):
    list_display = ("plan", "organisation", "theme", "status", "created_at")
    list_filter = ("organisation", "theme", "status")
    list_select_related = ("organisation", "plan__person")
    fields = ("organisation", "plan", "theme", "status", "created_at")
    readonly_fields = fields


@admin.register(DevelopmentEvidence)
class DevelopmentEvidenceAdmin(_PrivateAdmin):
    list_display = ("__str__", "organisation", "by", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "by")
    fields = ("organisation", "goal", "by", "observed_on", "created_at")
    readonly_fields = fields


@admin.register(DevelopmentReview)
class DevelopmentReviewAdmin(_PrivateAdmin):
    list_display = ("__str__", "organisation", "reviewer", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "reviewer")
    fields = ("organisation", "plan", "reviewer", "held_on", "created_at")
    readonly_fields = fields


# --- Coalitions --------------------------------------------------------------------------------


class CoalitionMemberInline(admin.TabularInline):
    model = CoalitionMember
    fields = (
        "member",
        "status",
        "invited_by",
        "invited_at",
        "answered_by",
        "answered_at",
        "left_at",
    )
    raw_id_fields = ("member", "invited_by", "answered_by")
    extra = 0


class CoalitionMissionInline(admin.TabularInline):
    model = CoalitionMission
    fields = ("title", "written_by", "created_by")
    raw_id_fields = ("written_by", "created_by")
    extra = 0


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ("name", "convened_by", "created_at")
    list_select_related = ("convened_by",)
    search_fields = ("name",)
    raw_id_fields = ("convened_by", "created_by")
    readonly_fields = ("created_at", "updated_at")
    inlines = [CoalitionMemberInline, CoalitionMissionInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ("mission", "organisation", "coalition_mission", "status", "answered_at")
    list_filter = ("status", "organisation")
    list_select_related = ("mission", "organisation", "coalition_mission")
    search_fields = ("mission__title", "coalition_mission__title")
    raw_id_fields = (
        "organisation",
        "coalition_mission",
        "mission",
        "offered_by",
        "answered_by",
    )
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False


@admin.register(CoalitionLink)
class CoalitionLinkAdmin(admin.ModelAdmin):
    list_display = ("description", "organisation", "contribution", "depends_on", "created_at")
    list_select_related = ("organisation", "contribution", "depends_on")
    raw_id_fields = ("organisation", "contribution", "depends_on", "created_by")
