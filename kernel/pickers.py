"""Type-ahead pickers: the widget (static/js/combobox.js), and the fields that pick one of the
organisation's teams or members by typing part of a name.

A picker's suggestions and the field that receives its choice read the same scope, so a choice
from the list is never refused. Without JavaScript a person types a name, a username or an
email, or a number, and the field resolves it or says why not. Every read is one query with at
most ``PICK_LIMIT`` rows, whatever the organisation's size: a picker replaces a ``<select>``
of 11,000 teams.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.html import format_html

from .models import Organisation, Team
from .types import User
from .validators import parse_id

PICK_LIMIT = 10


class Combobox(forms.TextInput):
    """A type-ahead picker (static/js/combobox.js): a text input that suggests choices from
    ``url`` (``?q=`` what is typed) in a listbox beside it, the WAI-ARIA combobox pattern.

    The input itself is the form field: without JavaScript one types a number or an exact
    name, and the form's clean resolves it (or says why not). With it, the script moves the
    field's name onto a hidden input that receives the chosen option's value."""

    def __init__(self, *, url: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.url = url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        listbox = f"{widget_attrs.get('id') or name}_options"
        widget_attrs.update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox,
                "data-pick": self.url,
            }
        )
        return context

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        field = super().render(name, value, attrs, renderer)
        listbox = f"{(attrs or {}).get('id') or name}_options"
        return format_html(
            '<div class="combobox">{}<ul role="listbox" id="{}" class="combobox__list" hidden>'
            "</ul></div>",
            field,
            listbox,
        )


def pick_url(kind: str, *, organisation_slug: str, **params: Any) -> str:
    """The suggestions of a picker of ``kind`` ("missions", "people")."""
    url = reverse(f"missions:pick-{kind}", kwargs={"org": organisation_slug})
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def resolve_one(found: list[Any], *, none: str, several: str) -> Any:
    """The one object a typed choice names, or the field's error: none, or several."""
    if not found:
        raise forms.ValidationError(none)
    if len(found) > 1:
        raise forms.ValidationError(several)
    return found[0]


def starting_first(q: str, *fields: str) -> Case:
    """Rank rows whose ``fields`` start with ``q`` before those that only contain it."""
    starts = Q()
    for name in fields:
        starts |= Q(**{f"{name}__istartswith": q})
    return Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())


# --- Teams ---------------------------------------------------------------------------------


def team_suggestions(
    *, organisation: Organisation, q: str, among: QuerySet[Team] | None = None
) -> list[Team]:
    """Teams whose name holds ``q`` (or whose number is ``q``), names starting with it first;
    ``among``: only those of this scope (the teams a form accepts), else any of the
    organisation's."""
    q = q.strip()
    teams = Team.objects.filter(organisation=organisation) if among is None else among
    pk = parse_id(q.lstrip("#"))
    if q:
        teams = teams.filter(Q(name__icontains=q) | Q(pk=pk) if pk else Q(name__icontains=q))
    return list(
        teams.select_related("parent")
        .annotate(pick_rank=starting_first(q, "name"))
        .order_by("pick_rank", "name", "pk")[:PICK_LIMIT]
    )


def teams_named(
    *, organisation: Organisation, text: str, among: QuerySet[Team] | None = None
) -> list[Team]:
    """The team a typed choice names: its number ("12" or "#12"), else its exact name (any
    case; names are unique in an organisation); ``among`` as ``team_suggestions``."""
    text = text.strip()
    pk = parse_id(text.lstrip("#"))
    named = Q(pk=pk) if pk else Q(name__iexact=text)
    teams = Team.objects.all() if among is None else among
    return list(teams.filter(named, organisation=organisation).order_by("pk")[:2])


# --- Members -------------------------------------------------------------------------------


def _members(organisation: Organisation) -> QuerySet[User]:
    # One filter call: both conditions hold for the same membership. A deactivated member
    # (SCIM deprovisioning) is offered for nothing new.
    return get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__deactivated_at=None
    )


