"""Forms of the missions pages. Labels are what a user would say, in the words of the product."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.datastructures import MultiValueDict

from kernel import formats
from kernel.forms import ServiceModelForm, VersionedForm
from kernel.models import AuditEvent, Team
from kernel.pickers import (
    Combobox,
    MemberPickField,
    TeamPickField,
    bind_pickers,
    members_named,
    pick_url,
    resolve_one,
    teams_named,
)
from kernel.validators import DATE_RANGE, validate_line, validate_text

from . import selectors
from .models import Interdependency, KeyTask, Mission, MissionTemplate, Period, Vision
from .operating_space import SpaceLeft, space_refusals
from .services.alignment import SEND_BACK_NEEDS_A_REASON

if TYPE_CHECKING:
    from kernel.permissions import Actor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

_Field = TypeVar("_Field", bound=forms.Field)


def _field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's field ``name``, of the kind its declaration or its model field makes it."""
    field = form.fields[name]
    assert isinstance(field, kind), f"{name} is a {type(field).__name__}"
    return field


class VisionForm(ServiceModelForm):
    class Meta:
        model = Vision
        fields = ["purpose", "vision", "horizon", "success_picture", "ceo_intent"]
        widgets = {
            "horizon": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "vision": forms.Textarea(attrs={"rows": 3}),
            "success_picture": forms.Textarea(attrs={"rows": 5}),
            "ceo_intent": forms.Textarea(attrs={"rows": 4}),
        }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class OwnerTeamField(TeamPickField):
    """A mission's owner team, typed or picked among ``among`` (``selectors.
    mission_owner_teams``, set by the form): the suggestions read the same scope."""

    none = (
        "Choose a team that may own this mission: a team you lead, or the parent mission's "
        "team or a team under it."
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.among: Any = None

    def named(self, text: str) -> list[Team]:
        assert self.organisation is not None
        return teams_named(organisation=self.organisation, text=text, among=self.among)


class OwnerPersonField(MemberPickField):
    """An individual mission's owner, typed or picked among ``among`` (``selectors.
    mission_owner_people``, set by the form); a number names its person too."""

    url_name = "missions:pick-people"
    none = (
        "Choose a person who may own this mission: yourself, a person of the parent "
        "mission's team, or its owner."
    )
    several = "Several people have that name: choose one from the list."

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.among: Any = None

    def named(self, text: str) -> list[Any]:
        assert self.organisation is not None
        return members_named(organisation=self.organisation, text=text, among=self.among)


# The form's three lists of decision rights, and their keys in ``Mission.decision_rights``.
DECISION_RIGHTS = (
    ("free_to_decide", "free"),
    ("must_consult", "consult"),
    ("must_not", "must_not"),
)


class MissionForm(VersionedForm):
    """A mission with its operating space. Owners are typed and picked (``OwnerTeamField``,
    ``OwnerPersonField``): the page offers no list of every team it accepts, so it costs the
    same whatever the organisation's size. Accepted: teams under the parent's team (or led
    by the writer), people of that team (``selectors.mission_owner_teams``,
    ``selectors.mission_owner_people``, which the pickers' suggestions read too).

    An edit form carries the version it was read at (``updated_at``, hidden), so that a save
    made on an older version than the stored one is refused rather than writing back the old
    values of the fields someone else changed meanwhile (see ``services.mission_update``)."""

    owner_team = OwnerTeamField(
        required=False,
        label="Owner team",
        help_text="Type part of its name and choose; or type its exact name.",
    )
    owner_user = OwnerPersonField(
        required=False,
        label="Owner",
        help_text="Type part of a name and choose; or type a username or email.",
    )
    free_to_decide = forms.CharField(
        label="Free to decide",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )
    must_consult = forms.CharField(
        label="Must consult",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )
    must_not = forms.CharField(
        label="Must not",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )
    noun = "mission"

    class Meta:
        model = Mission
        fields = [
            "level",
            "title",
            "statement",
            "intent",
            "owner_team",
            "owner_user",
            "period",
            "period_start",
            "period_end",
            "deadline",
            "scope",
            "budget",
            "headcount",
            "constraints",
            "review_cadence_days",
        ]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "deadline": DATE,
            "statement": forms.Textarea(attrs={"rows": 3}),
            "intent": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 2}),
            "constraints": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"owner_team": "Owner team", "review_cadence_days": "Review every (days)"}

    def __init__(
        self,
        *args: Any,
        actor: Actor,
        parent: Mission | None,
        space: SpaceLeft | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parent, self.space, self.organisation = parent, space, actor.organisation
        if space is not None:
            self._say_space_left(space, currency=actor.organisation.currency)
        current = self.instance if self.instance.pk else None
        self._bind_owners(actor, parent=parent, current=current)
        levels = [Mission.Level.TEAM, Mission.Level.INDIVIDUAL]
        if parent is None:
            levels = [Mission.Level.ORGANISATION]
        level = _field(self, "level", forms.ChoiceField)
        level.choices = [(lvl.value, lvl.label) for lvl in levels]
        rights = self.instance.decision_rights or {}
        for name, key in DECISION_RIGHTS:
            self.fields[name].initial = "\n".join(rights.get(key, []))
        _bind_period(self, actor.organisation)

    def _bind_owners(
        self, actor: Actor, *, parent: Mission | None, current: Mission | None
    ) -> None:
        """The owner pickers: their scope, the suggestions of the same scope (``?purpose=owner``
        with the parent or the mission edited), and the owners as first shown, by name."""
        bind_pickers(self, actor.organisation)
        scope: dict[str, Any] = {"purpose": "owner", "for": current.pk if current else None}
        if current is None and parent is not None:
            scope["parent"] = parent.pk
        team = _field(self, "owner_team", OwnerTeamField)
        team.among = selectors.mission_owner_teams(actor=actor, parent=parent, current=current)
        user = _field(self, "owner_user", OwnerPersonField)
        user.among = selectors.mission_owner_people(actor=actor, parent=parent, current=current)
        for field, kind in ((team, "teams"), (user, "people")):
            assert isinstance(field.widget, Combobox), "a picker's widget"
            field.widget.url = pick_url(kind, organisation_slug=actor.organisation.slug, **scope)
        if self.is_bound:
            return
        # The initial owners come as numbers (the model's values, or the view's defaults).
        shown: dict[str, Any] = {"owner_team": current.owner_team if current else None}
        shown["owner_user"] = current.owner_user if current else None
        if self.initial.get("owner_user") == actor.user.pk:
            shown["owner_user"] = actor.user
        for name, model in (("owner_team", Team), ("owner_user", get_user_model())):
            pk = self.initial.get(name)
            if isinstance(pk, int) and getattr(shown[name], "pk", None) != pk:
                shown[name] = model._default_manager.filter(pk=pk).first()
            if pk is not None:
                self.initial[name] = shown[name]

    def given_owner(self, name: str) -> Any:
        """The owner ``name`` ("owner_team", "owner_user") as posted, else as first shown,
        among those the form accepts; None if it names none (the form says why on save)."""
        if not self.is_bound:
            return self.initial.get(name)
        text = str(self.data.get(self.add_prefix(name)) or "").strip()
        field = self.fields[name]
        assert isinstance(field, OwnerTeamField | OwnerPersonField), "an owner picker"
        found = field.named(text) if text else []
        return found[0] if len(found) == 1 else None

    def _shown_as_picked(self, name: str, owner: Any) -> Any:
        """A picker sends its choice as a number: should the page come back for another
        field's error, it shows the owner by name, as one types them."""
        if owner is not None:
            shown = self.data.copy() if isinstance(self.data, MultiValueDict) else dict(self.data)
            shown[self.add_prefix(name)] = self.fields[name].prepare_value(owner)
            self.data = shown
        return owner

    def clean_owner_team(self) -> Team | None:
        return self._shown_as_picked("owner_team", self.cleaned_data.get("owner_team"))

    def clean_owner_user(self) -> Any:
        return self._shown_as_picked("owner_user", self.cleaned_data.get("owner_user"))

    def _say_space_left(self, space: SpaceLeft, *, currency: str) -> None:
        """Beside the deadline, budget and headcount: the most the parent leaves for them (the
        figures the write path refuses beyond, ``missions.operating_space``)."""
        budget, headcount = space.budget.left, space.headcount.left
        self.fields["deadline"].help_text = f"No later than {formats.day(space.deadline)}."
        if budget is not None:
            self.fields["budget"].help_text = f"At most {formats.money(budget, currency)}."
        if headcount is not None:
            self.fields["headcount"].help_text = f"At most {formats.number(headcount)}."

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The form offers both owner fields; the level chosen says which one counts (the rule
        # itself is the model's, ``Mission.clean``).
        level = data.get("level")
        if level == Mission.Level.INDIVIDUAL:
            data["owner_team"] = None
        elif level:
            data["owner_user"] = None
        # Only the kinds that have entries: an untouched form must equal what is stored ({}).
        rights = {key: _lines(data.pop(name, "") or "") for name, key in DECISION_RIGHTS}
        data["decision_rights"] = {key: lines for key, lines in rights.items() if lines}
        _follow_period(self)
        self._check_space_left(data)
        return data

    def _check_space_left(self, data: dict[str, Any]) -> None:
        """Say now, beside the other errors, what the write path would refuse of the operating
        space (the same rule, ``operating_space.space_refusals``). The write path judges again,
        under a lock on the parent, and has the last word."""
        if self.space is None:
            return
        asked = Mission(
            organisation=self.organisation,
            **{name: data.get(name) for name in ("deadline", "budget", "headcount")},
        )
        for name, message in space_refusals(asked, self.space).items():
            if name not in self.errors:
                self.add_error(name, message)

    def rebase(self, stored: Mission) -> list[str]:
        """``VersionedForm.rebase``, and the decision rights, which the form shows as three
        fields of lines."""
        labels = super().rebase(stored)
        data, rights = self.cleaned_data, stored.decision_rights or {}
        labels += [
            str(self.fields[name].label)
            for name, key in DECISION_RIGHTS
            if data.get("decision_rights", {}).get(key, []) != rights.get(key, [])
        ]
        return labels


class KeyTaskForm(ServiceModelForm):
    """A key task; its owner is picked among the mission's owner and its owner team's people.

    ``mission`` is the task's mission; on the page that writes a new mission, a draft that
    carries the owner chosen there (``picks_team_from``: the id of the owner team's field, whose
    value the owner picker sends along)."""

    owner = forms.CharField(
        required=False,
        label="Owner",
        help_text="Type a name and choose; or type a username.",
        widget=Combobox(),
    )

    class Meta:
        model = KeyTask
        fields = ["title", "owner", "due_date", "status"]
        widgets = {"due_date": DATE}

    def __init__(
        self, *args: Any, mission: Mission, picks_team_from: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.mission = mission
        widget = self.fields["owner"].widget
        assert isinstance(widget, Combobox), "declared above"
        widget.url = pick_url(
            "people", organisation_slug=mission.organisation.slug, **{"for": mission.pk}
        )
        if picks_team_from:
            widget.attrs["data-pick-team"] = picks_team_from
        if self.instance.owner_id and not self.is_bound:
            self.initial["owner"] = self.instance.owner.get_username()

    def clean_owner(self) -> Any:
        text = self.cleaned_data.get("owner") or ""
        if not text.strip():
            return None
        owner = resolve_one(
            selectors.people_named(mission=self.mission, text=text),
            none="Choose the mission's owner or a person of its owner team.",
            several="Several people have that name: choose one from the list.",
        )
        # The picker sends its choice as a number: should the page come back for another
        # field's error, it shows the person as one types them (as a stored task's owner).
        shown = self.data.copy() if isinstance(self.data, MultiValueDict) else dict(self.data)
        shown[self.add_prefix("owner")] = owner.get_username()
        self.data = shown
        return owner


class KeyTaskEditForm(KeyTaskForm, VersionedForm):
    """Everything of a key task the API can change, on its own page: the new-task form's
    fields and its description; it carries the version it was read at (``VersionedForm``)."""

    noun = "key task"

    class Meta:
        model = KeyTask
        fields = ["title", "description", "owner", "due_date", "status"]
        widgets = {
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }


def _task_label(task: KeyTask) -> str:
    return f"{task.title} (due {formats.day(task.due_date)})" if task.due_date else task.title


class _TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _task_label(obj)


class InterdependencyForm(forms.Form):
    """Ask another mission for support, or offer it yours."""

    kind = forms.ChoiceField(label="Kind", choices=Interdependency.Kind.choices)
    to_mission = forms.CharField(
        label="Other mission",
        help_text="Type part of its title and choose; or type its exact title or number.",
        widget=Combobox(),
    )
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 2}))
    for_task = _TaskChoiceField(
        label="For key task",
        queryset=KeyTask.objects.none(),
        required=False,
        empty_label="None in particular",
        help_text="The key task of this mission that needs the support, if one does: we warn "
        "you when it comes close to its due date without an answer.",
    )

    def __init__(
        self,
        *args: Any,
        mission: Mission,
        actor: Actor,
        tasks: list[KeyTask] | None = None,
        **kwargs: Any,
    ) -> None:
        """``tasks``: the mission's key tasks when the page has read them already, so that
        the select of the task it is for costs no query of its own."""
        super().__init__(*args, **kwargs)
        self.mission, self.actor = mission, actor
        for_task = self.fields["for_task"]
        assert isinstance(for_task, forms.ModelChoiceField), "declared above"
        for_task.queryset = KeyTask.objects.filter(
            mission=mission, status__in=KeyTask.OPEN_STATUSES
        ).order_by("due_date", "id")
        if tasks is not None:
            for_task.choices = [("", for_task.empty_label)] + [
                (t.pk, _task_label(t)) for t in tasks if t.status in KeyTask.OPEN_STATUSES
            ]
        widget = self.fields["to_mission"].widget
        assert isinstance(widget, Combobox), "declared above"
        widget.url = pick_url(
            "missions", organisation_slug=mission.organisation.slug, **{"for": mission.pk}
        )

    def clean_to_mission(self) -> Mission:
        other = resolve_one(
            selectors.missions_named(actor=self.actor, text=self.cleaned_data["to_mission"]),
            none="No mission of this organisation has that title or number.",
            several="Several missions have that title: choose one from the list.",
        )
        if other.pk == self.mission.pk:
            raise forms.ValidationError("Choose another mission than this one.")
        return other


