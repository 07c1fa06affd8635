"""Forms of the dashboards concern: the coaching note. Labels are what a user would say."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from kernel.models import Membership


class CoacheeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        name = obj.user.get_full_name() or obj.user.get_username()
        return f"{name} ({obj.team})" if obj.team_id else name


class CoachingNoteForm(forms.Form):
    coachee = CoacheeChoiceField(
        label="Coachee", queryset=Membership.objects.none(), empty_label="Choose a person"
    )
    body = forms.CharField(
        label="Note",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only you and this person will ever read it: not their boss, not an admin.",
    )

    def __init__(self, *args: Any, coachees: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coachee = self.fields["coachee"]
        assert isinstance(coachee, CoacheeChoiceField), "declared above"
        coachee.queryset = coachees

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write the note before saving it.")
        return body
