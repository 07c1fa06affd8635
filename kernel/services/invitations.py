"""Invitations: how a person joins an organisation, by a link sent to their email.

A person becomes a member only by taking up an invitation (or by creating the organisation):
an organisation admin never adds someone else's existing account directly, and nothing here
tells an admin whether an address already has an account, here or in another organisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from missionlead.emails import absolute_url, send_email

from ..audit import audit_record
from ..errors import StateConflict
from ..models import AuditEvent, Invitation, Membership, Organisation, Team
from .people import membership_set

if TYPE_CHECKING:
    from ..types import User

MAX_INVITATIONS_AT_ONCE = 200


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return absolute_url(reverse("accounts:invitation", kwargs={"token": token}))


def _issue(invitation: Invitation, *, by: User | None) -> None:
    """A new token and expiry, and the email on commit (the old link stops working)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = _token_hash(token)
    invitation.expires_at = now + dt.timedelta(days=settings.INVITATION_DAYS)
    invitation.sent_count += 1
    invitation.last_sent_at = now
    invitation.save()
    invitation.token = token  # type: ignore[attr-defined]  # for the caller only, never stored
    context = {
        "organisation": invitation.organisation,
        "invitation": invitation,
        "inviter": by.get_full_name() or by.get_username() if by is not None else "",
        "url": invitation_url(token),
        "days": settings.INVITATION_DAYS,
    }
    transaction.on_commit(
        lambda: send_email(name="invitation", to=[invitation.email], context=context)
    )


def _check_team(organisation: Organisation, team: Team | None) -> None:
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": "Choose a team of this organisation."})


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str = Membership.Role.STAFF,
    team: Team | None = None,
    by: User | None,
) -> Invitation:
    """Invite ``email`` with a role and a team, and send the link.

    Inviting an address that has an open invitation updates and resends that one. Inviting a
    current member is refused; nothing says whether the address has an account elsewhere.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": f"“{email}” is not an email address."}) from error
    if role not in Membership.Role.values:
        raise ValidationError({"role": f"Choose one of {', '.join(Membership.Role.values)}."})
    _check_team(organisation, team)
    # A member created by an org-chart import has no usable password until they take up
    # their invitation: inviting them (again) is how they get in.
    if (
        Membership.objects.filter(
            organisation=organisation, user__email__iexact=email, user__is_active=True
        )
        .exclude(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exists()
    ):
        raise ValidationError({"email": f"{email} is already a member of {organisation}."})
    # Serialises two admins inviting the same address at the same moment.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    invitation = Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).first() or Invitation(organisation=organisation, email=email, invited_by=by)
    created = invitation.pk is None
    invitation.role, invitation.team = role, team
    _issue(invitation, by=by)
    audit_record(
        obj=invitation,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED if created else AuditEvent.Verb.UPDATED,
        by=by,
        changes={"invitation": [None, f"{email} as {role}" + (f" in {team}" if team else "")]},
    )
    return invitation


def parse_invitation_lines(text: str) -> list[str]:
    """Addresses from a box where people paste them: one per line, or separated by commas,
    semicolons or spaces; "Name <address>" is read as the address. Duplicates once."""
    found: list[str] = []
    for raw in text.replace(",", "\n").replace(";", "\n").split():
        address = raw.strip().strip("<>").lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


@transaction.atomic
def invitations_create_many(
    *,
    organisation: Organisation,
    emails: list[str],
    role: str,
    team: Team | None,
    by: User | None,
) -> list[Invitation]:
    """Invite several people with the same role and team: all of them, or none."""
    if not emails:
        raise ValidationError({"emails": "Enter at least one email address."})
    if len(emails) > MAX_INVITATIONS_AT_ONCE:
        raise ValidationError(
            {"emails": f"At most {MAX_INVITATIONS_AT_ONCE} people at once; split the list."}
        )
    errors: list[str] = []
    invitations = []
    for email in emails:
        try:
            invitations.append(
                invitation_create(
                    organisation=organisation, email=email, role=role, team=team, by=by
                )
            )
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"emails": errors})
    return invitations


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """Send a pending or expired invitation again, with a new link and a new week."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise StateConflict(f"This invitation was {invitation.status}; invite again instead.")
    _issue(invitation, by=by)
    audit_record(
        obj=invitation,
        organisation=invitation.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes={"sent_count": [invitation.sent_count - 1, invitation.sent_count]},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Turn an invitation's link off. An accepted one cannot be revoked (remove the member)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was accepted already.")
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        obj=invitation,
        organisation=invitation.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes={"status": ["pending", "revoked"]},
    )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state (the page says which), or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("organisation", "team", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """``user`` takes up the invitation: they become a member with its role and team.

    Single use: the row is locked and its state checked again, so two clicks at the same
    moment make one member. A leader invited into a team without a leader leads it.
    """
    found = invitation_for_token(token)
    if found is None:
        raise ValidationError("This invitation link is not valid.")
    return invitation_accept_as(invitation=found, user=user)


@transaction.atomic
def invitation_accept_as(*, invitation: Invitation, user: User) -> Invitation:
    """``user`` takes up ``invitation`` without its link: single sign-on admits a newcomer whose
    provider vouches for the invited address (``accounts.sso``). As ``invitation_accept``."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    status = invitation.status
    if status != Invitation.Status.PENDING:
        raise ValidationError(
            {
                Invitation.Status.ACCEPTED: "This invitation has been used already.",
                Invitation.Status.REVOKED: "This invitation was withdrawn.",
                Invitation.Status.EXPIRED: "This invitation has expired; ask for a new one.",
            }[status]
        )
    organisation = invitation.organisation
    team = invitation.team
    membership_set(organisation=organisation, user=user, role=invitation.role, team=team, by=user)
    if team is not None and invitation.role == Membership.Role.LEADER and team.leader_id is None:
        team.leader = user
        team.save(update_fields=["leader", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    audit_record(
        obj=invitation,
        organisation=organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=user,
        changes={"status": ["pending", "accepted"]},
    )
    return invitation
