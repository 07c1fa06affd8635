"""What every form of the product shares (a service's refusal shown on the form, model forms
that leave saving to the service), and the forms of the organisation's people and settings.
Labels are what a user would say."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.datastructures import MultiValueDict

from . import services
from .errors import EditConflict, StateConflict
from .models import Membership, Organisation, Team, WebhookEndpoint
from .pickers import MemberPickField, TeamPickField, bind_pickers
from .services.organisations import ORGANISATION_SETTINGS


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: beside each field it names, and above
    the fields for the rest. The one way every page shows a service's refusal."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ServiceModelForm(forms.ModelForm):
    """A model form whose saving is a service's job, never its own.

    A plain ``ModelForm`` copies the cleaned data onto ``instance`` while it validates. A service
    handed that instance then compares the new values with themselves, finds nothing changed and
    keeps nothing, though the page says "saved". This form validates a copy, so ``instance``
    stays as stored and the service sees the real change; ``save()`` is refused.
    """

    def _post_clean(self) -> None:
        stored = self.instance
        self.instance = copy.copy(stored)
        try:
            super()._post_clean()  # type: ignore[misc]  # private hook django-stubs omit
        finally:
            self.instance = stored

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's rules may name a field this form does not show (a mission's parent,
        set by the page): that message goes above the fields, where Django would raise."""
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {
                    (field if field in self.fields else NON_FIELD_ERRORS): messages
                    for field, messages in errors.error_dict.items()
                }
            )
        super()._update_errors(errors)  # type: ignore[misc]  # private hook django-stubs omit

    def save(self, commit: bool = True) -> Any:
        raise TypeError(f"{type(self).__name__} is saved by a service, not by the form.")


class VersionedForm(ServiceModelForm):
    """An edit form that carries the version it was read at (``updated_at``, hidden), so
    that a save made on an older version than the stored one is refused (the service raises
    ``EditConflict``) rather than writing back the old values of the fields someone else
    changed meanwhile. ``noun`` names the object in what the form says."""

    noun = "item"
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["updated_at"].initial = self.instance.updated_at.isoformat()

    def clean_updated_at(self) -> dt.datetime | None:
        """The version the form was read at; none on a new object (or a form of old)."""
        raw = self.cleaned_data.get("updated_at") or ""
        if not raw:
            return None
        try:
            read_at = dt.datetime.fromisoformat(raw)
        except ValueError:
            read_at = None
        if read_at is None or read_at.tzinfo is None:
            self.add_error(None, f"This form is damaged: open the {self.noun} and edit it again.")
        return read_at

    def rebase(self, stored: Any) -> list[str]:
        """After an edit conflict: keep what the user typed, but carry ``stored``'s version,
        so that saving again is a choice made knowing the object changed. Returns the labels
        of the fields whose values differ from ``stored``'s: what saving again would replace
        (the user's own changes, and the other person's that the form still holds the old
        values of)."""
        # A mutable copy of what was posted (a QueryDict's copy is mutable).
        posted = self.data.copy() if isinstance(self.data, MultiValueDict) else dict(self.data)
        posted[self.add_prefix("updated_at")] = stored.updated_at.isoformat()
        self.data = posted
        data = self.cleaned_data
        return [
            str(self.fields[name].label)
            for name in self._meta.fields or []
            if name in data and data[name] != getattr(stored, name)
        ]


def save_versioned(form: VersionedForm, save: Any) -> tuple[bool, dict[str, Any] | None]:
    """Validate an edit form and hand its data to ``save`` (a service called with the data
    and the version read, ``read_at``). Returns whether it saved, and after an edit conflict
    what the page says of it (``message``, the ``fields`` that differ), the form rebased
    onto the stored version. Other refusals come back on the form."""
    if not form.is_valid():
        return False, None
    data = form.cleaned_data
    try:
        save(data=data, read_at=data["updated_at"])
    except EditConflict as error:
        return False, {"message": " ".join(error.messages), "fields": form.rebase(error.current)}
    except ValidationError as error:
        add_service_errors(form, error)
        return False, None
    return True, None


