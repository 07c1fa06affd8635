"""The forms of the leadership pages. They validate; the services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from kernel.forms import ServiceModelForm
from kernel.models import Membership, Organisation
from kernel.permissions import Actor
from kernel.pickers import (
    Combobox,
    MemberPickField,
    TeamPickField,
    bind_pickers,
    pick_url,
    resolve_one,
)
from missions.forms import DATE
from missions.models import Mission
from missions.selectors import missions_named

from .behaviours import BEHAVIOUR_CHOICES
from .models import (
    GROUP_SIZE,
    Coalition,
    CoalitionMission,
    Contact,
    Contribution,
    DevelopmentEvidence,
    DevelopmentGoal,
    DevelopmentPlan,
    DevelopmentReview,
    Idea,
    LearningGroup,
    LearningSession,
    PriorityChallenge,
    Stakeholder,
)


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


class ChallengeForm(forms.Form):
    """A challenge to a mission's priorities, raised from its page."""

    kind = forms.ChoiceField(
        label="What is at risk",
        choices=PriorityChallenge.Kind.choices,
        widget=forms.RadioSelect,
    )
    other_mission = forms.CharField(
        label="Conflicts with",
        required=False,
        help_text="For a conflict: type part of the other mission's title and choose.",
        widget=Combobox(),
    )
    statement = forms.CharField(
        label="The challenge",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What puts everything at risk, and what you would need decided.",
    )

    def __init__(self, *args: Any, mission: Mission, actor: Actor, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "challenge")
        super().__init__(*args, **kwargs)
        self.mission, self.actor = mission, actor
        widget = self.fields["other_mission"].widget
        assert isinstance(widget, Combobox), "declared above"
        widget.url = pick_url(
            "missions", organisation_slug=mission.organisation.slug, **{"for": mission.pk}
        )

    def clean_other_mission(self) -> Mission | None:
        text = (self.cleaned_data.get("other_mission") or "").strip()
        if not text:
            return None
        other: Mission = resolve_one(
            missions_named(actor=self.actor, text=text),
            none="No mission of this organisation has that title or number.",
            several="Several missions have that title: choose one from the list.",
        )
        if other.pk == self.mission.pk:
            raise forms.ValidationError("Choose another mission than this one.")
        return other


class AnswerForm(forms.Form):
    """The answer to a challenge: what came of it, and why."""

    outcome = forms.ChoiceField(
        label="Outcome", choices=PriorityChallenge.Outcome.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label="Answer",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The person who raised it reads this.",
    )

    def __init__(self, *args: Any, challenge_id: int | None = None, **kwargs: Any) -> None:
        # Each open challenge on the page has its own form: its own ids.
        kwargs.setdefault("prefix", f"answer-{challenge_id}" if challenge_id else "answer")
        super().__init__(*args, **kwargs)


def challenges_with_forms(
    challenges: list[PriorityChallenge], *, may_answer: bool, posted: dict[int, AnswerForm]
) -> list[tuple[PriorityChallenge, AnswerForm | None]]:
    """Each challenge of a mission's page with its answer form (the one posted, with its
    errors) when it is open and the person may answer it."""
    return [
        (c, posted.get(c.pk) or AnswerForm(challenge_id=c.pk) if may_answer and c.is_open else None)
        for c in challenges
    ]


MEMBER_FIELDS = [f"member_{n}" for n in range(1, GROUP_SIZE[1])]


