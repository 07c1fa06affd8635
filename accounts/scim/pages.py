"""``/o/<org>/people/provisioning/``: an organisation admin makes and revokes the SCIM tokens
of the organisation's identity provider. A new token's key is shown once, in the answer to
the form that made it, and never again (only its hash is kept)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kernel.forms import save_through
from kernel.permissions import Action, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view

from .tokens import scim_token_create, scim_token_revoke, scim_tokens_of


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Which identity provider or app uses it, e.g. “Okta” or “Entra ID”.",
    )


@org_view
@require_http_methods(["GET", "POST"])
def provisioning(request: OrgRequest) -> HttpResponse:
    """The organisation's SCIM tokens and the form for a new one."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation = actor.organisation
    form = ScimTokenForm(request.POST if request.method == "POST" else None)
    made = None
    if request.method == "POST":
        made = save_through(
            form,
            lambda d: scim_token_create(organisation=organisation, name=d["name"], by=actor.user),
        )
        if made is not None:
            form = ScimTokenForm()
    context = {
        "form": form,
        "tokens": scim_tokens_of(organisation=organisation),
        "made": made[0] if made else None,
        "key": made[1] if made else None,
        "base_url": request.build_absolute_uri("/scim/v2/"),
    }
    status = 400 if form.errors else 200
    response = render(request, "accounts/provisioning.html", context, status=status)
    if made:
        response["Cache-Control"] = "no-store"  # the key must not linger in a cache
    return response


@org_view
@require_POST
def provisioning_token_revoke(request: OrgRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    token = get_object_or_404(scim_tokens_of(organisation=actor.organisation), pk=pk)
    scim_token_revoke(token=token, by=actor.user)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("provisioning:tokens", org=actor.organisation.slug)
