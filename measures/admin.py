"""The Django admin of KPIs and their append-only check-ins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from kernel.admin import ReadOnlyAdminMixin, adopt, save_extra_fields, service_data
from kernel.types import User
from kernel.web import signed_in_user
from missions.services.checks import request_alignment_check

from . import services
from .models import CheckIn, ForecastCalibration, Kpi
from .querysets import CheckInQuerySet

if TYPE_CHECKING:
    from django.http import HttpRequest


def kpi_set_status(kpi: Kpi, status: str, *, by: User) -> None:
    """Archive through the service; reactivating (no service for it) is logged the same way."""
    if status == kpi.status:
        return
    if status == Kpi.Status.ARCHIVED:
        services.kpi_archive(kpi=kpi, by=by)
    else:
        save_extra_fields(
            kpi,
            {"status": status},
            organisation=kpi.mission.organisation,
            by=by,
            mission=kpi.mission,
        )
        # Back among its parent's contributors: the parent's stored roll-up counts it again.
        services.kpi_refresh_rollups(kpi_ids=[kpi.parent_kpi_id])
        request_alignment_check(kpi.mission)


LATEST_CHECK_INS = 20


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ("mission", *services.KPI_FIELDS, "status")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        mission = cleaned.get("mission") or getattr(self.instance, "mission", None)
        parent_kpi = cleaned.get("parent_kpi")
        if mission is not None and parent_kpi is not None:
            if parent_kpi.organisation_id != mission.organisation_id:
                self.add_error("parent_kpi", "That KPI belongs to another organisation.")
            elif mission.parent_id is not None and parent_kpi.mission_id != mission.parent_id:
                self.add_error("parent_kpi", "Link a KPI of the parent mission.")
            elif self.instance.pk is not None and parent_kpi.pk == self.instance.pk:
                self.add_error("parent_kpi", "A KPI cannot contribute to itself.")
        return cleaned


class LatestCheckInsFormSet(BaseInlineFormSet):
    """Only the latest check-ins: a KPI updated daily for years has thousands."""

    def get_queryset(self) -> models.QuerySet[CheckIn]:
        if not hasattr(self, "_latest"):
            check_ins = super().get_queryset()
            assert isinstance(check_ins, CheckInQuerySet), "CheckIn.objects' queryset"
            self._latest = check_ins.newest_first()[:LATEST_CHECK_INS]
        return self._latest


class CheckInInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CheckIn
    formset = LatestCheckInsFormSet
    fk_name = "kpi"
    fields = ("recorded_on", "value", "confidence", "author", "comment", "created_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    verbose_name_plural = f"latest check-ins (at most {LATEST_CHECK_INS})"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[CheckIn]:
        return super().get_queryset(request).select_related("author")


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    form = KpiForm
    list_display = (
        "name",
        "mission",
        "organisation",
        "direction",
        "baseline",
        "target",
        "unit",
        "due_date",
        "status",
    )
    list_filter = ("organisation", "direction", "status")
    list_select_related = ("mission", "organisation")
    search_fields = ("name", "mission__title")
    autocomplete_fields = ("mission", "parent_kpi")
    readonly_fields = ("organisation", "history", "created_by", "created_at", "updated_at")
    inlines = (CheckInInline,)
    show_full_result_count = False

    @admin.display(description="All check-ins")
    def history(self, obj: Kpi) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:measures_checkin_changelist") + f"?kpi__id__exact={obj.pk}"
        return format_html('<a href="{}">Every check-in of this KPI</a>', url)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A KPI's check-ins measure its mission: it does not move to another one.
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("mission", *fields) if obj else fields

    def save_model(self, request: HttpRequest, obj: Kpi, form: Any, change: bool) -> None:
        """Write through the measures services: validation and the audit log."""
        data = service_data(form, services.KPI_FIELDS)
        by = signed_in_user(request)
        if change:
            stored = Kpi.objects.select_related("mission__organisation").get(pk=obj.pk)
            kpi = services.kpi_update(kpi=stored, data=data, by=by)
        else:
            kpi = services.kpi_create(mission=obj.mission, data=data, by=by)
        kpi_set_status(kpi, form.cleaned_data["status"], by=by)
        adopt(obj, kpi)


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = ("kpi", "value", "confidence", "recorded_on", "comment", "author", "supersedes")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kpi, supersedes = cleaned.get("kpi"), cleaned.get("supersedes")
        if kpi is not None and kpi.status != Kpi.Status.ACTIVE:
            self.add_error("kpi", "This KPI is archived; it takes no more check-ins.")
        recorded_on = cleaned.get("recorded_on")
        if recorded_on and recorded_on > timezone.localdate():
            self.add_error("recorded_on", "The date cannot be in the future.")
        if kpi is not None and supersedes is not None and supersedes.kpi_id != kpi.pk:
            self.add_error("supersedes", "That check-in belongs to another KPI.")
        return cleaned


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: a correction is a new check-in that supersedes an earlier one."""

    form = CheckInForm
    list_display = ("kpi", "value", "confidence", "recorded_on", "author", "created_at")
    list_filter = ("kpi__organisation", "recorded_on")
    list_select_related = ("kpi", "author")
    search_fields = ("kpi__name", "comment", "author__username")
    autocomplete_fields = ("kpi", "author")
    raw_id_fields = ("supersedes",)
    readonly_fields = ("created_at",)
    show_full_result_count = False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        initial.setdefault("recorded_on", timezone.localdate())
        return initial

    def save_model(self, request: HttpRequest, obj: CheckIn, form: Any, change: bool) -> None:
        check_in = services.kpi_record_value(
            kpi=obj.kpi,
            value=obj.value,
            by=obj.author,
            confidence=obj.confidence,
            comment=obj.comment,
            recorded_on=obj.recorded_on,
            supersedes=obj.supersedes,
        )
        adopt(obj, check_in)


@admin.register(ForecastCalibration)
class ForecastCalibrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Learnt each night from the organisation's own history (``measures.calibrating``)."""

    list_display = ("organisation", "outcomes", "learnt_at")
    list_select_related = ("organisation",)
    readonly_fields = ("organisation", "knots", "outcomes", "learnt_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
