"""Teams and people: the organisation chart."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .. import tree
from ..audit import apply_changes, audit_record, refuse_if_changed_since
from ..models import AuditEvent, Invitation, Membership, Organisation, Team
from ..validators import validate_line

if TYPE_CHECKING:
    from ..types import User


@transaction.atomic
def team_create(
    *,
    organisation: Organisation,
    name: str,
    parent: Team | None = None,
    leader: User | None = None,
    by: User | None = None,
) -> Team:
    """Create a team under ``parent`` (or a top team)."""
    if parent is not None:  # its path as stored now, and no move of its branch meanwhile
        parent = tree.lock_branch(Team, parent.pk)
    team = Team(organisation=organisation, name=name, parent=parent, leader=leader)
    team.path = tree.child_path(parent.path, parent.pk) if parent else ""
    team.full_clean()
    team.save()
    audit_record(
        obj=team,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        changes={"name": [None, name]},
    )
    return team


@transaction.atomic
def teams_create(
    *, organisation: Organisation, names: list[str], parent: Team | None, by: User
) -> list[Team]:
    """Several teams under one parent, all or none (the onboarding's first teams)."""
    return [
        team_create(organisation=organisation, name=name, parent=parent, by=by) for name in names
    ]


@transaction.atomic
def team_update(
    *, team: Team, data: dict[str, Any], by: User | None, read_at: dt.datetime | None = None
) -> Team:
    """Rename, re-parent or change the leader of a team; sub-teams move with it. The changes
    apply to the row as stored now, locked (as ``mission_update``). ``read_at`` is the
    version the changes were made on (the edit page's): a team changed since is not
    overwritten, and ``EditConflict`` says who changed it and when."""
    team = Team.objects.select_for_update().select_related("organisation").get(pk=team.pk)
    refuse_if_changed_since(team, read_at=read_at, noun="team")
    if data.get("parent") is not None:
        data = {**data, "parent": tree.lock_branch(Team, data["parent"].pk)}
    old_path = team.path
    changes = apply_changes(team, data, ("name", "parent", "leader"))
    if not changes:
        return team
    if team.parent is not None and (
        team.parent.pk == team.pk or team.pk in tree.ancestor_ids(team.parent.path)
    ):
        raise ValidationError({"parent": "A team cannot sit under itself or its own sub-teams."})
    team.path = tree.child_path(team.parent.path, team.parent.pk) if team.parent else ""
    team.full_clean()
    team.save()
    if team.path != old_path:
        tree.move_descendants(Team, team, old_path)
    audit_record(
        obj=team,
        organisation=team.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes=changes,
    )
    return team


ORG_CHART_COLUMNS = ("email", "name", "team", "parent team", "role", "manager email")


@dataclass
class OrgChartRow:
    """One validated line of an org chart import."""

    line: int
    email: str
    name: str
    team: str
    parent_team: str
    role: str
    manager_email: str
    errors: list[str] = field(default_factory=list)


@dataclass
class OrgChartPlan:
    """What an import would do; nothing is written until ``org_chart_import`` applies it."""

    rows: list[OrgChartRow]
    new_teams: list[str]
    new_people: list[str]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)


def _org_chart_cell_errors(row: OrgChartRow) -> list[str]:
    """Each cell fits the field it is stored in (lengths from the models) and holds no control
    character: a line error naming the column, rather than a failure when it is stored."""
    email = Invitation._meta.get_field("email").max_length
    bounds = (
        ("Email", row.email, email),
        ("Name", row.name, get_user_model()._meta.get_field("first_name").max_length),
        ("Team", row.team, Team._meta.get_field("name").max_length),
        ("Parent team", row.parent_team, Team._meta.get_field("name").max_length),
        ("Manager email", row.manager_email, email),
    )
    errors = []
    for label, value, limit in bounds:
        if limit is not None and len(value) > limit:
            errors.append(f"{label}: at most {limit} characters (this one has {len(value):,}).")
        try:
            validate_line(value)
        except ValidationError as error:
            errors.append(f"{label}: {error.messages[0]}")
    return errors


