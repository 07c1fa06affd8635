"""The forms of the leadership pages. They validate; the services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from kernel.forms import ServiceModelForm
from kernel.models import Organisation
from kernel.pickers import MemberPickField, bind_pickers
from missions.forms import DATE

from .models import Contact, Stakeholder


class AnyMemberField(MemberPickField):
    """Any member of the organisation, typed or picked by name (no emails shown)."""

    url_name = "missions:pick-people"

    def for_organisation(self, organisation: Organisation) -> None:
        super().for_organisation(organisation)
        widget = self.widget
        widget.url += "?purpose=member"


class StakeholderForm(ServiceModelForm):
    """Who matters and why, what they value, their influence and interest, where they stand
    and where the mission needs them; then the plan to reach them."""

    member = AnyMemberField(
        required=False,
        label="Member of the organisation",
        help_text="Type a name and choose; leave empty for someone outside the organisation.",
    )
    plan_owner = AnyMemberField(
        required=False,
        label="Plan owner",
        help_text="Who reaches out; the next contact comes to their inbox when it is due.",
    )

    class Meta:
        model = Stakeholder
        fields = [
            "member",
            "name",
            "why",
            "interests",
            "influence",
            "interest",
            "stance",
            "desired_stance",
            "message",
            "channel",
            "cadence_days",
            "plan_owner",
            "next_contact_on",
        ]
        widgets = {
            "why": forms.Textarea(attrs={"rows": 2}),
            "interests": forms.Textarea(attrs={"rows": 2}),
            "message": forms.Textarea(attrs={"rows": 2}),
            "influence": forms.Select(choices=[(n, str(n)) for n in range(1, 6)]),
            "interest": forms.Select(choices=[(n, str(n)) for n in range(1, 6)]),
            "next_contact_on": DATE,
        }
        help_texts = {
            "why": "What they can give or withhold: a decision, a budget, a voice, their people.",
            "interests": "What they care about, and what they fear from the mission.",
            "message": "What you want them to hear, in a sentence.",
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, organisation)
        for name in ("member", "plan_owner"):
            person = getattr(self.instance, name, None) if self.instance.pk else None
            if person is not None and not self.is_bound:
                self.initial[name] = person.get_username()
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("influence", 3)
            self.initial.setdefault("interest", 3)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("member") and not (data.get("name") or "").strip():
            self.add_error("name", "Name the person or group, or choose a member.")
        return data


class ContactForm(ServiceModelForm):
    """A contact with a stakeholder, logged against its plan."""

    class Meta:
        model = Contact
        fields = ["contacted_on", "channel", "note", "stance_after"]
        widgets = {"contacted_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, stakeholder: Stakeholder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update(
                contacted_on=timezone.localdate(),
                channel=stakeholder.channel,
                stance_after=stakeholder.stance,
            )
