"""SCIM Groups: the teams of the token's organisation.

A Group is a team (``displayName`` → its name, ``id`` → its id); its ``members`` are the
people whose membership names the team. A person belongs to one team in an organisation, so
adding them to a group MOVES them there from the team they were in (the identity provider's
last word wins, as when someone changes department); removing them from a group leaves them
without a team, unless they have moved elsewhere meanwhile. Groups made through SCIM are top
teams; the hierarchy is arranged on the People page. DELETE removes the team if nothing else
holds on to it (missions it owns, sub-teams); otherwise it answers 409 and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, ProtectedError, QuerySet, RestrictedError, Subquery

from kernel.audit import audit_record
from kernel.models import AuditEvent, Membership, Organisation, Team
from kernel.services import membership_set, team_create, team_update

from ..models import ScimGroup, ScimToken
from .protocol import (
    GROUP,
    Comparison,
    Operation,
    ScimError,
    as_text,
    invalid_value,
    lowered_keys,
)


@dataclass(frozen=True)
class GroupState:
    display_name: str
    external_id: str = ""
    member_ids: frozenset[int] = frozenset()


def scim_groups_of(*, organisation: Organisation) -> QuerySet[Team]:
    external_id = ScimGroup.objects.filter(team=OuterRef("pk")).values("external_id")[:1]
    return (
        Team.objects.filter(organisation=organisation)
        .annotate(scim_external_id=Subquery(external_id))
        .order_by("id")
    )


def scim_groups_filtered(queryset: QuerySet[Team], comparisons: list[Comparison]) -> QuerySet[Team]:
    for comparison in comparisons:
        attribute, text = (
            comparison.attribute,
            "" if comparison.value is None else str(comparison.value),
        )
        if attribute == "displayname":
            queryset = queryset.filter(name__iexact=text)
        elif attribute == "externalid":
            known_as = ScimGroup.objects.filter(team=OuterRef("pk"), external_id=text)
            queryset = queryset.filter(Exists(known_as))
        elif attribute == "id":
            queryset = queryset.filter(pk=int(text)) if text.isdigit() else queryset.none()
        elif attribute in ("members.value", "members"):
            queryset = (
                queryset.filter(memberships__user_id=int(text))
                if text.isdigit()
                else queryset.none()
            )
        else:
            raise ScimError(400, f"Groups cannot be filtered by “{attribute}”.", "invalidFilter")
    return queryset


def scim_group_of(*, organisation: Organisation, scim_id: str) -> Team:
    found = (
        scim_groups_of(organisation=organisation).filter(pk=int(scim_id)).first()
        if scim_id.isdigit()
        else None
    )
    if found is None:
        raise ScimError(404, f"No group {scim_id} in this organisation.")
    return found


def members_by_team(teams: list[Team]) -> dict[int, list[tuple[int, str]]]:
    """Each team's members as (account id, user name): one query for the whole page."""
    found: dict[int, list[tuple[int, str]]] = {team.pk: [] for team in teams}
    rows = (
        Membership.objects.filter(team__in=teams)
        .order_by("user_id")
        .values_list("team_id", "user_id", "user__username")
    )
    for team_id, user_id, username in rows:
        found[team_id].append((user_id, username))
    return found


def group_resource(
    team: Team,
    *,
    location: str,
    members: list[tuple[int, str]] | None,
    user_location: Any,
) -> dict[str, Any]:
    """``members`` None: left out (``excludedAttributes=members``)."""
    resource: dict[str, Any] = {
        "schemas": [GROUP],
        "id": str(team.pk),
        "displayName": team.name,
        "meta": {
            "resourceType": "Group",
            "created": team.created_at.isoformat(),
            "lastModified": team.updated_at.isoformat(),
            "location": location,
            "version": f'W/"{int(team.updated_at.timestamp() * 1_000_000)}"',
        },
    }
    external_id = getattr(team, "scim_external_id", None)
    if external_id:
        resource["externalId"] = external_id
    if members is not None:
        resource["members"] = [
            {"value": str(user_id), "display": username, "$ref": user_location(user_id)}
            for user_id, username in members
        ]
    return resource


def _member_ids(value: Any) -> frozenset[int]:
    """``[{"value": "12"}, …]`` as account ids."""
    if value is None:
        return frozenset()
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise invalid_value("“members” is a list of objects with a “value”.")
    ids = set()
    for item in value:
        text = str(lowered_keys(item).get("value", "")) if isinstance(item, dict) else ""
        if not text.isdigit():
            raise invalid_value("Each member is an object whose “value” is a user's id.")
        ids.add(int(text))
    return frozenset(ids)


def state_from_resource(data: Any) -> GroupState:
    if not isinstance(data, dict):
        raise ScimError(400, "The body is not a Group.", "invalidSyntax")
    fields = lowered_keys(data)
    return GroupState(
        display_name=as_text(fields.get("displayname"), "displayName", max_length=200),
        external_id=as_text(fields.get("externalid"), "externalId", max_length=255),
        member_ids=_member_ids(fields.get("members")),
    )


def state_of(team: Team) -> GroupState:
    return GroupState(
        display_name=team.name,
        external_id=getattr(team, "scim_external_id", None) or "",
        member_ids=frozenset(
            Membership.objects.filter(team=team).values_list("user_id", flat=True)
        ),
    )


