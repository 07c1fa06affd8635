"""Mission templates: the library, a mission saved as one, and one removed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kernel.forms import add_service_errors
from kernel.permissions import Action, can, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view
from measures import missions as mission_use_cases

from .. import selectors, services
from ..forms import MissionTemplateSaveForm
from ..models import MissionTemplate
from ..template_library import shipped_templates
from .common import get_mission_for


@org_view
@require_safe
def template_library(request: OrgRequest) -> HttpResponse:
    """The templates offered when a mission is written: the product's and the organisation's."""
    actor = actor_of(request)
    own = selectors.templates_of(organisation=actor.organisation)
    context = {
        "shipped": shipped_templates(),
        "own": [(t, can(actor, Action.ARCHIVE, t)) for t in own],
    }
    return render(request, "missions/template_library.html", context)


@org_view
@require_POST
def template_delete(request: OrgRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    template = get_object_or_404(MissionTemplate, pk=pk, organisation=actor.organisation)
    require(actor, Action.ARCHIVE, template)
    services.mission_template_delete(template=template, by=request.user)
    messages.success(request, f"The template “{template.name}” is removed.")
    return redirect("missions:templates", org=actor.organisation.slug)


@org_view
@require_http_methods(["GET", "POST"])
def mission_save_as_template(request: OrgRequest, pk: int) -> HttpResponse:
    """Save the mission, its operating space, KPIs and key tasks as a template of the
    organisation's own, offered from then on whenever a mission is written."""
    mission = get_mission_for(request, pk, Action.SAVE_AS_TEMPLATE)
    form = MissionTemplateSaveForm(request.POST or None, initial={"name": mission.title[:120]})
    if request.method == "POST" and form.is_valid():
        try:
            template = mission_use_cases.mission_save_as_template(
                mission=mission, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Saved as the template “{template.name}”: it is offered from now on."
            )
            return redirect("missions:templates", org=mission.organisation.slug)
    context = {"mission": mission, "form": form}
    status = 400 if form.errors else 200
    return render(request, "missions/template_save.html", context, status=status)
