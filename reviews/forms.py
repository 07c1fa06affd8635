"""The forms of the reviews app: a 30-day review, the search box, comments. Labels are what a
user would say, in the words of the product."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from kernel.forms import VersionedForm
from kernel.models import Organisation
from kernel.pickers import MemberPickField, bind_pickers

from .models import Comment, Review

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    """Record a held review; the service schedules the next one."""

    summary = _text("Summary", "Progress since the last review, in a few lines.")
    working = _text("What is working")
    not_working = _text("What is not working")
    changes = _text("What we change")
    still_aligned = forms.TypedChoiceField(
        label="Still aligned",
        choices=[
            ("", "Choose…"),
            ("yes", "Yes: the mission still serves the mission above"),
            ("no", "No: it goes back to its boss for alignment"),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        help_text="Is the mission still aligned with the mission above and its intent?",
    )
    held_on = forms.DateField(label="Held on", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("A review cannot be held in the future.")
        return held_on


class ReviewMoveForm(forms.Form):
    """Move a scheduled review to another day; the service refuses the past and a day the
    mission has a review on already."""

    due_date = forms.DateField(
        label="New due date",
        widget=DATE,
        help_text="Everyone who has the review in their calendar gets the new date.",
    )


class ReviewCorrectionForm(VersionedForm):
    """Correct what a held review says (``review_correct``); it carries the version it was
    read at. Whether the mission was still aligned and the day it was held stay as held."""

    noun = "review"

    class Meta:
        model = Review
        fields = ["summary", "working", "not_working", "changes"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("summary", "working", "not_working", "changes")
        }


class SearchForm(forms.Form):
    """The search box: a few words, found in titles, texts and names."""

    q = forms.CharField(label="Search", required=False, max_length=200, strip=True)


class CommentForm(forms.Form):
    """A comment or a reply: the text, and someone to mention (or ``@username`` in it)."""

    body = forms.CharField(
        label="Comment",
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Type @ and a username to mention someone; they find it in their inbox.",
    )
    mention = MemberPickField(
        label="Mention",
        required=False,
        help_text="Or type part of a name and choose.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, organisation)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