def _apply(state: GroupState, op: str, attribute: str, value: Any) -> GroupState:
    if attribute == "displayname":
        if op == "remove":
            raise ScimError(400, "“displayName” is required.", "mutability")
        return replace(state, display_name=as_text(value, "displayName", max_length=200))
    if attribute == "externalid":
        return replace(
            state,
            external_id=as_text(None if op == "remove" else value, "externalId", max_length=255),
        )
    if attribute == "members":
        ids = _member_ids(value)
        if op == "add":
            return replace(state, member_ids=state.member_ids | ids)
        if op == "remove":  # Entra: the members to remove in "value"; none given: all of them
            return replace(state, member_ids=state.member_ids - ids if value else frozenset())
        return replace(state, member_ids=ids)
    return state  # an attribute the product does not keep


def state_patched(state: GroupState, operations: list[Operation]) -> GroupState:
    """Every operation applied in memory, in order: a bad one fails the whole PATCH."""
    for operation in operations:
        if operation.path is None:
            for key, value in operation.value.items():
                attribute = key.lower().rpartition(":")[2]
                if attribute != "id":  # Okta's rename repeats the id
                    state = _apply(state, operation.op, attribute, value)
            continue
        path = operation.path
        if path.attribute == "members" and path.filter is not None:
            # members[value eq "12"]: that one member (Okta's removal).
            if path.filter.attribute != "value" or not str(path.filter.value).isdigit():
                raise ScimError(400, "Members are chosen by “value eq”.", "invalidPath")
            one = frozenset({int(str(path.filter.value))})
            if operation.op == "remove":
                state = replace(state, member_ids=state.member_ids - one)
            else:
                state = replace(state, member_ids=state.member_ids | one)
            continue
        state = _apply(state, operation.op, path.attribute, operation.value)
    return state


def _name_taken(name: str) -> ScimError:
    return ScimError(409, f"A team is called “{name}” already.", "uniqueness")


def _by(token: ScimToken) -> str:
    return f"By the identity provider (SCIM token “{token.name}”)."


def _check_members(organisation: Organisation, ids: frozenset[int]) -> dict[int, Membership]:
    members = {
        m.user_id: m for m in Membership.objects.filter(organisation=organisation, user_id__in=ids)
    }
    missing = sorted(ids - set(members))
    if missing:
        raise invalid_value(
            f"No user {', '.join(map(str, missing))} in this organisation: add them as Users first."
        )
    return members


def _save(
    *, organisation: Organisation, team: Team, state: GroupState, token: ScimToken, created: bool
) -> Team:
    if not state.display_name:
        raise invalid_value("“displayName” is required.")
    wanted = _check_members(organisation, state.member_ids)
    if not created and team.name != state.display_name:
        if (
            Team.objects.filter(organisation=organisation, name__iexact=state.display_name)
            .exclude(pk=team.pk)
            .exists()
        ):
            raise _name_taken(state.display_name)
        team_update(team=team, data={"name": state.display_name}, by=None)
    link, _ = ScimGroup.objects.get_or_create(team=team, defaults={"organisation": organisation})
    if link.external_id != state.external_id:
        link.external_id = state.external_id
        link.save(update_fields=["external_id", "updated_at"])
    current = set(Membership.objects.filter(team=team).values_list("user_id", flat=True))
    moves: list[tuple[Membership, Team | None]] = [
        (wanted[user_id], team) for user_id in sorted(state.member_ids - current)
    ]
    leaving = Membership.objects.filter(team=team, user_id__in=current - state.member_ids)
    moves += [(membership, None) for membership in leaving]
    for membership, to in moves:
        # One person, one team: joining this group moves them out of their team.
        membership_set(
            organisation=organisation, user=membership.user, role=membership.role, team=to, by=None
        )
    if moves:
        audit_record(
            obj=team,
            organisation=organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=None,
            changes={
                "members": [sorted(current), sorted(state.member_ids)],
            },
            comment=_by(token),
        )
    return scim_group_of(organisation=organisation, scim_id=str(team.pk))


@transaction.atomic
def scim_group_create(*, organisation: Organisation, state: GroupState, token: ScimToken) -> Team:
    if not state.display_name:
        raise invalid_value("“displayName” is required.")
    if Team.objects.filter(organisation=organisation, name__iexact=state.display_name).exists():
        raise _name_taken(state.display_name)
    try:
        with transaction.atomic():
            team = team_create(organisation=organisation, name=state.display_name, by=None)
    except IntegrityError:
        raise ScimError(
            409, f"A team is called “{state.display_name}” already.", "uniqueness"
        ) from None
    return _save(organisation=organisation, team=team, state=state, token=token, created=True)


@transaction.atomic
def scim_group_update(
    *, organisation: Organisation, team: Team, state: GroupState, token: ScimToken
) -> Team:
    """Bring the team to ``state`` (a PUT or a PATCH), all or nothing."""
    team = Team.objects.select_for_update().get(pk=team.pk, organisation=organisation)
    return _save(organisation=organisation, team=team, state=state, token=token, created=False)


@transaction.atomic
def scim_group_delete(*, organisation: Organisation, team: Team, token: ScimToken) -> None:
    """The team goes, its members stay in the organisation without a team; a 409 when the
    team owns missions or has sub-teams (they would lose their owner)."""
    team = Team.objects.select_for_update().get(pk=team.pk, organisation=organisation)
    audit_record(
        obj=team,
        organisation=organisation,
        verb=AuditEvent.Verb.REMOVED,
        by=None,
        changes={"name": [team.name, None]},
        comment=_by(token),
    )
    try:
        with transaction.atomic():
            Membership.objects.filter(team=team).update(team=None)
            team.delete()
    except (ProtectedError, RestrictedError):
        raise ScimError(
            409,
            f"The team “{team.name}” owns missions or has sub-teams: it stays. Move them on the "
            "organisation's People page first.",
        ) from None