class InterdependencyEditForm(VersionedForm):
    """What the asking side may correct of an open link: its description and the key task of
    its mission it is for. It carries the version it was read at (``VersionedForm``)."""

    noun = "link"

    for_task = _TaskChoiceField(
        label="For key task",
        queryset=KeyTask.objects.none(),
        required=False,
        empty_label="None in particular",
        help_text=InterdependencyForm.base_fields["for_task"].help_text,
    )

    class Meta:
        model = Interdependency
        fields = ["description", "for_task"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # As when asking: a description is what the other side answers.
        self.fields["description"].required = True
        # The asking mission's open tasks, and the one it is for now whatever its status.
        open_or_chosen = Q(status__in=KeyTask.OPEN_STATUSES)
        if self.instance.for_task_id:
            open_or_chosen |= Q(pk=self.instance.for_task_id)
        _field(self, "for_task", forms.ModelChoiceField).queryset = KeyTask.objects.filter(
            open_or_chosen, mission=self.instance.from_mission_id
        ).order_by("due_date", "id")


def _comment_field(**kwargs: Any) -> forms.Field:
    """A comment with an alignment decision. It is kept in the history, so it has the
    history's bounds (as the API's ``AlignmentActionSerializer``)."""
    field = AuditEvent._meta.get_field("comment").formfield(
        widget=forms.Textarea(attrs={"rows": 2}), validators=[validate_text], **kwargs
    )
    assert field is not None, "a text column has a form field"
    return field


class CommentForm(forms.Form):
    """What the owner says with a proposal, or the boss with aligning: optional."""

    comment = _comment_field(label="Comment", required=False)


class SendBackForm(forms.Form):
    """Why the boss sends the mission back: required (``services.mission_send_back``), and
    marked so beside the align form's optional comment on the same panel."""

    marks_required = True
    comment = _comment_field(
        label="What needs to change",
        required=True,
        help_text="The mission's owner reads this, changes the mission and proposes it again.",
        error_messages={"required": SEND_BACK_NEEDS_A_REASON},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the align form's comment sits on the same page.
        kwargs.setdefault("auto_id", "send-back-%s")
        super().__init__(*args, **kwargs)


def _bind_period(form: forms.BaseForm, organisation: Any) -> None:
    """The period select of a mission's form: the organisation's periods (a few dozen at most,
    so a select), or none; with one, the dates are the period's and may be left empty."""
    field = _field(form, "period", forms.ModelChoiceField)
    field.queryset = Period.objects.filter(organisation=organisation).order_by(
        "starts_on", "-ends_on", "id"
    )
    field.empty_label = "None: the dates below"
    field.help_text = "One of the organisation's planning periods; the mission runs for it."
    for name in ("period_start", "period_end"):
        form.fields[name].required = False
        form.fields[name].help_text = "Only without a period."


def _follow_period(form: forms.BaseForm) -> None:
    """With a period, the dates are the period's; without one, both dates are needed."""
    data = form.cleaned_data
    period = data.get("period")
    if period is not None:
        data["period_start"], data["period_end"] = period.starts_on, period.ends_on
        return
    for name in ("period_start", "period_end"):
        if not data.get(name) and name not in form.errors:
            form.add_error(name, "Give the date, or choose a period.")


class CascadeFilterForm(forms.Form):
    """Filters of the cascade page; any of them turns the tree into a list of matches.

    Team and owner are typed, not picked from a list: an organisation may have 10,000 teams.
    """

    q = forms.CharField(label="Search titles", required=False)
    team = forms.CharField(label="Team", required=False, help_text="Part of a team's name.")
    owner = forms.CharField(label="Owner", required=False, help_text="Username or name.")
    status = forms.ChoiceField(
        label="Alignment",
        required=False,
        choices=[("", "Any")] + list(Mission.AlignmentStatus.choices),
    )
    # The organisation's planning periods: a few dozen at most, so a select.
    period = forms.ModelChoiceField(
        label="Period",
        required=False,
        queryset=Period.objects.none(),
        empty_label="Any",
        help_text="The missions that run within it.",
    )
    problems = forms.BooleanField(label="Only problems", required=False)

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation is not None:
            field = _field(self, "period", forms.ModelChoiceField)
            field.queryset = Period.objects.filter(organisation=organisation).order_by(
                "starts_on", "-ends_on", "id"
            )

    def has_filters(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)


class CarryOverForm(forms.Form):
    """Where a carry-over moves the mission: one of the organisation's periods (the one after
    the mission's, offered first), or free dates."""

    period = forms.ModelChoiceField(
        label="Next period",
        required=False,
        queryset=Period.objects.none(),
        empty_label="None: the dates below",
    )
    period_start = forms.DateField(
        label="Period start", widget=DATE, validators=DATE_RANGE, required=False
    )
    period_end = forms.DateField(
        label="Period end", widget=DATE, validators=DATE_RANGE, required=False
    )

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _field(self, "period", forms.ModelChoiceField)
        if organisation is not None:
            field.queryset = Period.objects.filter(organisation=organisation).order_by(
                "starts_on", "-ends_on", "id"
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _follow_period(self)
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "The period must end after it starts.")
        return data


class PeriodForm(ServiceModelForm):
    """One planning period of the organisation, written by hand."""

    class Meta:
        model = Period
        fields = ["name", "parent", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        field = _field(self, "parent", forms.ModelChoiceField)
        field.queryset = Period.objects.filter(organisation=organisation, parent__isnull=True)
        field.empty_label = "Nothing: it is a year"


MONTHS = [(n, dt.date(2000, n, 1).strftime("%B")) for n in range(1, 13)]


class FiscalYearForm(forms.Form):
    """A year and its four quarters at once, from the month the fiscal year starts in."""

    start_year = forms.IntegerField(
        label="Starts in the year", min_value=2000, max_value=2099, help_text="For example 2026."
    )
    first_month = forms.TypedChoiceField(label="First month", choices=MONTHS, coerce=int, initial=1)
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=70,
        validators=[validate_line],
        help_text="Empty: FY and the year it ends in, such as FY2027.",
    )


class IntentForm(forms.Form):
    ceo_intent = forms.CharField(
        label="CEO's intent",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The big picture everyone works towards, in a few sentences.",
    )
    purpose = forms.CharField(
        label="Purpose",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the organisation exists.",
    )


class MissionTemplateSaveForm(ServiceModelForm):
    """Save a mission as a template: its name and when it fits; the rest is the mission's."""

    class Meta:
        model = MissionTemplate
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
