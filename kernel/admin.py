"""The Django admin of the organisation and its people, and the helpers every app's admin uses.

An organisation can hold 100,000 missions and thousands of people, so every foreign key to a
large table is an autocomplete field (never a select of every row), every changelist names its
``list_select_related``, and no changelist counts the whole table twice.

Writes that the product's services own (teams, memberships, invitations) go through those
services, so the same rules hold as in the app and the API and the change lands in the audit
log. The forms check those rules first, so a refusal is a message on the field, not an error
page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet

from . import services, tree
from .audit import audit_record
from .forms import add_service_errors
from .models import (
    AuditEvent,
    CoachAssignment,
    Invitation,
    Membership,
    Notification,
    NotificationPreference,
    Organisation,
    Team,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .web import signed_in_user

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .types import User

admin.site.site_header = "Mission Leadership administration"
admin.site.site_title = "Mission Leadership admin"
admin.site.index_title = "Organisations, missions, measures and reviews"


# --- Helpers shared with every app's admin ----------------------------------


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Turn the admin's unsaved ``obj`` into the row a service just wrote.

    The admin keeps using ``obj`` after ``save_model`` (inlines, the change log, the redirect),
    so it must carry the new primary key and the values the service set.
    """
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db
    obj.refresh_from_db()


def save_extra_fields(
    obj: models.Model,
    values: dict[str, Any],
    *,
    organisation: Organisation,
    by: User,
    mission: models.Model | None = None,
) -> None:
    """Store fields no service covers (e.g. a status), and log them like a service would."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [old, new]
            setattr(obj, name, new)
    if not changes:
        return
    obj.save(update_fields=[*changes, "updated_at"])
    audit_record(
        obj=obj,
        organisation=organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=mission,
        changes=changes,
    )


def service_data(form: forms.BaseForm, fields: tuple[str, ...]) -> dict[str, Any]:
    """The form's cleaned values of the fields a service takes."""
    return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}


def organisation_id_of(form: forms.ModelForm) -> int | None:
    """The organisation of the row the form edits: from the form, else the stored row."""
    organisation = form.cleaned_data.get("organisation")
    if organisation is not None:
        return organisation.pk
    return form.instance.organisation_id


def check_same_organisation(
    form: forms.ModelForm, organisation_id: int | None, *names: str
) -> None:
    """Add a form error for each related object that belongs to another organisation.

    PostgreSQL refuses such rows anyway (composite foreign keys); this turns the refusal into a
    message on the field instead of a server error.
    """
    if organisation_id is None:
        return
    for name in names:
        related = form.cleaned_data.get(name)
        if related is not None and related.organisation_id != organisation_id:
            form.add_error(name, "This belongs to another organisation.")


def check_tree_parent(form: forms.ModelForm, parent: Any, what: str) -> None:
    """A node may not sit under itself or its descendants, nor deeper than the tree allows."""
    if parent is None:
        return
    pk = form.instance.pk
    if pk is not None and (parent.pk == pk or pk in tree.ancestor_ids(parent.path)):
        form.add_error("parent", f"A {what} cannot sit under itself or under one of its own.")
    elif tree.depth(parent.path) + 1 >= tree.MAX_DEPTH:
        form.add_error("parent", f"The hierarchy is at most {tree.MAX_DEPTH} levels deep.")


class _DryRun(Exception):
    """Raised to roll back a service call made only to see whether it would succeed."""


def dry_run(form: forms.ModelForm, call: Callable[[], object]) -> None:
    """Call a service inside a savepoint that is always rolled back; its refusal goes on
    the form. The services stay the one place that states the rules."""
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        pass
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:  # a move the person saving may not make
        form.add_error(None, str(error) or "You may not make this change.")


class ReadOnlyAdminMixin:
    """Append-only records: they can be read, never changed or deleted here."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Organisation and people --------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "review_cadence_days", "max_active_missions", "time_zone")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("organisation", "name", "parent", "leader")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        organisation_id = organisation_id_of(self)
        check_same_organisation(self, organisation_id, "parent")
        check_tree_parent(self, cleaned.get("parent"), "team")
        name = cleaned.get("name")
        if organisation_id and name:
            clash = Team.objects.filter(organisation_id=organisation_id, name=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", "The organisation already has a team of this name.")
        return cleaned


class MembersFormSet(BaseInlineFormSet):
    """New members must not already belong to the team's organisation."""

    def clean(self) -> None:
        super().clean()
        organisation_id = self.instance.organisation_id
        for form in self.forms:
            user = getattr(form, "cleaned_data", {}).get("user")
            if user is None or form in self.deleted_forms:
                continue
            already = Membership.objects.filter(organisation_id=organisation_id, user=user)
            if form.instance.pk:
                already = already.exclude(pk=form.instance.pk)
            if already.exists():
                form.add_error("user", "This person is already a member of the organisation.")


class MemberInline(admin.TabularInline):
    """The team's members. The person is read-only here, so N members cost no N queries."""

    model = Membership
    fk_name = "team"
    fields = ("user", "role", "job_title")
    readonly_fields = ("user",)
    extra = 0
    show_change_link = True
    verbose_name_plural = "members"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


