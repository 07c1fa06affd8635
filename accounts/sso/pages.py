"""``/o/<org>/people/sso/``: an organisation admin connects its OpenID Connect provider. The
client secret is written, never shown back: the field stays empty, and leaving it empty keeps
the stored one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kernel.forms import save_through
from kernel.permissions import Action, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view
from missionlead.emails import absolute_url

from ..models import OrganisationSSO
from .services import sso_of, sso_save


class SSOForm(forms.ModelForm):
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text=OrganisationSSO._meta.get_field("issuer").help_text,
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )

    class Meta:
        model = OrganisationSSO
        fields = [
            "issuer",
            "client_id",
            "client_secret",
            "allowed_domains",
            "require_sso",
            "enabled",
        ]
        labels = {"enabled": "Sign-in with the provider is on"}

    def __init__(self, *args: object, stored: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["client_secret"].help_text = (
            "Stored, and never shown again. Leave empty to keep the one saved."
            if stored
            else "From the provider's application settings."
        )

    def _post_clean(self) -> None:
        # The service checks and saves (an empty secret keeps the stored one).
        pass


@org_view
@require_http_methods(["GET", "POST"])
def sso_settings(request: OrgRequest) -> HttpResponse:
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation = actor.organisation
    config = sso_of(organisation=organisation)
    form = SSOForm(
        request.POST if request.method == "POST" else None,
        instance=config,
        initial={} if config else {"enabled": True},
        stored=config is not None,
    )
    if request.method == "POST":
        saved = save_through(
            form,
            lambda d: sso_save(organisation=organisation, data=d, by=actor.user),
        )
        if saved is not None:
            messages.success(request, "Single sign-on is saved.")
            return redirect("sso-settings:edit", org=organisation.slug)
    context = {
        "form": form,
        "config": config,
        "redirect_uri": absolute_url(reverse("sso:callback")),
        "start_url": absolute_url(reverse("sso:start", kwargs={"org": organisation.slug})),
    }
    return render(
        request, "accounts/sso_settings.html", context, status=400 if form.errors else 200
    )
