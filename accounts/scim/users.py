"""SCIM Users: the members of the token's organisation.

A SCIM User is a person's account (``userName`` → username, ``emails`` → email, ``name`` →
first and last name) seen through their membership of the organisation (``active``, ``title``
→ job title, ``externalId``). Its ``id`` is the account's id.

- Created users get a membership as staff, no team, and no password: they set one through
  "Forgot your password?" with the address the identity provider gave.
- ``active: false`` and DELETE deactivate the membership (``Membership.deactivated_at``):
  nothing is deleted, the person keeps their other organisations, and ``active: true`` gives
  them this one back as it was.
- An account is shared by every organisation its person belongs to: an organisation's
  identity provider may change its user name, email and name only while that organisation is
  its person's only one (a change otherwise is refused with ``mutability``). A user name that
  an account outside the organisation already has is refused with ``uniqueness``: someone who
  has an account joins another organisation by invitation, which they accept themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from kernel.audit import audit_record
from kernel.models import AuditEvent, Membership, Organisation
from kernel.services import membership_set
from kernel.tenancy import tenant_scope
from kernel.validators import validate_line

from ..models import ScimToken, ScimUser
from .protocol import (
    USER,
    Comparison,
    Operation,
    Path,
    ScimError,
    as_bool,
    as_text,
    invalid_value,
    lowered_keys,
    parse_path,
)


@dataclass(frozen=True)
class UserState:
    """What a SCIM User says of a member, as the product stores it."""

    user_name: str
    email: str = ""
    given_name: str = ""
    family_name: str = ""
    active: bool = True
    external_id: str = ""
    title: str = ""


# --- Reads ----------------------------------------------------------------------------------------


def scim_users_of(*, organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's members, deactivated ones too, with what a User shows: one query
    however many (their external id is a sub-select). In account order, so that pages of
    ``startIndex`` never skip or repeat anyone (the membership's unique key serves it)."""
    external_id = ScimUser.objects.filter(
        organisation=organisation, user=OuterRef("user_id")
    ).values("external_id")[:1]
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "team")
        .annotate(scim_external_id=Subquery(external_id))
        .order_by("user_id")
    )


def scim_users_filtered(
    queryset: QuerySet[Membership], comparisons: list[Comparison]
) -> QuerySet[Membership]:
    """The members that match every comparison; an attribute no filter reads is a 400."""
    for comparison in comparisons:
        attribute, value = comparison.attribute, comparison.value
        text = "" if value is None else str(value)
        if attribute == "username":
            queryset = queryset.filter(user__username__iexact=text)  # userName is caseExact false
        elif attribute == "externalid":
            known_as = ScimUser.objects.filter(
                organisation_id=OuterRef("organisation_id"),
                user_id=OuterRef("user_id"),
                external_id=text,
            )
            queryset = queryset.filter(Exists(known_as))
        elif attribute in ("emails", "emails.value"):
            queryset = queryset.filter(user__email__iexact=text)
        elif attribute == "id":
            queryset = queryset.filter(user_id=int(text)) if text.isdigit() else queryset.none()
        elif attribute == "active" and isinstance(value, bool):
            queryset = queryset.filter(deactivated_at__isnull=value)
        else:
            raise ScimError(
                400, f"Users cannot be filtered by “{attribute}”.", scim_type="invalidFilter"
            )
    return queryset


def scim_user_of(*, organisation: Organisation, scim_id: str) -> Membership:
    """The member with that id, or a 404 (another organisation's people are never found)."""
    found = (
        scim_users_of(organisation=organisation).filter(user_id=int(scim_id)).first()
        if scim_id.isdigit()
        else None
    )
    if found is None:
        raise ScimError(404, f"No user {scim_id} in this organisation.")
    return found


def user_resource(membership: Membership, *, location: str) -> dict[str, Any]:
    user = membership.user
    last_modified = membership.updated_at
    resource: dict[str, Any] = {
        "schemas": [USER],
        "id": str(user.pk),
        "userName": user.username,
        "name": {
            "givenName": user.first_name,
            "familyName": user.last_name,
            "formatted": user.get_full_name(),
        },
        "displayName": user.get_full_name() or user.username,
        "active": membership.deactivated_at is None,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "groups": (
            [{"value": str(membership.team_id), "display": membership.team.name}]
            if membership.team is not None
            else []
        ),
        "meta": {
            "resourceType": "User",
            "created": membership.created_at.isoformat(),
            "lastModified": last_modified.isoformat(),
            "location": location,
            "version": f'W/"{int(last_modified.timestamp() * 1_000_000)}"',
        },
    }
    external_id = getattr(membership, "scim_external_id", None)
    if external_id:
        resource["externalId"] = external_id
    if membership.job_title:
        resource["title"] = membership.job_title
    return resource


