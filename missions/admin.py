"""The Django admin of the vision and the mission cascade.

An organisation can hold 100,000 missions and thousands of people, so every foreign key to a
large table is an autocomplete field (never a select of every row), every changelist names its
``list_select_related``, and no changelist counts the whole table twice.

Writes that the product's services own (missions, the vision, key tasks, KPIs,
check-ins, new interdependencies) go through those services, so the materialized ``path``
stays right, the same rules hold as in the app and the API, and the change lands in the audit
log. The forms check those rules first, so a refusal is a message on the field, not an error
page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models

from kernel.admin import (
    adopt,
    check_same_organisation,
    check_tree_parent,
    dry_run,
    organisation_id_of,
    save_extra_fields,
    service_data,
)
from kernel.types import User
from kernel.web import signed_in_user
from measures import services as measure_services
from measures.admin import kpi_set_status
from measures.models import Kpi

from . import services
from .models import Interdependency, KeyTask, Mission, MissionTemplate, Period, Vision
from .services.checks import request_alignment_check

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(Vision)
class VisionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "horizon", "updated_by", "updated_at")
    list_select_related = ("organisation", "updated_by")
    search_fields = ("organisation__name", "purpose", "vision", "ceo_intent")
    fields = (
        "organisation",
        "purpose",
        "vision",
        "horizon",
        "success_picture",
        "ceo_intent",
        "updated_by",
        "updated_at",
    )
    readonly_fields = ("updated_by", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("organisation", *fields) if obj else fields

    def save_model(self, request: HttpRequest, obj: Vision, form: Any, change: bool) -> None:
        data = service_data(form, services.VISION_FIELDS)
        vision = services.vision_update(
            organisation=obj.organisation, data=data, by=signed_in_user(request)
        )
        adopt(obj, vision)


# --- Planning periods ---------------------------------------------------------------------


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ("organisation", *services.PERIOD_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_same_organisation(self, organisation_id_of(self), "parent")
        return self.cleaned_data


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    """The organisation's planning periods; the organisation's admins define them on the
    site's Periods page too (with a year and its quarters at once)."""

    form = PeriodForm
    list_display = ("name", "organisation", "starts_on", "ends_on", "parent")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "parent")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("organisation", *fields) if obj else fields

    def save_model(self, request: HttpRequest, obj: Period, form: Any, change: bool) -> None:
        """Through the services: audited, and the missions of the period follow its dates."""
        data = service_data(form, services.PERIOD_FIELDS)
        by = signed_in_user(request)
        if change:
            period = services.period_update(period=Period.objects.get(pk=obj.pk), data=data, by=by)
        else:
            period = services.period_create(organisation=obj.organisation, data=data, by=by)
        adopt(obj, period)


# --- Missions -----------------------------------------------------------------------------