class NewMemberInline(admin.TabularInline):
    """Add people to the team (and so to its organisation)."""

    model = Membership
    fk_name = "team"
    formset = MembersFormSet
    fields = ("user", "role", "job_title")
    autocomplete_fields = ("user",)
    extra = 1
    verbose_name = "new member"
    verbose_name_plural = "add members"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Membership]:
        return super().get_queryset(request).none()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "organisation", "parent", "leader", "depth")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "parent", "leader")
    search_fields = ("name", "leader__username", "leader__first_name", "leader__last_name")
    autocomplete_fields = ("parent", "leader")
    readonly_fields = ("path", "created_at", "updated_at")
    inlines = (MemberInline, NewMemberInline)
    show_full_result_count = False

    @admin.display(description="Depth")
    def depth(self, obj: Team) -> int:
        return tree.depth(obj.path)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Moving a team to another organisation would strand its missions and members.
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("organisation", *fields) if obj else fields

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        """Write through the services: a new parent moves the sub-teams' paths too."""
        if change:
            stored = Team.objects.select_related("parent").get(pk=obj.pk)
            data = {name: form.cleaned_data[name] for name in ("name", "parent", "leader")}
            team = services.team_update(team=stored, data=data, by=signed_in_user(request))
        else:
            team = services.team_create(
                organisation=obj.organisation, name=obj.name, parent=obj.parent, leader=obj.leader
            )
        adopt(obj, team)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is Membership:
            for membership_form in formset.forms:
                membership_form.instance.organisation_id = form.instance.organisation_id
        super().save_formset(request, form, formset, change)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("organisation", "user", "role", "team", "job_title")

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_same_organisation(self, organisation_id_of(self), "team")
        return self.cleaned_data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "organisation", "role", "team", "job_title", "deactivated_at")
    list_filter = ("organisation", "role", ("deactivated_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "organisation", "team")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "team__name",
        "job_title",
    )
    autocomplete_fields = ("user", "team")
    # Deactivation is the identity provider's (SCIM): shown, not edited here.
    readonly_fields = ("deactivated_at", "created_at", "updated_at")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("organisation", "user", *fields) if obj else fields


class CoachAssignmentForm(forms.ModelForm):
    class Meta:
        model = CoachAssignment
        fields = ("organisation", "coach", "team")

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_same_organisation(self, organisation_id_of(self), "team")
        return self.cleaned_data


@admin.register(CoachAssignment)
class CoachAssignmentAdmin(admin.ModelAdmin):
    form = CoachAssignmentForm
    list_display = ("coach", "organisation", "coached_team")
    list_filter = ("organisation",)
    list_select_related = ("coach", "organisation", "team")
    search_fields = ("coach__username", "coach__first_name", "coach__last_name", "team__name")
    autocomplete_fields = ("coach", "team")

    @admin.display(description="Team", ordering="team__name")
    def coached_team(self, obj: CoachAssignment) -> str:
        return str(obj.team) if obj.team_id else "The whole organisation"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor", "verb", "object_repr", "content_type", "organisation")
    list_filter = ("verb", "organisation", "content_type")
    list_select_related = ("actor", "organisation", "content_type")
    search_fields = ("object_repr", "actor__username", "comment")
    readonly_fields = (
        "created_at",
        "organisation",
        "actor",
        "verb",
        "content_type",
        "object_id",
        "object_repr",
        "mission",
        "changes",
        "comment",
    )
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "message", "organisation", "read_at")
    list_filter = ("kind", "organisation", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient", "organisation")
    search_fields = ("message", "recipient__username", "recipient__last_name")
    autocomplete_fields = ("recipient", "mission")
    readonly_fields = ("dedupe_key", "created_at")
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Notification, form: Any, change: bool) -> None:
        # A notification about a mission belongs to the mission's organisation.
        mission = obj.mission if obj.mission_id is not None else None
        if mission is not None:
            obj.organisation_id = mission.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """The channels people chose where they differ from the defaults
    (``kernel.preferences.DEFAULT_CHANNELS``); a kind without a row follows its default."""

    list_display = ("user", "kind", "channel", "updated_at")
    list_filter = ("kind", "channel")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    show_full_result_count = False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are written by the People page and the API (the email holds the only copy of
    the token); here they are read, and revoked."""

    list_display = ("email", "organisation", "role", "team", "status_label", "expires_at")
    list_filter = ("role", "organisation")
    search_fields = ("email",)
    list_select_related = ("organisation", "team")
    fields = (
        "organisation",
        "email",
        "role",
        "team",
        "invited_by",
        "expires_at",
        "sent_count",
        "last_sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request: HttpRequest, queryset: models.QuerySet[Invitation]) -> None:
        by = signed_in_user(request)
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            services.invitation_revoke(invitation=invitation, by=by)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Integrations are kept by organisation admins on their Integrations page and through the
    API, where the changes are audited and what the organisation listens for is kept up to
    date; here they are read."""

    list_display = ("name", "organisation", "kind", "url", "is_active", "disabled_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "url")
    list_select_related = ("organisation",)
    fields = (
        "organisation",
        "kind",
        "name",
        "url",
        "events",
        "is_active",
        "disabled_reason",
        "disabled_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The delivery log, read only: each event sent to each endpoint, and how it went."""

    list_display = ("created_at", "event", "endpoint", "status", "attempts", "response_status")
    list_filter = ("status", "event")
    list_select_related = ("endpoint",)
    show_full_result_count = False
    fields = (
        "organisation",
        "endpoint",
        "message_id",
        "event",
        "payload",
        "summary",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_attempt_at",
        "response_status",
        "duration_ms",
        "error",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each try of a delivery, read only."""

    list_display = ("at", "delivery", "response_status", "duration_ms", "error")
    show_full_result_count = False
    fields = ("organisation", "delivery", "at", "response_status", "duration_ms", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
