"""The "Sign in with your organisation" pages and the provider's callback.

The form's answer is a page with a link to the provider rather than a redirect: the site's
Content-Security-Policy (``form-action 'self'``) stops a form from leading the browser to
another site, and the link also shows the person where they are about to type their password.
``/accounts/sso/<org>/`` starts at once: the address to bookmark, or to give the provider as
its "initiate login" URI.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from missionlead.emails import absolute_url
from missionlead.throttling import login_wait

from ..models import OrganisationSSO
from . import client
from .services import SignInRefused, sso_for_login, sso_sign_in

BACKEND = "django.contrib.auth.backends.ModelBackend"
SESSION_KEY = "sso_organisation"


class FindOrganisationForm(forms.Form):
    login = forms.CharField(
        label="Your work email or your organisation's address",
        max_length=254,
        help_text="For example ada@example.org, or acme for /o/acme/.",
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "accounts/sso_refused.html", {"message": message}, status=status)


def _start(request: HttpRequest, config: OrganisationSSO, login_hint: str = "") -> HttpResponse:
    request.session[SESSION_KEY] = config.organisation_id
    try:
        return client.authorisation_redirect(
            request,
            config,
            redirect_uri=absolute_url(reverse("sso:callback")),
            login_hint=login_hint,
        )
    except Exception:  # the provider is unreachable or its discovery document is not valid
        return _refused(
            request,
            f"{config.organisation.name}'s sign-in service does not answer. Try again in a "
            "moment, or ask its admin to check the single sign-on settings.",
            502,
        )


@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """Which organisation: from a work email or the organisation's address."""
    form = FindOrganisationForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        if login_wait(request) is not None:
            context["throttled_message"] = "Too many attempts. Wait a little, then try again."
            return render(request, "accounts/sso_find.html", context, status=429)
        if form.is_valid():
            try:
                config = sso_for_login(form.cleaned_data["login"])
            except SignInRefused as refusal:
                form.add_error("login", refusal.message)
            else:
                typed = form.cleaned_data["login"].strip()
                start = reverse("sso:start", kwargs={"org": config.organisation.slug})
                if "@" in typed:
                    start += "?" + urlencode({"login_hint": typed})
                context.update(found=config, start_url=start)
        status = 400 if form.errors else 200
    return render(request, "accounts/sso_find.html", context, status=status)


@require_GET
def start(request: HttpRequest, org: str) -> HttpResponse:
    """Off to the organisation's provider."""
    config = (
        OrganisationSSO.objects.filter(enabled=True, organisation__slug=org)
        .select_related("organisation")
        .first()
    )
    if config is None:
        return _refused(
            request, "This organisation does not sign people in with single sign-on.", 404
        )
    hint = request.GET.get("login_hint", "")[:254]
    return _start(request, config, login_hint=hint)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: check its answer, then sign the person in (or say why not)."""
    organisation_id = request.session.get(SESSION_KEY)
    config = (
        OrganisationSSO.objects.filter(enabled=True, organisation_id=organisation_id)
        .select_related("organisation")
        .first()
        if organisation_id
        else None
    )
    if config is None:
        return _refused(
            request,
            "This sign-in was not started here, or it has expired. Start again from the log-in "
            "page.",
            400,
        )
    try:
        claims = client.verified_claims(request, config)
    except client.OAuthError as error:
        detail = str(error.description or error.error or "")[:200]
        return _refused(
            request,
            "The sign-in with your organisation did not complete"
            + (f": {detail}" if detail else ".")
            + " Start again from the log-in page.",
            400,
        )
    except Exception:  # the provider is unreachable, or answered what is not OpenID Connect
        return _refused(
            request,
            f"{config.organisation.name}'s sign-in service did not answer as expected. Try "
            "again in a moment.",
            502,
        )
    try:
        user, how = sso_sign_in(config=config, claims=claims)
    except SignInRefused as refusal:
        return _refused(request, refusal.message, 403)
    request.session.pop(SESSION_KEY, None)
    login(request, user, backend=BACKEND)
    organisation = config.organisation
    if how == "member":
        messages.success(request, f"Signed in with {organisation.name}.")
    else:
        messages.success(request, f"Welcome to {organisation.name}.")
    return redirect("missions:home", org=organisation.slug)
