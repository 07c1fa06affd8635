"""My work, check-ins (one, several, or from a CSV file) and the KPI page.

Thin views: each reads through ``measures.pages``, asks ``kernel.permissions``, and writes
through one service call.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kernel import formats
from kernel.forms import save_versioned
from kernel.permissions import Action, can, require
from kernel.types import OrgRequest
from kernel.web import org_view

from . import bulk, charts, dial, pages, services
from .forms import CheckInForm, KpiForm
from .summary import contribution_figures, contributions

NOT_ALLOWED = "You may not check in this KPI: only its mission's owner and their boss may."


def _my_work_url(request: OrgRequest) -> str:
    return reverse("measures:me", kwargs={"org": request.actor.organisation.slug})


def _back(request: OrgRequest) -> str:
    """Where a check-in posted without JavaScript returns: ``next`` if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _my_work_url(request)


def _check_in_form(kpi: Any, data: Any = None) -> CheckInForm:
    """The inline form of one KPI: ids unique on the page, field names plain."""
    return CheckInForm(data, auto_id=f"kpi-{kpi.pk}-%s")


def _put_errors(form: CheckInForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@org_view
@require_GET
def my_work(request: OrgRequest) -> HttpResponse:
    """What the user must do now, then their missions with KPIs (check in here) and key tasks."""
    work = pages.my_work(actor=request.actor, page=request.GET.get("page"))
    return render(request, "measures/my_work.html", {"work": work, "next": request.path})


def _row_response(
    request: OrgRequest,
    row: pages.KpiRow,
    *,
    form: CheckInForm | None = None,
    message: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "row": row,
        "form": form,
        "message": message,
        "errors": errors if errors is not None else (bulk.form_errors(form) if form else []),
        "next": _back(request),
    }
    template = "measures/partials/kpi_row.html" if request.htmx else "measures/check_in.html"
    return render(request, template, context, status=status)


@org_view
@require_POST
def kpi_check_in(request: OrgRequest, pk: int) -> HttpResponse:
    """Record one check-in. With htmx the KPI's row comes back updated (or with the reason it
    was refused); without JavaScript the browser returns to the page it came from."""
    actor = request.actor
    kpi = pages.kpi_of(actor=actor, pk=pk)
    row = pages.row_for(kpi, actor)
    if not row.can_check_in:
        if request.htmx:
            return _row_response(request, row, errors=[NOT_ALLOWED], status=403)
        raise PermissionDenied(NOT_ALLOWED)
    form = _check_in_form(kpi, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            check_in = services.kpi_record_value(
                kpi=kpi,
                value=data["value"],
                confidence=data["confidence"],
                comment=data["comment"],
                recorded_on=data["recorded_on"],
                by=request.user,
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            message = (
                f"Checked in {formats.quantity(check_in.value, kpi.unit)} "
                f"on {formats.day(check_in.recorded_on)}."
            )
            if not request.htmx:
                messages.success(request, f"“{kpi.name}”: {message}")
                return redirect(_back(request))
            fresh = pages.kpi_of(actor=actor, pk=pk)
            return _row_response(request, pages.row_for(fresh, actor), message=message)
    return _row_response(request, row, form=form, status=400)


@org_view
@require_http_methods(["GET", "POST"])
def bulk_check_in(request: OrgRequest) -> HttpResponse:
    """A value field per KPI of My work; blank ones are skipped; all stored or none."""
    rows = [row for row in pages.my_kpi_rows(actor=request.actor) if row.can_check_in]
    forms = [
        CheckInForm(
            request.POST or None,
            prefix=f"kpi-{row.kpi.pk}",
            initial={"confidence": row.default_confidence},
        )
        for row in rows
    ]
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        filled = [
            (form, row)
            for form, row in zip(forms, rows, strict=True)
            if request.POST.get(f"{form.prefix}-value", "").strip()
        ]
        entries = [bulk.entry_from_form(form, row.kpi) for form, row in filled]
        stored = bulk.check_ins_record_all(entries=entries, by=request.user) if entries else 0
        if stored:
            messages.success(request, f"Checked in {stored} KPI{'s' if stored > 1 else ''}.")
            return redirect("measures:me", org=request.actor.organisation.slug)
        if not entries:
            messages.error(request, "Nothing to store: fill in at least one value.")
        errors = {entry.kpi.pk: entry.errors for entry in entries if entry.kpi and entry.errors}
    items = [
        {"row": row, "form": form, "errors": errors.get(row.kpi.pk, [])}
        for row, form in zip(rows, forms, strict=True)
    ]
    return render(
        request,
        "measures/bulk_check_in.html",
        {"items": items, "failed": [item for item in items if item["errors"]]},
        status=400 if request.method == "POST" else 200,
    )


@org_view
@require_http_methods(["GET", "POST"])
def check_in_upload(request: OrgRequest) -> HttpResponse:
    """Upload a CSV of values: a preview with each line's errors, then confirm to store all."""
    actor = request.actor
    posted = request.method == "POST"
    form = bulk.CheckInUploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    context: dict[str, Any] = {"form": form, "entries": None}
    if posted and form.is_valid():
        confirm = form.cleaned_data["confirm"]
        try:
            entries = bulk.entries_from_csv(
                text=form.cleaned_data["text"], kpis=pages.my_kpis(actor=actor)
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            stored = bulk.check_ins_record_all(
                entries=entries, by=request.user, dry_run=not confirm
            )
            if stored:
                messages.success(request, f"Stored {stored} check-ins from the file.")
                return redirect("measures:me", org=actor.organisation.slug)
            context.update(
                entries=entries,
                failed=[entry for entry in entries if not entry.ok],
                text=form.cleaned_data["text"],
            )
    failed = bool(form.errors or context.get("failed"))
    return render(request, "measures/upload.html", context, status=400 if failed else 200)


@org_view
@require_GET
def kpi_detail(request: OrgRequest, pk: int) -> HttpResponse:
    """A KPI: its chart against the target, what moved the dial, its history, and what
    contributes to it."""
    actor = request.actor
    kpi = pages.kpi_of(actor=actor, pk=pk)
    require(actor, Action.VIEW, kpi)
    figures = pages.figures_of(kpi)
    moved = dial.dial_of(kpi, history=figures.history)
    context = {
        "kpi": kpi,
        "row": pages.row_for(kpi, actor, figures),
        "figures": figures,
        "chart": charts.line_chart(figures, marks=moved.marks),
        "dial": moved,
        "history": pages.history_of(kpi),
        "contributions": contributions(figures, contribution_figures(kpi)),
        "rollup": kpi.rollup_progress,  # stored with the contributors' figures
        "next": request.path,
        "can_edit": can(actor, Action.EDIT, kpi),
        **pages.conversation_of(actor=actor, kpi=kpi),
    }
    return render(request, "measures/kpi_detail.html", context)


@org_view
@require_GET
def kpi_chart(request: OrgRequest, pk: int) -> HttpResponse:
    """The KPI's chart as an SVG file of its own, to embed or download."""
    actor = request.actor
    kpi = pages.kpi_of(actor=actor, pk=pk)
    require(actor, Action.VIEW, kpi)
    figures = pages.figures_of(kpi)
    marks = dial.dial_of(kpi, history=figures.history).marks
    return HttpResponse(charts.line_chart(figures, marks=marks), content_type="image/svg+xml")


@org_view
@require_http_methods(["GET", "POST"])
def kpi_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Edit a KPI's definition (its check-ins stay as they are). A save made on an older
    version than the one stored comes back (409) with the user's values, and says who
    changed the KPI when."""
    kpi = pages.kpi_of(actor=request.actor, pk=pk)
    require(request.actor, Action.EDIT, kpi)
    form = KpiForm(request.POST or None, instance=kpi, mission=kpi.mission)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_versioned(
            form, partial(services.kpi_update, kpi=kpi, by=request.user)
        )
        if saved:
            messages.success(request, "The KPI is saved.")
            return redirect("measures:kpi", org=request.organisation.slug, pk=kpi.pk)
    status = 409 if conflict else 400 if form.errors else 200
    context = {"kpi": kpi, "form": form, "conflict": conflict}
    return render(request, "measures/kpi_form.html", context, status=status)


@org_view
@require_POST
def kpi_archive(request: OrgRequest, pk: int) -> HttpResponse:
    """Retire a KPI: it keeps its history, takes no more check-ins and leaves the figures
    of its mission and of the KPI it contributed to."""
    kpi = pages.kpi_of(actor=request.actor, pk=pk)
    require(request.actor, Action.EDIT, kpi)
    services.kpi_archive(kpi=kpi, by=request.user)
    messages.success(request, f"“{kpi.name}” is archived: its history stays here.")
    return redirect("measures:kpi", org=request.organisation.slug, pk=kpi.pk)