class MissionForm(forms.ModelForm):
    by: User | None = None  # who saves: set by ``MissionAdmin.get_form``

    class Meta:
        model = Mission
        fields = ("organisation", "status", *services.MISSION_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        organisation_id = organisation_id_of(self)
        check_same_organisation(self, organisation_id, "parent", "owner_team", "period")
        parent = cleaned.get("parent")
        check_tree_parent(self, parent, "mission")
        # The level, owner and period rules are the model's (``Mission.clean``), checked when
        # the form validates the instance.
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # BaseModelForm's private hook (the instance built from the form), absent from django-stubs
        if self.errors or self.instance.organisation_id is None:
            return
        # Every rule the service enforces (e.g. the operating space fits inside the parent's)
        # is checked now, by a dry run rolled back at once, so it shows on the form rather
        # than as a server error when the admin saves.
        data = service_data(self, services.MISSION_FIELDS)
        if self.instance.pk is None:
            organisation = self.instance.organisation
            dry_run(
                self,
                lambda: services.mission_create(organisation=organisation, data=data, by=self.by),
            )
        else:
            stored = Mission.objects.get(pk=self.instance.pk)
            dry_run(self, lambda: services.mission_update(mission=stored, data=data, by=self.by))


class KeyTaskInline(admin.TabularInline):
    model = KeyTask
    fields = ("title", "owner", "due_date", "status", "completed_at")
    readonly_fields = ("completed_at",)
    autocomplete_fields = ("owner",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[KeyTask]:
        return super().get_queryset(request).select_related("owner")


class KpiInlineForm(forms.ModelForm):
    """The range rule is the model's (``Kpi.clean``), checked when the form validates."""


class KpiInline(admin.TabularInline):
    model = Kpi
    form = KpiInlineForm
    fields = (
        "name",
        "unit",
        "direction",
        "baseline",
        "target",
        "target_max",
        "due_date",
        "cadence_days",
        "status",
    )
    extra = 0
    show_change_link = True
    verbose_name = "measure of success (KPI)"
    verbose_name_plural = "measures of success (KPIs)"


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    def get_form(
        self, request: HttpRequest, obj: Mission | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """The form's dry run acts as the person saving, as ``save_model`` does: a staff user
        who is not a superuser is refused a move there, not only when saving. (A class made
        for the request: ``Any``, as ``type()`` builds it.)"""
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": signed_in_user(request)})

    form = MissionForm
    list_display = (
        "title",
        "level",
        "organisation",
        "owner",
        "parent",
        "alignment_status",
        "status",
        "period_start",
        "period_end",
    )
    list_filter = ("organisation", "level", "status", "alignment_status")
    list_select_related = ("organisation", "owner_user", "owner_team", "parent")
    search_fields = ("title", "owner_team__name", "owner_user__username", "owner_user__last_name")
    search_help_text = "Search by title, owner team or owner's username or surname."
    autocomplete_fields = ("parent", "owner_team", "owner_user", "period")
    readonly_fields = (
        "path",
        "alignment_status",
        "proposed_at",
        "aligned_at",
        "aligned_by",
        "next_review_due",
        "carried_over_from",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "organisation",
                    "level",
                    "title",
                    "statement",
                    "intent",
                    "parent",
                    "owner_team",
                    "owner_user",
                    "period",
                    ("period_start", "period_end"),
                    "status",
                )
            },
        ),
        (
            "Operating space",
            {
                "fields": (
                    "deadline",
                    "scope",
                    ("budget", "headcount"),
                    "constraints",
                    "decision_rights",
                )
            },
        ),
        ("Reviews", {"fields": ("review_cadence_days", "next_review_due")}),
        (
            "Alignment and history",
            {
                "classes": ("collapse",),
                "fields": (
                    "path",
                    "alignment_status",
                    "proposed_at",
                    "aligned_at",
                    "aligned_by",
                    "carried_over_from",
                    "created_by",
                    "updated_by",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )
    inlines = (KeyTaskInline, KpiInline)
    # The default count(*) of an unfiltered 100,000-row table on every page is a waste.
    show_full_result_count = False

    @admin.display(description="Owner")
    def owner(self, obj: Mission) -> str:
        return obj.owner_display

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("organisation", *fields) if obj else fields

    def save_model(self, request: HttpRequest, obj: Mission, form: Any, change: bool) -> None:
        """Write through the services: they keep ``path`` (and the subtree's) right and audit."""
        data = service_data(form, services.MISSION_FIELDS)
        status, by = form.cleaned_data["status"], signed_in_user(request)
        if change:
            stored = Mission.objects.select_related("parent").get(pk=obj.pk)
            mission = services.mission_update(mission=stored, data=data, by=by)
        else:
            mission = services.mission_create(organisation=obj.organisation, data=data, by=by)
        if status != mission.status:
            if status == Mission.Status.ARCHIVED:
                services.mission_archive(mission=mission, by=by)
            else:
                save_extra_fields(
                    mission,
                    {"status": status},
                    organisation=mission.organisation,
                    by=by,
                    mission=mission,
                )
                request_alignment_check(mission)
        adopt(obj, mission)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Key tasks and KPIs go through their services: validation and the audit log."""
        mission, by = form.instance, signed_in_user(request)
        formset.save(commit=False)  # fills new/changed/deleted_objects for the change log
        for obj in formset.deleted_objects:
            obj.delete()
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            if formset.model is KeyTask:
                data = service_data(row, services.KEY_TASK_FIELDS)
                if row.instance._state.adding:
                    services.key_task_create(mission=mission, data=data, by=by)
                else:
                    stored_task = KeyTask.objects.select_related("mission__organisation").get(
                        pk=row.instance.pk
                    )
                    services.key_task_update(task=stored_task, data=data, by=by)
                continue
            data = service_data(row, measure_services.KPI_FIELDS)
            if row.instance._state.adding:
                kpi = measure_services.kpi_create(mission=mission, data=data, by=by)
            else:
                stored_kpi = Kpi.objects.select_related("mission__organisation").get(
                    pk=row.instance.pk
                )
                kpi = measure_services.kpi_update(kpi=stored_kpi, data=data, by=by)
            kpi_set_status(kpi, row.cleaned_data.get("status", kpi.status), by=by)


class KeyTaskForm(forms.ModelForm):
    class Meta:
        model = KeyTask
        fields = ("mission", *services.KEY_TASK_FIELDS)


@admin.register(KeyTask)
class KeyTaskAdmin(admin.ModelAdmin):
    form = KeyTaskForm
    list_display = ("title", "mission", "owner", "due_date", "status")
    list_filter = ("status", "mission__organisation")
    list_select_related = ("mission", "owner")
    search_fields = ("title", "mission__title", "owner__username", "owner__last_name")
    autocomplete_fields = ("mission", "owner")
    readonly_fields = ("completed_at", "created_by", "created_at", "updated_at")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("mission", *fields) if obj else fields

    def save_model(self, request: HttpRequest, obj: KeyTask, form: Any, change: bool) -> None:
        data, by = service_data(form, services.KEY_TASK_FIELDS), signed_in_user(request)
        if change:
            stored = KeyTask.objects.select_related("mission__organisation").get(pk=obj.pk)
            task = services.key_task_update(task=stored, data=data, by=by)
        else:
            task = services.key_task_create(mission=obj.mission, data=data, by=by)
        adopt(obj, task)


class InterdependencyForm(forms.ModelForm):
    class Meta:
        model = Interdependency
        fields = ("from_mission", "kind", "to_mission", "description", "for_task", "status")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        source, target = cleaned.get("from_mission"), cleaned.get("to_mission")
        if source and target:
            if source.pk == target.pk:
                self.add_error("to_mission", "A mission cannot depend on itself.")
            elif source.organisation_id != target.organisation_id:
                self.add_error("to_mission", "Both missions must be in the same organisation.")
        return cleaned


@admin.register(Interdependency)
class InterdependencyAdmin(admin.ModelAdmin):
    form = InterdependencyForm
    list_display = ("from_mission", "kind", "to_mission", "status", "organisation", "created_at")
    list_filter = ("organisation", "kind", "status")
    list_select_related = ("from_mission", "to_mission", "organisation")
    search_fields = ("from_mission__title", "to_mission__title", "description")
    autocomplete_fields = ("from_mission", "to_mission", "for_task")
    readonly_fields = (
        "organisation",
        "created_by",
        "responded_by",
        "responded_at",
        "created_at",
        "updated_at",
    )
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A link's ends and kind are what it is; a different link is a new one.
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("from_mission", "kind", "to_mission", *fields) if obj else fields

    def save_model(
        self, request: HttpRequest, obj: Interdependency, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        link = services.interdependency_create(
            from_mission=obj.from_mission,
            to_mission=obj.to_mission,
            kind=obj.kind,
            description=obj.description,
            by=signed_in_user(request),
        )
        if obj.status != link.status:
            link.status = obj.status
            link.save(update_fields=["status", "updated_at"])
        adopt(obj, link)


@admin.register(MissionTemplate)
class MissionTemplateAdmin(admin.ModelAdmin):
    """An organisation's own templates; the product's live in code (``template_library``).
    Written through the service, so the history names who wrote one."""

    list_display = ("name", "organisation", "created_by", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "created_by")
    search_fields = ("name", "title", "description")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("organisation", *fields) if obj else fields

    def save_model(
        self, request: HttpRequest, obj: MissionTemplate, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        template = services.mission_template_create(
            organisation=obj.organisation,
            data=service_data(form, services.TEMPLATE_FIELDS),
            by=signed_in_user(request),
        )
        adopt(obj, template)
