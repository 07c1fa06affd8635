"""The organisation's planning periods, defined by its admins in the browser."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kernel.forms import save_through
from kernel.permissions import Action, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view

from .. import services
from ..forms import FiscalYearForm, PeriodForm
from ..models import Period


@org_view
@require_http_methods(["GET", "POST"])
def periods(request: OrgRequest) -> HttpResponse:
    """The organisation's periods, a year and its quarters generated at once, or one period
    written by hand."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation, by = actor.organisation, request.user
    step = request.POST.get("step") if request.method == "POST" else None
    year_form = FiscalYearForm(request.POST if step == "year" else None, prefix="year")
    period_form = PeriodForm(
        request.POST if step == "period" else None, prefix="period", organisation=organisation
    )
    if step == "year":
        year = save_through(
            year_form,
            lambda d: services.periods_generate_year(organisation=organisation, by=by, **d),
        )
        if year is not None:
            messages.success(request, f"{year.name} and its four quarters are defined.")
            return redirect("missions:periods", org=organisation.slug)
    elif step == "period":
        period = save_through(
            period_form,
            lambda d: services.period_create(organisation=organisation, data=d, by=by),
        )
        if period is not None:
            messages.success(request, f"{period.name} is defined.")
            return redirect("missions:periods", org=organisation.slug)
    bound = year_form if step == "year" else period_form
    return render(
        request,
        "missions/periods.html",
        {
            "periods": Period.objects.filter(organisation=organisation)
            .select_related("parent")
            .order_by("starts_on", "-ends_on", "id"),
            "year_form": year_form,
            "period_form": period_form,
        },
        status=400 if step and bound.errors else 200,
    )
