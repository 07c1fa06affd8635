"""Integrations, for organisation admins: webhook endpoints, Slack and Microsoft Teams
addresses, each with its delivery log, a test event and a replay of any delivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kernel import services as kernel_services
from kernel.forms import WebhookEndpointForm, save_through
from kernel.models import WebhookDelivery, WebhookEndpoint
from kernel.permissions import Action, Actor, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view

LOG_PAGE = 25  # deliveries a page of the log


def _endpoint_for_admin(request: OrgRequest, pk: int) -> tuple[Actor, WebhookEndpoint]:
    actor = actor_of(request)
    require(actor, Action.MANAGE_INTEGRATIONS)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, organisation=actor.organisation)
    return actor, endpoint


@org_view
@require_http_methods(["GET", "POST"])
def integrations(request: OrgRequest) -> HttpResponse:
    """The organisation's endpoints; an admin adds one here."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_INTEGRATIONS)
    organisation = actor.organisation
    form = WebhookEndpointForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST":
        endpoint = save_through(
            form,
            lambda d: kernel_services.webhook_endpoint_create(
                organisation=organisation, data=d, by=request.user
            ),
        )
        if endpoint is not None:
            messages.success(request, f"“{endpoint.name}” is added.")
            return redirect("missions:integration", org=organisation.slug, pk=endpoint.pk)
    context = {
        "endpoints": WebhookEndpoint.objects.filter(organisation=organisation)[:200],
        "form": form,
    }
    return render(
        request, "missions/integrations.html", context, status=400 if form.errors else 200
    )


@org_view
@require_http_methods(["GET", "POST"])
def integration(request: OrgRequest, pk: int) -> HttpResponse:
    """One endpoint: change it, see its secret and its delivery log (newest first)."""
    actor, endpoint = _endpoint_for_admin(request, pk)
    form = WebhookEndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and save_through(
        form,
        lambda d: kernel_services.webhook_endpoint_update(
            endpoint=endpoint, data=d, by=request.user
        ),
    ):
        messages.success(request, f"“{form.cleaned_data['name']}” is saved.")
        return redirect("missions:integration", org=actor.organisation.slug, pk=endpoint.pk)
    log = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .defer("payload")
        .order_by("-created_at", "-id")
    )
    context = {
        "endpoint": endpoint,
        "form": form,
        "page": Paginator(log, LOG_PAGE).get_page(request.GET.get("page")),
        "now": timezone.now(),
    }
    return render(request, "missions/integration.html", context, status=400 if form.errors else 200)


@org_view
@require_POST
def integration_action(request: OrgRequest, pk: int, action: str) -> HttpResponse:
    """Send a test event, rotate the secret, or remove the endpoint."""
    actor, endpoint = _endpoint_for_admin(request, pk)
    slug = actor.organisation.slug
    if action == "test":
        kernel_services.webhook_send_test(endpoint=endpoint, by=request.user)
        messages.success(request, "A test event is on its way; its delivery is in the log.")
    elif action == "rotate":
        kernel_services.webhook_endpoint_rotate_secret(endpoint=endpoint, by=request.user)
        messages.success(
            request, "The secret is new. The old one signs too for 24 hours, while you change over."
        )
    else:
        kernel_services.webhook_endpoint_delete(endpoint=endpoint, by=request.user)
        messages.success(request, f"“{endpoint.name}” is removed.")
        return redirect("missions:integrations", org=slug)
    return redirect("missions:integration", org=slug, pk=endpoint.pk)


@org_view
@require_POST
def integration_replay(request: OrgRequest, pk: int) -> HttpResponse:
    """Send a delivery's message again."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_INTEGRATIONS)
    delivery = get_object_or_404(WebhookDelivery, pk=pk, organisation=actor.organisation)
    kernel_services.webhook_delivery_replay(delivery=delivery, by=request.user)
    messages.success(request, "The event is sent again; its new delivery is in the log.")
    return redirect("missions:integration", org=actor.organisation.slug, pk=delivery.endpoint_id)
