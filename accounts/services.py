"""Writes of a person's own account: sign-up, profile, taking up an invitation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from kernel import services as kernel_services
from kernel.audit import apply_changes
from kernel.models import Invitation, Organisation
from kernel.preferences import BRIEF, DIGEST, Channel, notification_preferences_set
from missions import services as missions_services

from .models import Profile

User = get_user_model()


@transaction.atomic
def signup(*, data: dict[str, Any]) -> tuple[Any, Organisation]:
    """A new account and its new organisation, which the account runs."""
    user = User(
        username=data["username"],
        email=data["email"],
        first_name=data["first_name"],
        last_name=data.get("last_name", ""),
    )
    user.set_password(data["password1"])
    user.full_clean()
    user.save()
    organisation = missions_services.organisation_create(
        name=data["organisation_name"],
        slug=data["slug"],
        top_team=data["top_team"],
        time_zone=data["time_zone"],
        by=user,
    )
    return user, organisation


@transaction.atomic
def profile_update(*, user: Any, data: dict[str, Any]) -> Profile:
    """Name, email and time zone of ``user`` (who changes their own)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if apply_changes(user, data, ("first_name", "last_name", "email")):
        user.full_clean(exclude=["password"])
        user.save(update_fields=["first_name", "last_name", "email"])
    profile, _ = Profile.objects.get_or_create(user=user)
    if apply_changes(profile, data, ("time_zone",)):
        profile.full_clean()
        profile.save()
    return profile


@transaction.atomic
def email_preferences_update(
    *, user: Any, channels: dict[str, str], digest: str, brief: str | None = None
) -> Profile:
    """How ``user`` hears about each kind of notification, how often their digest comes and
    whether their weekly brief does (``None``: unchanged)."""
    notification_preferences_set(user=user, channels=channels)
    profile, _ = Profile.objects.get_or_create(user=user)
    changed = [
        name
        for name, value in (("digest", digest), ("brief", brief))
        if value is not None and getattr(profile, name) != value
    ]
    if changed:
        for name in changed:
            setattr(profile, name, digest if name == "digest" else brief)
        profile.full_clean()
        profile.save(update_fields=[*changed, "updated_at"])
    return profile


@transaction.atomic
def unsubscribe(*, user: Any, topic: str) -> None:
    """Stop the emails an unsubscribe link names: a kind of notification (then seen in the
    app only), the digest (then never sent) or the weekly brief (then off). Doing it twice
    changes nothing more."""
    if topic == BRIEF:
        profile, _ = Profile.objects.get_or_create(user=user)
        if profile.brief != Profile.Brief.OFF:
            profile.brief = Profile.Brief.OFF
            profile.save(update_fields=["brief", "updated_at"])
    elif topic == DIGEST:
        profile, _ = Profile.objects.get_or_create(user=user)
        if profile.digest != Profile.Digest.NEVER:
            profile.digest = Profile.Digest.NEVER
            profile.save(update_fields=["digest", "updated_at"])
    else:
        notification_preferences_set(user=user, channels={topic: Channel.IN_APP})


@transaction.atomic
def invitation_take_up(
    *, token: str, user: Any | None, account_data: dict[str, Any] | None
) -> tuple[Any, Invitation]:
    """Take up an invitation: as the signed-in ``user``, or with a new account from
    ``account_data`` (or by setting the name and password of the account an org-chart import
    made for the invited address, which nobody could log in to yet)."""
    if user is None:
        assert account_data is not None
        found = kernel_services.invitation_for_token(token)
        account = invited_account(found) if found is not None else None
        user = account or User(email=found.email if found else "")
        user.username = account_data["username"]
        user.first_name = account_data["first_name"]
        user.last_name = account_data.get("last_name", "")
        user.set_password(account_data["password1"])
        user.full_clean()
        user.save()
    invitation = kernel_services.invitation_accept(token=token, user=user)
    return user, invitation


def invited_account(invitation: Invitation) -> Any | None:
    """The account an org-chart import made for the invited address, which has no usable
    password yet; None when there is none (a new account is made) or it can log in."""
    account = (
        User.objects.filter(
            email__iexact=invitation.email, memberships__organisation=invitation.organisation
        )
        .order_by("pk")
        .first()
    )
    if account is None or account.has_usable_password():
        return None
    return account