class LearningGroupForm(forms.Form):
    """An action learning group: its name, what it works on, its facilitator and its people
    (each picked by name: an organisation may have thousands)."""

    name = forms.CharField(label="Name", max_length=120)
    purpose = forms.CharField(
        label="What the group works on",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    facilitator = AnyMemberField(
        label="Facilitator", help_text="A coach, or a peer who keeps the group's process."
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        group: LearningGroup | None = kwargs.pop("group", None)
        super().__init__(*args, **kwargs)
        for n, name in enumerate(MEMBER_FIELDS, start=1):
            self.fields[name] = AnyMemberField(
                label=f"Member {n}",
                required=False,
                help_text="Type a name and choose." if n == 1 else "",
            )
        bind_pickers(self, organisation)
        if group is None:
            self.fields["coalition"] = forms.ModelChoiceField(
                label="Open to a coalition",
                required=False,
                queryset=Coalition.objects.filter(
                    members__member=organisation, members__status=Coalition.ACTIVE
                ).order_by("name"),
                help_text="The people of its other organisations may then join the group "
                "themselves, up to eight people in all; it may start with fewer.",
            )
        if group is not None and not self.is_bound:
            # This organisation's people: those who joined from a coalition's other
            # organisations are not picked here (and stay in the group).
            own = set(
                Membership.objects.filter(
                    organisation=organisation, user__in=group.members.all()
                ).values_list("user_id", flat=True)
            )
            others = [
                m for m in group.members.all() if m.pk != group.facilitator_id and m.pk in own
            ]
            self.initial.update(
                name=group.name,
                purpose=group.purpose,
                facilitator=group.facilitator.get_username() if group.facilitator else "",
                **{f: m.get_username() for f, m in zip(MEMBER_FIELDS, others, strict=False)},
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["members"] = [data[f] for f in MEMBER_FIELDS if data.get(f) is not None]
        return data


class SessionForm(forms.ModelForm):
    class Meta:
        model = LearningSession
        fields = ["held_on", "topic"]
        widgets = {"held_on": DATE}


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Your note", max_length=5_000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, session_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"note-{session_id}")
        super().__init__(*args, **kwargs)


class RecognitionForm(forms.Form):
    """Recognise a colleague for one of the behaviours of the four themes."""

    receiver = AnyMemberField(label="Colleague", help_text="Type a name and choose.")
    behaviour = forms.ChoiceField(label="Behaviour", choices=BEHAVIOUR_CHOICES)
    story = forms.CharField(
        label="What they did",
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A short story: what happened, and what it made possible.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, organisation)


# --- Innovation -------------------------------------------------------------------------------

INVITED_TEAMS = 3  # team pickers on the form; the API takes any number
CO_AUTHORS = 3


class InnovationChallengeForm(forms.Form):
    """A question put to the organisation, or to some of its teams, until a date."""

    question = forms.CharField(
        label="The question",
        max_length=300,
        help_text="What do you want ideas for? E.g. “How could we halve the wait for a first "
        "appointment without more staff?”",
    )
    detail = forms.CharField(
        label="What a good idea does",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The limits it must respect, what has been tried, how ideas will be chosen.",
    )
    closes_on = forms.DateField(label="Ideas until", widget=DATE)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, INVITED_TEAMS + 1):
            self.fields[f"team_{n}"] = TeamPickField(
                label=f"Team {n}",
                required=False,
                help_text="Its people and the teams under it take part. Leave every team "
                "empty to invite the whole organisation."
                if n == 1
                else "",
            )
        bind_pickers(self, organisation)

    def clean_closes_on(self) -> Any:
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate():
            raise forms.ValidationError("Give a date from today on.")
        return closes_on

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        teams = [data.get(f"team_{n}") for n in range(1, INVITED_TEAMS + 1)]
        data["teams"] = list({t.pk: t for t in teams if t is not None}.values())
        return data


class IdeaForm(ServiceModelForm):
    """An idea, with up to three colleagues who share it as authors."""

    class Meta:
        model = Idea
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "description": "What would change, who would do it, and how we would know it works."
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # co-authors are named when the idea is submitted
            for n in range(1, CO_AUTHORS + 1):
                self.fields[f"co_author_{n}"] = AnyMemberField(
                    label=f"Co-author {n}",
                    required=False,
                    help_text="A colleague who shares the idea: credited with you."
                    if n == 1
                    else "",
                )
        bind_pickers(self, organisation)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        named = [data.get(f"co_author_{n}") for n in range(1, CO_AUTHORS + 1)]
        data["co_authors"] = [p for p in named if p is not None]
        return data


class IdeaCommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A question, a way to build on it, a concern.",
    )


# --- Development plans ------------------------------------------------------------------------


class AspirationForm(ServiceModelForm):
    class Meta:
        model = DevelopmentPlan
        fields = ["aspiration"]
        widgets = {"aspiration": forms.Textarea(attrs={"rows": 3})}


class GoalForm(ServiceModelForm):
    """A goal on one behaviour of the four themes (grouped by theme in the select); a new
    one starts "working on it", its status changed later."""

    class Meta:
        model = DevelopmentGoal
        fields = ["behaviour", "goal", "actions", "target_on", "status"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "target_on": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["status"]


class EvidenceForm(ServiceModelForm):
    class Meta:
        model = DevelopmentEvidence
        fields = ["observed_on", "note"]
        widgets = {"observed_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, goal_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"evidence-{goal_id}")
        kwargs.setdefault("initial", {"observed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class AskReviewForm(forms.Form):
    """Whom to review the plan with: the leader of one's team, or a coach of it (a short
    list: ``selectors.development_reviewers``)."""

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"] = PersonChoiceField(
            label="Review it with", queryset=reviewers, empty_label=None
        )


class DevelopmentReviewForm(ServiceModelForm):
    class Meta:
        model = DevelopmentReview
        fields = ["held_on", "note"]
        widgets = {"held_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# --- Coalitions -------------------------------------------------------------------------------


class CoalitionForm(ServiceModelForm):
    """A coalition's name and common purpose."""

    class Meta:
        model = Coalition
        fields = ["name", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}


class CoalitionInviteForm(forms.Form):
    """Another organisation, by the address of its pages."""

    address = forms.CharField(
        label="The organisation's address",
        max_length=60,
        help_text="The name after /o/ in the address of its pages: e.g. “northvale-council” "
        "for /o/northvale-council/. Ask its leaders for it.",
    )


class CoalitionMissionForm(ServiceModelForm):
    """A mission of the coalition itself."""

    class Meta:
        model = CoalitionMission
        fields = ["title", "intent"]
        widgets = {"intent": forms.Textarea(attrs={"rows": 3})}


class ContributionOfferForm(forms.Form):
    """One of the organisation's missions offered to a coalition's mission."""

    coalition_mission = forms.TypedChoiceField(label="To the coalition's mission", coerce=int)
    mission = forms.CharField(
        label="Your mission",
        help_text="Type part of its title and choose: a mission you may edit.",
        widget=Combobox(),
    )
    how = forms.CharField(
        label="How it contributes",
        required=False,
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What your mission adds to the coalition's: contribution, not attribution.",
    )

    def __init__(
        self, *args: Any, actor: Actor, missions: list[CoalitionMission], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "offer")
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.missions = {m.pk: m for m in missions}
        field = self.fields["coalition_mission"]
        assert isinstance(field, forms.TypedChoiceField), "declared above"
        field.choices = [(m.pk, m.title) for m in missions]
        widget = self.fields["mission"].widget
        assert isinstance(widget, Combobox), "declared above"
        widget.url = pick_url("missions", organisation_slug=actor.organisation.slug, purpose="move")

    def clean_coalition_mission(self) -> CoalitionMission:
        return self.missions[self.cleaned_data["coalition_mission"]]

    def clean_mission(self) -> Mission:
        mission: Mission = resolve_one(
            missions_named(actor=self.actor, text=self.cleaned_data["mission"], editable=True),
            none="No mission you may edit has that title or number.",
            several="Several missions have that title: choose one from the list.",
        )
        return mission


class ContributionAnswerForm(forms.Form):
    """Aligning or declining a contribution another member offers."""

    answer = forms.CharField(
        label="Comment",
        required=False,
        max_length=500,
        help_text="Needed to decline: why, so the member can offer a better one.",
    )


class CoalitionLinkForm(forms.Form):
    """What one of the organisation's aligned contributions needs from another member's."""

    contribution = forms.TypedChoiceField(label="Your contribution", coerce=int)
    depends_on = forms.TypedChoiceField(label="Needs from", coerce=int)
    description = forms.CharField(
        label="What it needs",
        max_length=300,
        help_text="E.g. “Care packages ready within 48 hours of a discharge date being set”.",
    )

    def __init__(
        self, *args: Any, own: list[Contribution], others: list[Contribution], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)
        self.contributions = {c.pk: c for c in [*own, *others]}
        for name, rows in (("contribution", own), ("depends_on", others)):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField), "declared above"
            field.choices = [(c.pk, f"{c.mission.title} ({c.organisation.name})") for c in rows]

    def clean_contribution(self) -> Contribution:
        return self.contributions[self.cleaned_data["contribution"]]

    def clean_depends_on(self) -> Contribution:
        return self.contributions[self.cleaned_data["depends_on"]]
