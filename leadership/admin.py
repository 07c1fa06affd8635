"""The Django admin of the leadership practices: stakeholders with their plans and contacts.
Changes made here skip the services' audit log and inbox items; the pages and the API are the
ordinary way."""

from __future__ import annotations

from django.contrib import admin

from .models import Contact, Stakeholder


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