def member_suggestions(
    *, organisation: Organisation, q: str, among: QuerySet[User] | None = None
) -> list[User]:
    """Members whose name, username or email holds ``q``, those starting with it first;
    ``among``: only those of this scope (the people a form accepts), else any member."""
    q = q.strip()
    people = _members(organisation) if among is None else among
    if q:
        people = people.filter(person_matches(q))
    rank = starting_first(q, "first_name", "last_name", "username")
    return list(
        people.annotate(pick_rank=rank).order_by("pick_rank", "first_name", "last_name", "pk")[
            :PICK_LIMIT
        ]
    )


def person_matches(q: str, prefix: str = "") -> Q:
    """People (reached through ``prefix``, e.g. ``"user__"``) whose name, username or email
    holds ``q``."""
    return (
        Q(**{f"{prefix}username__icontains": q})
        | Q(**{f"{prefix}first_name__icontains": q})
        | Q(**{f"{prefix}last_name__icontains": q})
        | Q(**{f"{prefix}email__icontains": q})
    )


def person_named(text: str, prefix: str = "") -> Q:
    """The people a typed choice names: a username, an email or a full name (any case)."""
    text = text.strip()
    first, _, last = text.partition(" ")
    return (
        Q(**{f"{prefix}username__iexact": text})
        | Q(**{f"{prefix}email__iexact": text})
        | Q(**{f"{prefix}first_name__iexact": first, f"{prefix}last_name__iexact": last})
    )


def members_named(
    *, organisation: Organisation, text: str, among: QuerySet[User] | None = None
) -> list[User]:
    """The members ``text`` names (``person_named``). At most two: one is the choice, two say
    the name is ambiguous. ``among`` as ``member_suggestions``; in a scope a number names its
    person too."""
    if among is None:
        return list(_members(organisation).filter(person_named(text)).order_by("pk")[:2])
    pk = parse_id(text.strip())
    return list(among.filter(Q(pk=pk) if pk else person_named(text)).order_by("pk")[:2])


# --- The fields ----------------------------------------------------------------------------


class PickField(forms.CharField):
    """One of the organisation's teams or members, typed or picked; empty is None unless
    required. ``for_organisation`` is called by the form, which knows the organisation;
    the suggestions come from the view named ``url_name``."""

    url_name = ""
    none = ""
    several = ""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", Combobox())
        super().__init__(**kwargs)
        self.organisation: Organisation | None = None

    def for_organisation(self, organisation: Organisation) -> None:
        self.organisation = organisation
        widget = self.widget
        assert isinstance(widget, Combobox), "a picker's widget"
        widget.url = reverse(self.url_name, kwargs={"org": organisation.slug})

    def named(self, text: str) -> list[Any]:
        raise NotImplementedError

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        assert self.organisation is not None, "for_organisation() first"
        return resolve_one(self.named(text), none=self.none, several=self.several)


class TeamPickField(PickField):
    url_name = "missions:pick-teams"
    none = "No team of this organisation has that name or number."

    def prepare_value(self, value: Any) -> Any:
        return value.name if isinstance(value, Team) else value

    def named(self, text: str) -> list[Team]:
        assert self.organisation is not None
        return teams_named(organisation=self.organisation, text=text)


class MemberPickField(PickField):
    url_name = "missions:pick-members"
    none = "No member of this organisation has that name, username or email."
    several = "Several members have that name: choose one from the list."

    def prepare_value(self, value: Any) -> Any:
        return value.get_username() if hasattr(value, "get_username") else value

    def named(self, text: str) -> list[User]:
        assert self.organisation is not None
        return members_named(organisation=self.organisation, text=text)


def bind_pickers(form: forms.BaseForm, organisation: Organisation) -> None:
    """Tell every picker field of ``form`` its organisation (scope and suggestions' URL)."""
    for field in form.fields.values():
        if isinstance(field, PickField):
            field.for_organisation(organisation)