def org_chart_plan(*, organisation: Organisation, text: str) -> OrgChartPlan:
    """Read and check an org chart CSV (columns ``ORG_CHART_COLUMNS``) without writing.

    A line with more cells than the header, or a cell too long or with control characters, is
    that line's error; a file the CSV reader cannot read (a cell over its 131,072-character
    limit) is a file error.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[OrgChartRow] = []
    try:
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in ORG_CHART_COLUMNS if c not in headers]
        if missing:
            return OrgChartPlan([], [], [], [f"Missing column(s): {', '.join(missing)}."])
        for number, raw in enumerate(reader, start=2):
            surplus = raw.pop(None, None)  # DictReader puts cells beyond the header here
            cells = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            row = OrgChartRow(
                line=number,
                email=cells["email"].lower(),
                name=cells["name"],
                team=cells["team"],
                parent_team=cells["parent team"],
                role=cells["role"].lower() or Membership.Role.STAFF,
                manager_email=cells["manager email"].lower(),
            )
            if surplus:
                row.errors.append(
                    f"The line has {len(headers) + len(surplus)} cells; the header names "
                    f"{len(headers)}: remove the cells beyond “{headers[-1]}”, or put more "
                    "cells in the header."
                )
            row.errors.extend(_org_chart_cell_errors(row))
            rows.append(row)
    except csv.Error as error:
        return OrgChartPlan(
            rows, [], [], [f"Line {reader.line_num} cannot be read as CSV ({error})."]
        )
    existing_teams = {
        t.name.lower(): t
        for t in Team.objects.filter(organisation=organisation).select_related("parent")
    }
    members = set(
        Membership.objects.filter(organisation=organisation).values_list("user__email", flat=True)
    )
    known_people = {e.lower() for e in members if e} | {r.email for r in rows}
    file_teams: dict[str, str] = {}
    seen: set[str] = set()
    for row in rows:
        if row.errors:
            continue  # its cells are unusable: checking them further would only echo them
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(f"“{row.email}” is not an email address.")
        if row.email in seen:
            row.errors.append(f"{row.email} appears twice in the file.")
        seen.add(row.email)
        if row.role not in Membership.Role.values:
            row.errors.append(
                f"Role “{row.role}” is not one of {', '.join(Membership.Role.values)}."
            )
        if not row.team:
            row.errors.append("The team is empty.")
        if row.manager_email and row.manager_email not in known_people:
            row.errors.append(
                f"The manager {row.manager_email} is neither in the file nor a member."
            )
        if row.manager_email == row.email:
            row.errors.append("A person cannot be their own manager.")
        key = row.team.lower()
        stored = existing_teams.get(key)
        declared = file_teams.setdefault(key, row.parent_team.lower())
        if declared != row.parent_team.lower():
            row.errors.append(f"Team “{row.team}” has two different parent teams in the file.")
        elif (
            stored is not None
            and row.parent_team
            and (stored.parent is None or stored.parent.name.lower() != row.parent_team.lower())
        ):
            row.errors.append(
                f"Team “{row.team}” already exists under “{stored.parent or 'no parent'}”."
            )
    all_teams = set(existing_teams) | set(file_teams)
    for row in rows:
        if row.parent_team and row.parent_team.lower() not in all_teams:
            row.errors.append(
                f"The parent team “{row.parent_team}” is neither in the file nor here."
            )
    new_teams = sorted({r.team for r in rows if r.team and r.team.lower() not in existing_teams})
    # New to this organisation: whether an address has an account elsewhere is nobody's business.
    member_emails = {e.lower() for e in members if e}
    new_people = [r.email for r in rows if r.email not in member_emails]
    return OrgChartPlan(rows, new_teams, new_people)


@transaction.atomic
def org_chart_import(*, organisation: Organisation, text: str, by: User) -> OrgChartPlan:
    """Apply an org chart: all rows or, on any error, none (raises ``ValidationError``).

    People are matched by email (see ``_org_chart_people``: newcomers are invited); teams by
    name. A row with the leader role leads its team; otherwise a person's manager becomes their
    team's leader when both are in the same team, and a person whose manager sits in the parent
    team leads theirs. One import at a time per organisation: the organisation row is locked.
    """
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    plan = org_chart_plan(organisation=organisation, text=text)
    if not plan.ok:
        raise ValidationError(
            plan.file_errors + [f"Line {r.line}: {e}" for r in plan.rows for e in r.errors]
        )
    teams = {t.name.lower(): t for t in Team.objects.filter(organisation=organisation)}
    pending = [r for r in plan.rows]
    while pending:  # parents before children, whatever the order of the file
        progressed = False
        for row in list(pending):
            key, parent_key = row.team.lower(), row.parent_team.lower()
            if key in teams:
                pending.remove(row)
                progressed = True
            elif not parent_key or parent_key in teams:
                teams[key] = team_create(
                    organisation=organisation, name=row.team, parent=teams.get(parent_key), by=by
                )
                pending.remove(row)
                progressed = True
        if not progressed:
            raise ValidationError("The teams' parents form a loop.")
    users = _org_chart_people(organisation, plan, teams, by=by)
    by_email = {r.email: r for r in plan.rows}
    for row in plan.rows:
        team = teams[row.team.lower()]
        leader = None
        if row.role == Membership.Role.LEADER:
            leader = users.get(row.email)  # the file says this person leads their team
        else:
            manager = by_email.get(row.manager_email)
            if manager is not None and manager.team.lower() == row.team.lower():
                leader = users.get(manager.email)
            elif (
                manager is not None
                and row.parent_team
                and manager.team.lower() == row.parent_team.lower()
            ):
                leader = users.get(row.email)
        if leader is not None and team.leader_id != leader.pk:
            team.leader = leader
            team.save(update_fields=["leader", "updated_at"])
    audit_record(
        obj=organisation,
        organisation=organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes={"org_chart": [None, f"{len(plan.rows)} people, {len(plan.new_teams)} new teams"]},
    )
    return plan


def _org_chart_people(
    organisation: Organisation, plan: OrgChartPlan, teams: dict[str, Team], *, by: User
) -> dict[str, User]:
    """Members for the file's rows, by email, and an invitation for each newcomer.

    An address without an account gets one, without a usable password, a membership (so the
    person can own missions and lead a team at once) and an invitation to set their password.
    An address whose account can log in gets only an invitation: nobody joins an organisation
    without saying yes. A current member's role and team follow the file.
    """
    from .invitations import invitation_create  # invitations build on memberships

    user_model = get_user_model()
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .filter(user__email__in=[r.email for r in plan.rows])
    }
    accounts = {
        u.email.lower(): u
        for u in user_model.objects.filter(email__in=[r.email for r in plan.rows])
    }
    users: dict[str, User] = {}
    for row in plan.rows:
        team = teams[row.team.lower()]
        member = members.get(row.email)
        if member is not None:
            users[row.email] = member.user
            membership_set(
                organisation=organisation, user=member.user, role=row.role, team=team, by=by
            )
            continue
        user = accounts.get(row.email)
        if user is None:
            first, _, last = row.name.partition(" ")
            user = user_model(
                username=_free_username(row.email),
                email=row.email,
                first_name=first[:150],
                last_name=last[:150],
            )
            user.set_unusable_password()
            user.save()
            membership_set(organisation=organisation, user=user, role=row.role, team=team, by=by)
            users[row.email] = user
        invitation_create(
            organisation=organisation, email=row.email, role=row.role, team=team, by=by
        )
    return users


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "user"
    candidate, n = base, 1
    while get_user_model().objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def membership_set(
    *,
    organisation: Organisation,
    user: User,
    role: str,
    team: Team | None,
    by: User | None,
    job_title: str | None = None,
    read_at: dt.datetime | None = None,
) -> Membership:
    """Add a person to the organisation, or change their role, team or job title.

    Callers: taking up an invitation, the org-chart import, the People page. The stored row is
    re-read under a lock, so what changed is what the history records. ``read_at`` is the
    version the People page's form was read at: a membership changed since is not
    overwritten (``EditConflict``).
    """
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": "Choose a team of this organisation."})
    membership = (
        Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    )
    created = membership is None
    if membership is None:
        membership = Membership(organisation=organisation, user=user)
    else:
        refuse_if_changed_since(membership, read_at=read_at, noun="membership")
    data: dict[str, Any] = {"role": role, "team": team}
    if job_title is not None:
        data["job_title"] = job_title
    changes = apply_changes(membership, data, ("role", "team", "job_title"))
    if not created and not changes:
        return membership
    membership.full_clean()
    membership.save()
    audit_record(
        obj=membership,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED if created else AuditEvent.Verb.UPDATED,
        by=by,
        changes=changes,
    )
    return membership
