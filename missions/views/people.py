"""Teams and people, for organisation admins: the org chart, by hand or from a CSV file."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..models import Membership, Team
from ..permissions import Action, require
from .common import actor_of, org_view

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class TeamForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    parent = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label="Parent team"
    )
    leader = forms.CharField(
        label="Leader", required=False, help_text="Username or email of a member."
    )

    def __init__(self, *args: object, organisation: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.organisation = organisation
        self.fields["parent"].queryset = Team.objects.filter(organisation=organisation)

    def clean_leader(self) -> object:
        return _member(self.organisation, self.cleaned_data["leader"])


class MemberForm(forms.Form):
    person = forms.CharField(label="Person", help_text="Username or email of an existing account.")
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")

    def __init__(self, *args: object, organisation: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)

    def clean_person(self) -> object:
        key = self.cleaned_data["person"].strip()
        user = get_user_model().objects.filter(username=key).first() or (
            get_user_model().objects.filter(email__iexact=key).first()
        )
        if user is None:
            raise forms.ValidationError("No account with that username or email.")
        return user


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Org chart (CSV)",
        required=False,
        help_text="Columns: " + ", ".join(services.ORG_CHART_COLUMNS) + ".",
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB.")
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError("The file is not UTF-8 text.") from error
        if not data.get("content"):
            raise forms.ValidationError("Choose a CSV file.")
        return data


def _member(organisation: object, key: str) -> object:
    key = (key or "").strip()
    if not key:
        return None
    found = (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, username=key)
        .first()
        or get_user_model()
        .objects.filter(memberships__organisation=organisation, email__iexact=key)
        .first()
    )
    if found is None:
        raise forms.ValidationError("No member of this organisation with that username or email.")
    return found


@org_view
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    """Teams and memberships; admins add teams and people here."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation = actor.organisation
    team_form = TeamForm(prefix="team", organisation=organisation)
    member_form = MemberForm(prefix="member", organisation=organisation)
    if request.method == "POST":
        if "team-name" in request.POST:
            team_form = TeamForm(request.POST, prefix="team", organisation=organisation)
            if team_form.is_valid():
                try:
                    services.team_create(organisation=organisation, **team_form.cleaned_data)
                    messages.success(request, "The team is added.")
                    return redirect("missions:people", org=organisation.slug)
                except ValidationError as error:
                    team_form.add_error(None, error)
        else:
            member_form = MemberForm(request.POST, prefix="member", organisation=organisation)
            if member_form.is_valid():
                data = member_form.cleaned_data
                services.membership_set(
                    organisation=organisation,
                    user=data["person"],
                    role=data["role"],
                    team=data["team"],
                    by=request.user,
                )
                messages.success(request, "The membership is saved.")
                return redirect("missions:people", org=organisation.slug)
    context = {
        "teams": selectors.teams_with_counts(organisation=organisation),
        "page": Paginator(selectors.memberships_of(organisation=organisation), 50).get_page(
            request.GET.get("page")
        ),
        "team_form": team_form,
        "member_form": member_form,
    }
    status = 400 if team_form.errors or member_form.errors else 200
    return render(request, "missions/people.html", context, status=status)


@org_view
@require_http_methods(["GET", "POST"])
def org_chart_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV, see what it would do, then import all of it or nothing."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["content"]
        plan = services.org_chart_plan(organisation=actor.organisation, text=content)
        if "confirm" in request.POST and plan.ok:
            services.org_chart_import(
                organisation=actor.organisation, text=content, by=request.user
            )
            messages.success(request, f"Imported {len(plan.rows)} people.")
            return redirect("missions:people", org=actor.organisation.slug)
        form = ImportForm(initial={"content": content})
    status = 400 if (plan is not None and not plan.ok) or form.errors else 200
    return render(
        request, "missions/org_chart_import.html", {"form": form, "plan": plan}, status=status
    )
