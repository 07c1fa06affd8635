"""Forms of the dashboards concern: the coaching note. Labels are what a user would say."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from kernel.models import Membership, Organisation
from kernel.pickers import PICK_LIMIT, PickField, person_matches, person_named, starting_first
from kernel.validators import parse_id


def coachee_suggestions(coachees: QuerySet[Membership], q: str) -> list[Membership]:
    """The coachees whose name, username or email holds ``q``, those starting with it first."""
    q = q.strip()
    if q:
        coachees = coachees.filter(person_matches(q, "user__"))
    rank = starting_first(q, "user__first_name", "user__last_name", "user__username")
    return list(coachees.annotate(pick_rank=rank).order_by("pick_rank")[:PICK_LIMIT])


class CoacheePickField(PickField):
    """A member of the teams the coach coaches, typed or picked (a whole-organisation coach
    may have thousands: a list of them all would not do)."""

    url_name = "dashboards:coaching-pick"
    none = "Choose a member of a team you coach: type part of their name."
    several = "Several of the people you coach have that name: choose one from the list."

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.coachees = Membership.objects.none()

    def prepare_value(self, value: Any) -> Any:
        return value.user.get_username() if isinstance(value, Membership) else value

    def named(self, text: str) -> list[Membership]:
        """A membership's number (a choice from the list), else a person's name or username."""
        pk = parse_id(text)
        named = Q(pk=pk) if pk else person_named(text, "user__")
        return list(self.coachees.filter(named).order_by("pk")[:2])


class CoachingNoteForm(forms.Form):
    coachee = CoacheePickField(
        label="Coachee", help_text="Type part of their name and choose; or type a username."
    )
    body = forms.CharField(
        label="Note",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only you and this person will ever read it: not their boss, not an admin.",
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        coachees: QuerySet[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        coachee = self.fields["coachee"]
        assert isinstance(coachee, CoacheePickField), "declared above"
        coachee.for_organisation(organisation)
        coachee.coachees = coachees

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write the note before saving it.")
        return body
