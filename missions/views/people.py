"""Teams and people, for organisation admins: the org chart, by hand or from a CSV file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from kernel import services as kernel_services
from kernel.forms import ServiceModelForm, add_service_errors
from kernel.models import Invitation, Membership, Team
from kernel.permissions import Action, require
from kernel.web import actor_of, org_view

from .. import selectors

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


class InviteForm(forms.Form):
    """Invite one or many people at once, with the same role and team."""

    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more, separated by commas or new lines.",
    )
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial="staff")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")

    def __init__(self, *args: object, organisation: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)

    def clean_emails(self) -> list[str]:
        emails = kernel_services.parse_invitation_lines(self.cleaned_data["emails"])
        if not emails:
            raise forms.ValidationError("Enter at least one email address.")
        return emails


class MembershipForm(ServiceModelForm):
    """A member's role, team and job title."""

    class Meta:
        model = Membership
        fields = ["role", "team", "job_title"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = Team.objects.filter(
            organisation_id=self.instance.organisation_id
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Org chart (CSV)",
        required=False,
        help_text="Columns: " + ", ".join(kernel_services.ORG_CHART_COLUMNS) + ".",
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
    """Teams, members and invitations; admins add teams and invite people here."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation = actor.organisation
    team_form = TeamForm(prefix="team", organisation=organisation)
    invite_form = InviteForm(prefix="invite", organisation=organisation)
    if request.method == "POST" and "team-name" in request.POST:
        team_form = TeamForm(request.POST, prefix="team", organisation=organisation)
        if _saved(
            team_form,
            lambda d: kernel_services.team_create(organisation=organisation, by=request.user, **d),
        ):
            messages.success(request, "The team is added.")
            return redirect("missions:people", org=organisation.slug)
    elif request.method == "POST":
        invite_form = InviteForm(request.POST, prefix="invite", organisation=organisation)
        sent = _saved(
            invite_form,
            lambda d: kernel_services.invitations_create_many(
                organisation=organisation,
                emails=d["emails"],
                role=d["role"],
                team=d["team"],
                by=request.user,
            ),
        )
        if sent:
            count = len(sent)
            messages.success(request, f"{count} invitation{pluralize(count)} sent.")
            return redirect("missions:people", org=organisation.slug)
    context = {
        "teams": Paginator(selectors.teams_with_counts(organisation=organisation), 100).get_page(
            request.GET.get("teams")
        ),
        "page": Paginator(selectors.memberships_of(organisation=organisation), 50).get_page(
            request.GET.get("page")
        ),
        "invitations": selectors.open_invitations(organisation=organisation)[:200],
        "team_form": team_form,
        "invite_form": invite_form,
    }
    status = 400 if team_form.errors or invite_form.errors else 200
    return render(request, "missions/people.html", context, status=status)


def _saved(form: forms.Form, save: Any) -> Any:
    """Validate ``form`` and hand its data to ``save`` (a service); the service's refusal
    comes back on the form. The service's result, or None when nothing was saved."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@org_view
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's role, team or job title."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "team"), pk=pk, organisation=actor.organisation
    )
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and _saved(
        form,
        lambda d: kernel_services.membership_set(
            organisation=actor.organisation, user=membership.user, by=request.user, **d
        ),
    ):
        messages.success(request, f"{membership.user.get_full_name() or membership.user} is saved.")
        return redirect("missions:people", org=actor.organisation.slug)
    return render(
        request,
        "missions/membership_form.html",
        {"form": form, "membership": membership},
        status=400 if form.errors else 200,
    )


@org_view
@require_POST
def invitation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Resend or revoke a pending invitation."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=actor.organisation)
    service = {
        "resend": kernel_services.invitation_resend,
        "revoke": kernel_services.invitation_revoke,
    }[action]
    try:
        service(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = "sent again with a new link" if action == "resend" else "revoked"
        messages.success(request, f"The invitation to {invitation.email} is {done}.")
    return redirect("missions:people", org=actor.organisation.slug)


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
        plan = kernel_services.org_chart_plan(organisation=actor.organisation, text=content)
        if "confirm" in request.POST and plan.ok:
            try:
                kernel_services.org_chart_import(
                    organisation=actor.organisation, text=content, by=request.user
                )
            except ValidationError:
                # Planned again under the organisation's lock, the file no longer fits what
                # an import a moment before stored: show the plan as it stands now.
                plan = kernel_services.org_chart_plan(organisation=actor.organisation, text=content)
                plan.file_errors.insert(
                    0, "Someone imported or changed people a moment ago; check the file again."
                )
            else:
                messages.success(request, f"Imported {len(plan.rows)} people.")
                return redirect("missions:people", org=actor.organisation.slug)
        form = ImportForm(initial={"content": content})
    status = 400 if (plan is not None and not plan.ok) or form.errors else 200
    return render(
        request, "missions/org_chart_import.html", {"form": form, "plan": plan}, status=status
    )