def state_of(membership: Membership) -> UserState:
    user = membership.user
    return UserState(
        user_name=user.username,
        email=user.email,
        given_name=user.first_name,
        family_name=user.last_name,
        active=membership.deactivated_at is None,
        external_id=getattr(membership, "scim_external_id", None) or "",
        title=membership.job_title,
    )


# --- Reading what the identity provider sends -----------------------------------------------------


def _email_of(value: Any) -> str:
    """The primary address of an ``emails`` list (else the work one, else the first)."""
    if value is None:
        return ""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid_value("“emails” is a list of objects with a “value”.")
    items = [lowered_keys(item) for item in value]
    chosen = (
        next((item for item in items if item.get("primary") in (True, "true", "True")), None)
        or next((item for item in items if str(item.get("type", "")).lower() == "work"), None)
        or (items[0] if items else {})
    )
    return as_text(chosen.get("value"), "emails.value", max_length=254)


def state_from_resource(data: Any, *, current: UserState | None = None) -> UserState:
    """The state a POST or PUT body describes. Attributes the product does not keep (phone
    numbers, addresses, the enterprise extension…) are let through unread, so that an
    identity provider's default mapping works; ``active`` left out keeps what it was."""
    if not isinstance(data, dict):
        raise ScimError(400, "The body is not a User.", "invalidSyntax")
    fields = lowered_keys(data)
    name = fields.get("name") or {}
    if not isinstance(name, dict):
        raise invalid_value("“name” is an object.")
    name = lowered_keys(name)
    active = fields.get("active")
    return UserState(
        user_name=as_text(fields.get("username"), "userName", max_length=150),
        email=_email_of(fields.get("emails")),
        given_name=as_text(name.get("givenname"), "name.givenName", max_length=150),
        family_name=as_text(name.get("familyname"), "name.familyName", max_length=150),
        active=(current.active if current else True)
        if active is None
        else as_bool(active, "active"),
        external_id=as_text(fields.get("externalid"), "externalId", max_length=255),
        title=as_text(fields.get("title"), "title", max_length=200),
    )


def _set(state: UserState, op: str, attribute: str, sub: str | None, value: Any) -> UserState:
    """One attribute of a PATCH; ``remove`` passes None. Attributes the product does not keep
    are let through unchanged."""
    if attribute == "username":
        if value is None:
            raise ScimError(400, "“userName” is required.", "mutability")
        return replace(state, user_name=as_text(value, "userName", max_length=150))
    if attribute == "active":
        return replace(state, active=True if value is None else as_bool(value, "active"))
    if attribute == "externalid":
        return replace(state, external_id=as_text(value, "externalId", max_length=255))
    if attribute == "title":
        return replace(state, title=as_text(value, "title", max_length=200))
    if attribute == "emails":
        if sub in (None, "value") and (value is None or isinstance(value, str)):
            return replace(state, email=as_text(value, "emails.value", max_length=254))
        if sub is None:
            return replace(state, email=_email_of(value))
        return state  # emails[…].type, .primary: the product keeps one address
    if attribute == "name":
        if sub is None:
            if value is None:
                return replace(state, given_name="", family_name="")
            if not isinstance(value, dict):
                raise invalid_value("“name” is an object.")
            for key, part in lowered_keys(value).items():
                state = _set(state, op, "name", key, part)
            return state
        if sub == "givenname":
            return replace(state, given_name=as_text(value, "name.givenName", max_length=150))
        if sub == "familyname":
            return replace(state, family_name=as_text(value, "name.familyName", max_length=150))
    return state


def _the_address(comparison: Comparison) -> bool:
    """Whether ``emails[…]`` picks the address the product keeps: the work or primary one."""
    value = str(comparison.value).lower()
    return (comparison.attribute, value) in (("type", "work"), ("primary", "true"))


def state_patched(state: UserState, operations: list[Operation]) -> UserState:
    """The state after every operation, in order, in memory: a bad one fails the whole PATCH
    before anything is written. An operation without a path names its attributes in its value
    (``{"active": false}``, Entra's ``{"name.givenName": …}``): each is one with that path."""
    steps: list[tuple[str, Path, Any]] = []
    for operation in operations:
        if operation.path is None:
            steps += [(operation.op, parse_path(k), v) for k, v in operation.value.items()]
        else:
            steps.append((operation.op, operation.path, operation.value))
    for op, path, given in steps:
        value = None if op == "remove" else given
        if path.filter is not None and path.attribute == "emails":
            if not _the_address(path.filter):
                continue  # a home or other address: not kept
            if path.sub is None and isinstance(value, dict):
                value = lowered_keys(value).get("value")  # emails[type eq "work"] with an object
            if path.sub in (None, "value"):
                state = _set(state, op, "emails", "value", value)
            continue
        state = _set(state, op, path.attribute, path.sub, value)
    return state


