"""The rules of single sign-on: an organisation's configuration, which organisation a person
signs in with, who the provider's verified email is, and who may no longer use a password.

Who an email is, safely: a provider vouches only for its own organisation. An existing account
is signed in only when it is already a member of the organisation whose provider vouched for
it; a newcomer (with a pending invitation, or an address at an allowed domain) always gets a
new account, never one that exists elsewhere, so that no organisation's provider can open an
account that belongs to another organisation's people.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kernel import services as kernel_services
from kernel.audit import apply_changes, audit_record
from kernel.models import AuditEvent, Invitation, Membership, Organisation

from ..models import OrganisationSSO

User = get_user_model()

# The fields an admin sets; the secret apart (it is never shown, and only written when typed).
FIELDS = ("issuer", "client_id", "allowed_domains", "require_sso", "enabled")
SECRET_KEPT = "(kept)"


class SignInRefused(Exception):
    """The provider's answer does not admit anyone: ``message`` says why, to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sso_of(*, organisation: Organisation) -> OrganisationSSO | None:
    return OrganisationSSO.objects.filter(organisation=organisation).first()


@transaction.atomic
def sso_save(*, organisation: Organisation, data: dict[str, Any], by: Any) -> OrganisationSSO:
    """Create or change the organisation's configuration. An empty ``client_secret`` keeps the
    stored one; the history records that the secret changed, never its value."""
    config = OrganisationSSO.objects.select_for_update().filter(organisation=organisation).first()
    created = config is None
    if config is None:
        config = OrganisationSSO(organisation=organisation)
    data = {**data, "issuer": str(data.get("issuer", config.issuer)).strip().rstrip("/")}
    changes = apply_changes(config, data, FIELDS)
    secret = str(data.get("client_secret") or "")
    if secret and secret != config.client_secret:
        config.client_secret = secret
        changes["client_secret"] = ["(set)" if not created else None, "(changed)"]
    if not config.client_secret:
        raise ValidationError({"client_secret": "Enter the client secret the provider gave you."})
    if not created and not changes:
        return config
    config.full_clean()
    config.save()
    audit_record(
        obj=config,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED if created else AuditEvent.Verb.UPDATED,
        by=by,
        changes=changes,
    )
    return config


def sso_for_login(text: str) -> OrganisationSSO:
    """The organisation a person signs in with, from what they typed on the sign-in page: its
    address (``acme``), or their email at one of its allowed domains."""
    text = text.strip().lower()
    live = OrganisationSSO.objects.filter(enabled=True).select_related("organisation")
    if "@" not in text:
        found = live.filter(organisation__slug=text).first()
        if found is None:
            raise SignInRefused(
                "No organisation with this address signs in with single sign-on. Check the "
                "address, or log in with your username and password."
            )
        return found
    # By the domains organisations declared only: whether an address belongs to a member is
    # not for an anonymous page to tell. Members at other domains type the address instead.
    domain = text.rpartition("@")[2]
    matches = [c for c in live.filter(allowed_domains__icontains=domain) if domain in c.domains()]
    if len(matches) > 1:
        raise SignInRefused(
            "Several organisations sign in people at this domain: enter your organisation's "
            "address instead (the part after /o/ in its pages' address)."
        )
    if not matches:
        raise SignInRefused(
            "We know of no organisation that signs in addresses at this domain with single "
            "sign-on. Enter your organisation's address instead (the part after /o/ in its "
            "pages' address), or log in with your username and password."
        )
    return matches[0]


def verified_email(claims: dict[str, Any]) -> str:
    """The email the provider vouches for, lower case; refused when it does not say it is
    verified (``email_verified``, or Entra ID's ``xms_edov`` for a domain it owns)."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    if not email or "@" not in email or not verified:
        raise SignInRefused(
            "Your organisation's sign-in did not confirm your email address, so we cannot "
            "tell who you are here. Ask your organisation's admin to check the provider sends "
            "a verified email."
        )
    return email


@transaction.atomic
def sso_sign_in(*, config: OrganisationSSO, claims: dict[str, Any]) -> tuple[Any, str]:
    """The person the provider's claims name, admitted to ``config``'s organisation if they are
    new to it, and how: ``"member"``, ``"invitation"`` or ``"domain"``. Raises
    ``SignInRefused`` for anyone it does not admit."""
    organisation = config.organisation
    email = verified_email(claims)
    memberships = Membership.objects.filter(
        organisation=organisation, user__email__iexact=email, user__is_active=True
    ).select_related("user")
    found = list(memberships[:2])
    if len(found) > 1:
        raise SignInRefused(
            f"Several accounts of {organisation.name} use {email}; log in with your username "
            "and password, or ask your organisation's admin to tell them apart."
        )
    if found:
        membership = found[0]
        if membership.deactivated_at is not None:
            raise SignInRefused(f"Your membership of {organisation.name} has been deactivated.")
        _record_sign_in(membership, email=email, issuer=config.issuer)
        return membership.user, "member"
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    allowed = email.rpartition("@")[2] in config.domains()
    if invitation is None and not allowed:
        raise SignInRefused(
            f"{email} is not a member of {organisation.name}, and has no invitation to it. "
            "Ask one of its admins to invite you."
        )
    user = _new_account(email, claims)
    if invitation is not None:
        kernel_services.invitation_accept_as(invitation=invitation, user=user)
        how = "invitation"
    else:
        kernel_services.membership_set(
            organisation=organisation,
            user=user,
            role=Membership.Role.STAFF,
            team=None,
            by=user,
        )
        how = "domain"
    membership = Membership.objects.get(organisation=organisation, user=user)
    _record_sign_in(membership, email=email, issuer=config.issuer)
    return user, how


def _new_account(email: str, claims: dict[str, Any]) -> Any:
    """A new account for a newcomer: their email as username (another when it is taken), their
    name from the provider, and no password (they sign in with their organisation)."""
    base = email[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(
        username=username,
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _record_sign_in(membership: Membership, *, email: str, issuer: str) -> None:
    audit_record(
        obj=membership,
        organisation=membership.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=membership.user,
        comment=f"Signed in with single sign-on as {email} ({issuer})."[:500],
    )


def password_refused_by(user: Any) -> Organisation | None:
    """The organisation whose members must sign in with single sign-on, when ``user`` is one of
    them (other than as its admin) and may not use a password; None when the password is fine.
    An organisation's admins and superusers keep their password, so that a broken provider
    locks nobody out."""
    if user is None or user.is_superuser:
        return None
    member_of = Membership.objects.filter(user=user, deactivated_at=None).exclude(
        role=Membership.Role.ADMIN
    )
    config = (
        OrganisationSSO.objects.filter(
            Q(enabled=True, require_sso=True),
            organisation__in=member_of.values("organisation"),
        )
        .select_related("organisation")
        .first()
    )
    return config.organisation if config is not None else None
