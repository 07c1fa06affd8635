"""Forms of a person's own account. Labels are what a user would say."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import UsernameField
from django.utils.text import slugify

from kernel.models import Notification, NotificationPreference, Organisation
from kernel.preferences import DEFAULT_CHANNELS

from .models import Profile

User = get_user_model()


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PasswordPairMixin(forms.Form):
    """A new password typed twice and checked against the password rules."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def check_password_for(self, user: Any) -> None:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class AccountForm(PasswordPairMixin):
    """Name, username and password of a person who takes up an invitation."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    username = UsernameField(
        label="Username",
        max_length=150,
        help_text="You log in with it. Letters, digits and @ . + - _ only.",
    )

    def __init__(self, *args: Any, account: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account  # an account created by an org-chart import, or None

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        User.username_validator(username)
        taken = User.objects.filter(username__iexact=username)
        if self.account is not None:
            taken = taken.exclude(pk=self.account.pk)
        if taken.exists():
            raise forms.ValidationError("This username is taken; choose another.")
        return str(username)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        probe = self.account or User(
            username=data.get("username", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        self.check_password_for(probe)
        return data


class SignupForm(AccountForm):
    """A person and their new organisation."""

    email = forms.EmailField(label="Email", max_length=254)
    organisation_name = forms.CharField(label="Organisation name", max_length=200)
    slug = forms.SlugField(
        label="Address",
        max_length=60,
        required=False,
        help_text="Your organisation's pages live at /o/<address>/. Empty: made from its name.",
    )
    top_team = forms.CharField(
        label="Top team",
        max_length=200,
        initial="Leadership team",
        help_text="The team you lead; every other team sits under it.",
    )
    time_zone = forms.ChoiceField(label="Time zone", choices=time_zone_choices, initial="UTC")

    field_order = [
        "first_name",
        "last_name",
        "email",
        "username",
        "password1",
        "password2",
        "organisation_name",
        "slug",
        "top_team",
        "time_zone",
    ]

    def clean_email(self) -> str:
        # Nothing says whether the address has an account: a second account may use it.
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("slug") and data.get("organisation_name"):
            data["slug"] = slugify(data["organisation_name"])[:60].strip("-")
            if not data["slug"]:
                self.add_error("slug", "Choose an address of letters, digits and hyphens.")
        if data.get("slug") and Organisation.objects.filter(slug=data["slug"]).exists():
            self.add_error("slug", "This address is taken; choose another.")
        return data


class ProfileForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email", max_length=254)
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        choices=lambda: [("", "The organisation's time zone"), *time_zone_choices()],
        help_text="Dates and times are shown in it.",
    )


class EmailPreferencesForm(forms.Form):
    """A channel for every kind of notification (one group of radio buttons each, named after
    the kind), and how often the digest comes."""

    digest = forms.ChoiceField(
        label="Digest",
        choices=Profile.Digest.choices,
        widget=forms.RadioSelect,
    )
    brief = forms.ChoiceField(
        label="Weekly brief",
        choices=Profile.Brief.choices,
        widget=forms.RadioSelect,
        required=False,  # left out (an older form, a script): unchanged
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = dict(NotificationPreference.Channel.choices)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=NotificationPreference.Channel.choices,
                widget=forms.RadioSelect,
                help_text=f"Default: {channels[DEFAULT_CHANNELS[kind]].lower()}",
            )

    def kinds(self) -> list[forms.BoundField]:
        """The kinds' fields, in the order of the kinds: the rows of the table."""
        return [self[kind] for kind in Notification.Kind.values]

    def channels(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Notification.Kind.values}