def _validated(state: UserState) -> UserState:
    if not state.user_name:
        raise invalid_value("“userName” is required.")
    try:
        UnicodeUsernameValidator()(state.user_name)
    except ValidationError:
        raise invalid_value("“userName” may contain letters, digits and @ . + - _ only.") from None
    if state.email:
        try:
            validate_email(state.email)
        except ValidationError:
            raise invalid_value(f"“{state.email}” is not an email address.") from None
    for value, name in ((state.title, "title"), (state.given_name, "name.givenName")):
        try:
            validate_line(value)
        except ValidationError as error:
            raise invalid_value(f"“{name}”: {' '.join(error.messages)}") from None
    return state


# --- Writes ---------------------------------------------------------------------------------------


def _by(token: ScimToken) -> str:
    return f"By the identity provider (SCIM token “{token.name}”)."


def _belongs_elsewhere(*, user_id: int, organisation: Organisation) -> bool:
    """Whether the person is a member of another organisation too. Their other memberships lie
    outside this request's tenant scope, so the question is asked across organisations, and
    answered with a yes or no only."""
    with tenant_scope(deferred=True) as scope:
        scope.lift()
        return (
            Membership.objects.filter(user_id=user_id).exclude(organisation=organisation).exists()
        )


def _user_name_taken(user_name: str, *, other_than: int | None = None) -> bool:
    accounts = get_user_model().objects.filter(username__iexact=user_name)
    if other_than is not None:
        accounts = accounts.exclude(pk=other_than)
    return accounts.exists()


@transaction.atomic
def scim_user_create(
    *, organisation: Organisation, state: UserState, token: ScimToken
) -> Membership:
    """A new account and its membership of the organisation (staff, no team, no password)."""
    state = _validated(state)
    if _user_name_taken(state.user_name):
        raise ScimError(409, f"The user name “{state.user_name}” is taken.", "uniqueness")
    user = get_user_model()(
        username=state.user_name,
        email=state.email,
        first_name=state.given_name,
        last_name=state.family_name,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():  # a concurrent create of the same name: its 409, not a 500
            user.save()
    except IntegrityError:
        raise ScimError(409, f"The user name “{state.user_name}” is taken.", "uniqueness") from None
    membership = membership_set(
        organisation=organisation,
        user=user,
        role=Membership.Role.STAFF,
        team=None,
        by=None,
        job_title=state.title,
    )
    link = ScimUser.objects.create(
        organisation=organisation, user=user, external_id=state.external_id
    )
    if not state.active:
        membership.deactivated_at = timezone.now()
        membership.save(update_fields=["deactivated_at", "updated_at"])
    # The membership's own entry is membership_set's; this one says who made it.
    audit_record(
        obj=link,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED,
        by=None,
        changes={
            "userName": [None, state.user_name],
            "externalId": [None, state.external_id],
            "active": [None, state.active],
        },
        comment=_by(token),
    )
    return scim_user_of(organisation=organisation, scim_id=str(user.pk))


@transaction.atomic
def scim_user_update(
    *, organisation: Organisation, membership: Membership, state: UserState, token: ScimToken
) -> Membership:
    """Bring the member to ``state`` (a PUT, a PATCH, a DELETE's deactivation): the account,
    the membership and the external id, all or nothing."""
    state = _validated(state)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(pk=membership.pk, organisation=organisation)
    )
    user = membership.user
    account = {
        "username": state.user_name,
        "email": state.email,
        "first_name": state.given_name,
        "last_name": state.family_name,
    }
    changes: dict[str, list[Any]] = {
        name: [getattr(user, name), value]
        for name, value in account.items()
        if getattr(user, name) != value
    }
    if changes:
        if _belongs_elsewhere(user_id=user.pk, organisation=organisation):
            raise ScimError(
                400,
                "This person belongs to another organisation too: their user name, name and "
                "email are theirs to change, not this organisation's.",
                "mutability",
            )
        if "username" in changes and _user_name_taken(state.user_name, other_than=user.pk):
            raise ScimError(409, f"The user name “{state.user_name}” is taken.", "uniqueness")
        for name in changes:
            setattr(user, name, account[name])
        user.save(update_fields=list(changes))
    if membership.job_title != state.title:
        changes["job_title"] = [membership.job_title, state.title]
        membership.job_title = state.title
    if (membership.deactivated_at is None) != state.active:
        changes["active"] = [not state.active, state.active]
        membership.deactivated_at = None if state.active else timezone.now()
    link, _ = ScimUser.objects.get_or_create(organisation=organisation, user=user)
    if link.external_id != state.external_id:
        changes["externalId"] = [link.external_id, state.external_id]
        link.external_id = state.external_id
        link.save(update_fields=["external_id", "updated_at"])
    if changes:
        membership.save(update_fields=["job_title", "deactivated_at", "updated_at"])
        audit_record(
            obj=membership,
            organisation=organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=None,
            changes=changes,
            comment=_by(token),
        )
    return scim_user_of(organisation=organisation, scim_id=str(user.pk))