def save_through(form: forms.BaseForm, save: Any) -> Any:
    """Validate ``form`` and hand its data to ``save`` (a service); the service's refusal
    comes back on the form. The service's result, or None when nothing was saved."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def save_through_with_status(form: forms.BaseForm, save: Any) -> tuple[Any, int]:
    """``save_through``, and the status of a refusal: 409 when the object's state refused it
    (``StateConflict``: someone acted on it a moment before), 400 for what the form says."""
    refused_by_state = False

    def run(data: dict[str, Any]) -> Any:
        nonlocal refused_by_state
        try:
            return save(data)
        except StateConflict:
            refused_by_state = True
            raise

    result = save_through(form, run)
    return result, 409 if refused_by_state else 400


# --- The organisation's people and settings ------------------------------------------------

MAX_IMPORT_BYTES = 2 * 1024 * 1024


TEAM_HELP = "Type part of its name and choose; or type its exact name."


class TeamForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    parent = TeamPickField(
        required=False, label="Parent team", help_text=f"{TEAM_HELP} Empty: a top team."
    )
    leader = MemberPickField(
        label="Leader",
        required=False,
        help_text="Type part of a member's name and choose; or type a username or email.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, organisation)


class TeamEditForm(VersionedForm):
    """A team's name, parent and leader (``team_update``, as the API's PATCH); it carries
    the version it was read at (``VersionedForm``)."""

    noun = "team"

    parent = TeamPickField(
        required=False, label="Parent team", help_text=f"{TEAM_HELP} Empty: a top team."
    )
    leader = MemberPickField(
        label="Leader",
        required=False,
        help_text="Type part of a member's name and choose; or type a username or email.",
    )

    class Meta:
        model = Team
        fields = ["name", "parent", "leader"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, self.instance.organisation)
        if not self.is_bound:  # shown by their names, not their numbers
            self.initial["parent"] = self.instance.parent
            self.initial["leader"] = self.instance.leader


class InviteForm(forms.Form):
    """Invite one or many people at once, with the same role and team."""

    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more, separated by commas or new lines.",
    )
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial="staff")
    team = TeamPickField(required=False, label="Team", help_text=TEAM_HELP)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, organisation)

    def clean_emails(self) -> list[str]:
        emails = services.parse_invitation_lines(self.cleaned_data["emails"])
        if not emails:
            raise forms.ValidationError("Enter at least one email address.")
        return emails


class MembershipForm(VersionedForm):
    """A member's role, team and job title; it carries the version it was read at."""

    noun = "membership"

    team = TeamPickField(required=False, label="Team", help_text=TEAM_HELP)

    class Meta:
        model = Membership
        fields = ["role", "team", "job_title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, self.instance.organisation)
        if self.instance.team_id and not self.is_bound:
            self.initial["team"] = self.instance.team  # shown by its name, not its number


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Org chart (CSV)",
        required=False,
        help_text="Columns: " + ", ".join(services.ORG_CHART_COLUMNS) + ".",
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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


class OrganisationSettingsForm(ServiceModelForm):
    class Meta:
        model = Organisation
        fields = list(ORGANISATION_SETTINGS)
        labels = {
            "max_active_missions": "Most active missions per owner",
            "staff_see_dashboard": "Staff see the organisation dashboard",
        }
        help_texts = {
            "max_active_missions": (
                "The “get real about priorities” limit: an owner with more active missions "
                "gets a finding."
            ),
            "likely_miss_below": (
                "A KPI whose chance (0–1) of meeting its target by its due date is below this "
                "gets a predicted finding ahead of its due date."
            ),
            "staff_see_dashboard": (
                "Coaches see the teams they coach and leaders their own, whatever this says."
            ),
        }


class TeamsForm(forms.Form):
    names = forms.CharField(
        label="Team names",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line; they sit under your top team. Add leaders when you invite them.",
    )

    def clean_names(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]
        if len(names) > 50:
            raise forms.ValidationError("At most 50 teams here; import an org chart for more.")
        if too_long := [n for n in names if len(n) > 200]:
            raise forms.ValidationError(f"“{too_long[0][:40]}…” is longer than 200 characters.")
        return list(dict.fromkeys(names))


# --- Integrations ---------------------------------------------------------------------------


class WebhookEndpointForm(ServiceModelForm):
    """An endpoint of the organisation's integrations: where, what kind, which events."""

    url = forms.URLField(
        label="Address",
        max_length=2000,
        assume_scheme="https",
        help_text=WebhookEndpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What is sent there.",
        error_messages={"required": "Choose at least one event."},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "kind", "url", "events", "is_active"]
        labels = {"kind": "Sent as", "is_active": "Active"}
