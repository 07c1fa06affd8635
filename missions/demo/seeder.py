"""Writes the demo organisation of ``missions.demo.data`` through the same services the app
uses, so the demo keeps every rule a person's edits keep.

The services do not cover everything a demo needs (its history is back-dated, its organisation
missions are the board's own): those few fields are written directly and counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from kernel.audit import audit_record
from kernel.models import (
    AuditEvent,
    CoachAssignment,
    Membership,
    Notification,
    Organisation,
    Team,
)
from kernel.permissions import Actor, actor_for
from kernel.services import team_create
from leadership.services import (
    challenge_answer,
    challenge_answerers,
    challenge_raise,
    contact_log,
    development_evidence_add,
    development_goal_add,
    development_plan_of,
    development_plan_update,
    development_review_ask,
    development_review_hold,
    idea_adopt,
    idea_comment,
    idea_shortlist,
    idea_submit,
    idea_support,
    ideas_invited_message,
    innovation_open,
    key_task_from_idea,
    learning_group_create,
    learning_session_create,
    recognition_give,
    session_note_write,
    stakeholder_create,
    stakeholder_update,
)
from measures.models import CheckIn
from measures.models import Kpi as KpiRow
from measures.services import kpi_create, kpi_refresh_all
from missions.demo import history, past
from missions.demo.accounts import demo_users, differs
from missions.demo.data import Demo, Kpi, Mission
from missions.models import Mission as MissionRow
from missions.services import (
    interdependency_create,
    interdependency_respond,
    key_task_create,
    mission_align,
    mission_create,
    mission_propose,
    mission_send_back,
    vision_update,
)
from reviews.checks import roll_up_day
from reviews.models import AlignmentSnapshot, Review

Role = Membership.Role
A = MissionRow.AlignmentStatus
PERSON = MissionRow.Level.INDIVIDUAL
DONE = "done"


class Seeder:
    """Builds the demo organisation for ``today``; there must be no demo organisation yet.

    ``former_members``: the usernames of the people of a demo organisation a reset has just
    removed, so they are reused even where a user has since changed their email address.
    """

    def __init__(self, demo: Demo, today: dt.date, *, former_members: Collection[str] = ()) -> None:
        self.demo = demo
        self.story = demo.story
        self.today = today
        self.now = timezone.now()
        self.former_members = set(former_members)
        self.stats: Counter[str] = Counter()
        self.year_start = history.plan_year_start(today)
        self.users: dict[str, Any] = {}
        self.teams: dict[str, Team] = {}
        self.missions: dict[str, MissionRow] = {}
        self.kpis: dict[tuple[str, str], KpiRow] = {}

    def create(self, model: type[models.Model], **values: Any) -> Any:
        """Write a row the services do not cover, and count it."""
        obj = model(**values)
        obj.save()
        self.stats[f"{model._meta.verbose_name_plural} created"] += 1
        return obj

    def _set(self, obj: models.Model, **values: Any) -> None:
        """Write fields the services do not cover (back-dating, mostly), only when they
        differ."""
        changed = differs(obj, values)
        if changed:
            type(obj)._default_manager.filter(pk=obj.pk).update(
                **{name: values[name] for name in changed}
            )
            for name in changed:
                setattr(obj, name, values[name])

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    # steps ---------------------------------------------------------------------------------------

    def run(self) -> Organisation:
        demo = self.demo
        self.organisation = self.create(
            Organisation,
            slug=demo.slug,
            name=demo.name,
            review_cadence_days=demo.review_cadence_days,
            max_active_missions=demo.max_active_missions,
            likely_miss_below=demo.likely_miss_below,
        )
        self.seed_people()
        self.seed_teams()
        self.seed_memberships()
        self.seed_vision()
        self.seed_missions()
        self.seed_kpis()
        self.seed_check_ins()
        self.seed_key_tasks()
        self.seed_links()
        self.seed_stakeholders()
        self.seed_challenges()
        self.seed_learning_groups()
        self.seed_recognitions()
        self.seed_innovation()
        self.seed_development()
        self.seed_reviews()
        return self.organisation

    def seed_people(self) -> None:
        self.users = demo_users(self.demo, former_members=self.former_members, stats=self.stats)

    def seed_teams(self) -> None:
        for team in self.demo.teams:
            self.teams[team.key] = team_create(
                organisation=self.organisation,
                name=team.name,
                parent=self.teams[team.parent] if team.parent else None,
                leader=self.users[team.leader],
            )
            self.stats["teams created"] += 1

    def seed_memberships(self) -> None:
        org = self.organisation
        memberships = [
            Membership(
                organisation=org,
                user=self.users[person.username],
                role=person.role,
                team=self.teams.get(person.team) if person.team is not None else None,
                job_title=person.title,
            )
            for person in self.demo.people
        ]
        Membership.objects.bulk_create(memberships)
        self.stats["memberships created"] += len(memberships)
        for coaching in self.demo.coaching:
            self.create(
                CoachAssignment,
                organisation=org,
                coach=self.users[coaching.coach],
                team=self.teams.get(coaching.team) if coaching.team else None,
            )

    def seed_vision(self) -> None:
        start = self.year_start
        horizon = dt.date(start.year + 5, start.month, 1) - dt.timedelta(1)
        data = {**self.demo.vision, "horizon": horizon}
        vision_update(organisation=self.organisation, data=data, by=self.users[self.demo.ceo])
        self.stats["vision written"] += 1

    # missions ------------------------------------------------------------------------------------

    def owner_user(self, spec: Mission) -> Any:
        """The person who acts for the mission: its owner, or its owner team's leader."""
        if spec.person is not None:
            return self.users[spec.person]
        assert spec.team is not None, "data._mission: owned by a person or else by a team"
        return self.teams[spec.team].leader

    def mission_data(self, spec: Mission) -> dict[str, Any]:
        start, end = history.period(self.year_start, spec)
        rights = {"free": list(spec.free), "consult": list(spec.consult)}
        rights["must_not"] = list(spec.must_not)
        return {
            "level": spec.level,
            "title": spec.title,
            "statement": spec.statement,
            "intent": spec.intent,
            "parent": self.missions[spec.parent] if spec.parent else None,
            "owner_team": self.teams[spec.team] if spec.team is not None else None,
            "owner_user": self.users[spec.person] if spec.person is not None else None,
            "period_start": start,
            "period_end": end,
            "deadline": end,
            "scope": spec.scope,
            "budget": Decimal(spec.budget) if spec.budget is not None else None,
            "headcount": spec.headcount,
            "constraints": spec.constraints,
            "decision_rights": rights if any(rights.values()) else {},
        }

    def seed_missions(self) -> None:
        for spec in self.demo.missions:
            data = self.mission_data(spec)
            mission = mission_create(
                organisation=self.organisation, data=data, by=self.owner_user(spec)
            )
            self.stats["missions created"] += 1
            self.missions[spec.key] = mission
            self.ensure_alignment(mission, spec)

    def approver(self, mission: MissionRow) -> Any:
        parent = mission.parent
        if parent is None:
            return self.users[self.demo.ceo]
        if parent.owner_user is not None:
            return parent.owner_user
        assert parent.owner_team is not None, "Mission.clean: owned by a person or else a team"
        return parent.owner_team.leader

    def ensure_alignment(self, mission: MissionRow, spec: Mission) -> None:
        """Walk the new (draft) mission to its demo alignment status through the services."""
        target, current = spec.alignment, mission.alignment_status
        if target == current:
            return
        self.stats["alignments set"] += 1
        owner, approver = self.owner_user(spec), self.approver(mission)
        if mission.parent_id is None:
            # The organisation missions are the board's own (nothing above them to align
            # with): set directly, on record.
            extra = {}
            if target == A.ALIGNED:
                extra = {"aligned_at": self.now, "aligned_by": approver}
            self._set(mission, alignment_status=target, **extra)
            verb = AuditEvent.Verb.ALIGNED if target == A.ALIGNED else AuditEvent.Verb.UPDATED
            audit_record(
                obj=mission,
                organisation=self.organisation,
                verb=verb,
                by=approver,
                mission=mission,
                changes={"alignment_status": [current, target]},
            )
            return
        mission_propose(mission=mission, by=owner)
        if target == A.ALIGNED:
            mission_align(mission=mission, by=approver)
        elif target == A.SENT_BACK:
            mission_send_back(mission=mission, by=approver, comment=spec.send_back_comment)

    # measures ------------------------------------------------------------------------------------

    def kpi_data(self, spec: Mission, k: Kpi) -> dict[str, Any]:
        _start, end = history.period(self.year_start, spec)
        parent = None
        if k.parent:
            assert spec.parent is not None, f"{spec.key}: a KPI's parent is its mission's parent's"
            parent = self.kpis[(spec.parent, k.parent)]
        return {
            "name": k.name,
            "unit": k.unit,
            "direction": k.direction,
            "baseline": k.baseline,
            "target": k.target,
            "target_max": k.target_max,
            "due_date": end,
            "cadence_days": k.cadence_days,
            "weight": k.weight,
            "parent_kpi": parent,
        }

    def seed_kpis(self) -> None:
        for spec in self.demo.missions:
            mission = self.missions[spec.key]
            by = self.owner_user(spec)
            for k in spec.kpis:
                kpi = kpi_create(mission=mission, data=self.kpi_data(spec, k), by=by)
                self.stats["KPIs created"] += 1
                self.kpis[(spec.key, k.name)] = kpi

    def seed_check_ins(self) -> None:
        new = []
        for spec in self.demo.missions:
            owner = self.owner_user(spec)
            staff = []
            if spec.team is not None and spec.level != PERSON:
                staff = [
                    self.users[p.username]
                    for p in self.demo.people
                    if p.team == spec.team and p.role == Role.STAFF
                ]
            for k in spec.kpis:
                kpi = self.kpis[(spec.key, k.name)]
                readings = history.readings(self.story, self.year_start, self.today, spec, k)
                for day, value, confidence, comment in readings:
                    index = history.check_in_author_index(spec, k, day, len(staff))
                    new.append(
                        CheckIn(
                            kpi=kpi,
                            value=value,
                            confidence=max(0, min(100, confidence)),
                            comment=comment,
                            recorded_on=day,
                            author=owner if index is None else staff[index],
                            created_at=history.check_in_written_at(spec, k, day, self.now),
                        )
                    )
        CheckIn.objects.bulk_create(new, batch_size=500)
        self.stats["check-ins created"] += len(new)
        # Bulk-created check-ins bypass the check-in service: compute the stored figures.
        kpi_refresh_all(organisation_id=self.organisation.pk)

    # work ----------------------------------------------------------------------------------------

    def seed_key_tasks(self) -> None:
        for spec in self.demo.missions:
            mission = self.missions[spec.key]
            by = self.owner_user(spec)
            for t in spec.tasks:
                due = self.today + dt.timedelta(days=t.due_in_days)
                data = {
                    "title": t.title,
                    "description": "",
                    "owner": self.users[t.owner] if t.owner else by,
                    "due_date": due,
                    "status": t.status,
                }
                task = key_task_create(mission=mission, data=data, by=by)
                self.stats["key tasks created"] += 1
                if t.status == DONE:
                    done_on = min(due - dt.timedelta(days=2), self.days_ago(1))
                    self._set(task, completed_at=history.at(done_on, 15))

    def seed_links(self) -> None:
        for link in self.demo.links:
            by = self.owner_user(self.demo.mission(link.from_mission))
            responder = self.owner_user(self.demo.mission(link.to_mission))
            row = interdependency_create(
                from_mission=self.missions[link.from_mission],
                to_mission=self.missions[link.to_mission],
                kind=link.kind,
                description=link.description,
                by=by,
            )
            if link.status != row.status:
                row = interdependency_respond(link=row, status=link.status, by=responder)
            self.stats["interdependencies created"] += 1
            # Back-dated: asked and answered some days ago.
            answered = link.answered_days_ago
            self._set(
                row,
                created_at=history.at(self.days_ago(link.asked_days_ago), 9, 30),
                responded_by=responder if answered is not None else None,
                responded_at=history.at(self.days_ago(answered), 11) if answered else None,
            )

    # influence -----------------------------------------------------------------------------------

    def seed_stakeholders(self) -> None:
        """The stakeholder maps, through the services: each stakeholder as first mapped, then
        its contacts in their order (each moves the stance and the plan on), then the next
        contact the story has planned."""
        for spec in self.demo.stakeholders:
            own = spec.map.removeprefix("own:") if spec.map.startswith("own:") else None
            mission = None if own else self.missions[spec.map]
            keeper = self.users[own] if own else self.owner_user(self.demo.mission(spec.map))
            first_stance = spec.contacts[0].stance_after if spec.contacts else spec.stance
            row = stakeholder_create(
                actor=self.actor(keeper),
                mission=mission,
                data={
                    "member": self.users[spec.member] if spec.member else None,
                    "name": spec.name,
                    "why": spec.why,
                    "interests": spec.interests,
                    "influence": spec.influence,
                    "interest": spec.interest,
                    "stance": first_stance,
                    "desired_stance": spec.desired_stance,
                    "message": spec.message,
                    "channel": spec.channel,
                    "cadence_days": spec.cadence_days,
                    "plan_owner": self.users[spec.plan_owner],
                },
            )
            for contact in spec.contacts:
                contact_log(
                    actor=self.actor(self.users[contact.by]),
                    stakeholder=row,
                    data={
                        "contacted_on": self.days_ago(contact.days_ago),
                        "channel": contact.channel,
                        "note": contact.note,
                        "stance_after": contact.stance_after,
                    },
                )
            stakeholder_update(
                actor=self.actor(keeper),
                stakeholder=row,
                data={
                    "stance": spec.stance,
                    "next_contact_on": self.today + dt.timedelta(days=spec.next_contact_in),
                },
            )
            self.stats["stakeholders created"] += 1

    def seed_challenges(self) -> None:
        """Challenges to priorities, through the services, back-dated to when they were raised
        and answered; the answer is given by whoever answers for the mission above."""
        for spec in self.demo.challenges:
            mission = self.missions[spec.mission]
            row = challenge_raise(
                actor=self.actor(self.users[spec.raised_by]),
                mission=mission,
                data={
                    "kind": spec.kind,
                    "statement": spec.statement,
                    "other_mission": (
                        self.missions[spec.other_mission] if spec.other_mission else None
                    ),
                },
            )
            self._set(row, created_at=history.at(self.days_ago(spec.days_ago), 10))
            if spec.outcome:
                [answerer] = challenge_answerers(mission)
                challenge_answer(
                    actor=self.actor(answerer),
                    challenge=row,
                    data={"outcome": spec.outcome, "answer": spec.answer},
                )
                self._set(row, answered_at=history.at(self.days_ago(spec.answered_days_ago), 15))
            self.stats["challenges to priorities raised"] += 1

    def seed_learning_groups(self) -> None:
        """Action learning groups with their sessions and notes, through the services, the
        notes back-dated to their session."""
        for spec in self.demo.learning_groups:
            facilitator = self.actor(self.users[spec.facilitator])
            group = learning_group_create(
                actor=facilitator,
                data={
                    "name": spec.name,
                    "purpose": spec.purpose,
                    "facilitator": facilitator.user,
                    "members": [self.users[m] for m in spec.members],
                },
            )
            for session_spec in spec.sessions:
                held_on = self.days_ago(session_spec["days_ago"])
                session = learning_session_create(
                    actor=facilitator,
                    group=group,
                    data={"held_on": held_on, "topic": session_spec["topic"]},
                )
                for note in session_spec["notes"]:
                    row = session_note_write(
                        actor=self.actor(self.users[note["by"]]), session=session, body=note["body"]
                    )
                    self._set(row, created_at=history.at(held_on, 17))
            self.stats["action learning groups created"] += 1

    def seed_recognitions(self) -> None:
        """Peer recognition, through the service, back-dated to when it was given."""
        for spec in self.demo.recognitions:
            row = recognition_give(
                actor=self.actor(self.users[spec.by]),
                data={
                    "receiver": self.users[spec.of],
                    "behaviour": spec.behaviour,
                    "story": spec.story,
                },
            )
            self._set(row, created_at=history.at(self.days_ago(spec.days_ago), 16))
            self.stats["recognitions given"] += 1

    def seed_innovation(self) -> None:
        """Innovation challenges and their ideas, through the services: opened, ideas
        submitted, supported, commented on, shortlisted and taken forward; then back-dated
        (a challenge is opened with a date from today on, and takes ideas until it)."""
        for spec in self.demo.innovation:
            opened_on = self.days_ago(spec.days_ago)
            opener = self.actor(self.users[spec.opened_by])
            challenge = innovation_open(
                actor=opener,
                mission=self.missions[spec.mission],
                data={
                    "question": spec.question,
                    "detail": spec.detail,
                    "closes_on": self.today,
                    "teams": [self.teams[key] for key in spec.teams],
                },
            )
            for n, idea_spec in enumerate(spec.ideas):
                self._seed_idea(challenge, idea_spec, opener, opened_on + dt.timedelta(days=n + 1))
            self._set(
                challenge,
                created_at=history.at(opened_on, 9),
                closes_on=opened_on + dt.timedelta(days=spec.open_days),
            )
            # The invitations as they were sent; read, once the challenge has closed.
            Notification.objects.filter(
                kind=Notification.Kind.IDEAS_INVITED, url=challenge.get_absolute_url()
            ).update(
                message=ideas_invited_message(challenge),
                created_at=challenge.created_at,
                read_at=None if challenge.accepts_ideas(self.today) else challenge.created_at,
            )
            self.stats["innovation challenges opened"] += 1

    def _seed_idea(self, challenge: Any, spec: Any, opener: Actor, on: dt.date) -> None:
        first, *others = (self.users[name] for name in spec.authors)
        idea = idea_submit(
            actor=self.actor(first),
            challenge=challenge,
            data={"title": spec.title, "description": spec.description, "co_authors": others},
        )
        self._set(idea, created_at=history.at(on, 11))
        for name in spec.supporters:
            idea_support(actor=self.actor(self.users[name]), idea=idea)
        for comment in spec.comments:
            idea_comment(
                actor=self.actor(self.users[comment["by"]]), idea=idea, body=comment["body"]
            )
        if spec.shortlisted:
            idea_shortlist(actor=opener, idea=idea)
        if spec.key_task:
            make = key_task_from_idea(
                actor=opener,
                data={
                    "title": spec.key_task,
                    "owner": self.users[spec.key_task_owner],
                    "due_date": self.today + dt.timedelta(days=spec.key_task_due_in),
                },
            )
            idea_adopt(actor=opener, idea=idea, make=make)
        self.stats["ideas submitted"] += 1

    def seed_development(self) -> None:
        """Development plans, through the services: the aspiration, goals, evidence noted and
        reviews held (back-dated), then the review still asked of someone."""
        for spec in self.demo.development:
            person = self.actor(self.users[spec.person])
            plan = development_plan_of(actor=person)
            development_plan_update(actor=person, plan=plan, data={"aspiration": spec.aspiration})
            for goal_spec in spec.goals:
                goal = development_goal_add(
                    actor=person,
                    plan=plan,
                    data={
                        "behaviour": goal_spec["behaviour"],
                        "goal": goal_spec["goal"],
                        "actions": goal_spec.get("actions", ""),
                        "target_on": self.today + dt.timedelta(days=goal_spec["by_in"]),
                    },
                )
                for seen in goal_spec.get("evidence", ()):
                    evidence = development_evidence_add(
                        actor=self.actor(self.users[seen["by"]]),
                        goal=goal,
                        data={"observed_on": self.days_ago(seen["days_ago"]), "note": seen["note"]},
                    )
                    self._set(evidence, created_at=history.at(evidence.observed_on, 17))
            for held in spec.reviews:
                review = development_review_hold(
                    actor=self.actor(self.users[held["by"]]),
                    plan=plan,
                    data={"held_on": self.days_ago(held["days_ago"]), "note": held["note"]},
                )
                self._set(review, created_at=history.at(review.held_on, 16))
            if spec.review_asked_of:
                development_review_ask(
                    actor=person, plan=plan, reviewer=self.users[spec.review_asked_of]
                )
            self.stats["development plans written"] += 1

    def actor(self, user: Any) -> Actor:
        found = actor_for(user, self.organisation)
        assert found is not None, f"{user} is a member of the demo organisation"
        return found

    # reviews -------------------------------------------------------------------------------------

    def seed_reviews(self) -> None:
        # Reviews only of the missions in play: a draft or a sent-back mission has none, as the
        # review sweep gives it none.
        in_play = set(
            MissionRow.objects.filter(organisation=self.organisation)
            .in_play()
            .values_list("pk", flat=True)
        )
        new = []
        for spec in self.demo.missions:
            mission = self.missions[spec.key]
            if spec.review == "none" or mission.pk not in in_play:
                continue
            held_by = self.owner_user(spec)
            plan = history.review_plan(self.story, self.year_start, self.today, spec)
            for due, held in plan:
                review = Review(
                    organisation_id=mission.organisation_id,
                    mission=mission,
                    due_date=due,
                    status=Review.Status.SCHEDULED,
                )
                if held:
                    note = history.review_notes(self.story, spec, due)
                    review.status = Review.Status.DONE
                    review.held_on = history.held_on(spec, due, self.today)
                    review.held_by = held_by
                    review.summary, review.working = note.summary, note.working
                    review.not_working, review.changes = note.not_working, note.changes
                    review.still_aligned = True
                new.append(review)
            upcoming = [due for due, held in plan if not held]
            self._set(mission, next_review_due=upcoming[0] if upcoming else None)
        Review.objects.bulk_create(new, batch_size=500)
        self.stats["reviews created"] += len(new)

    # the trend ------------------------------------------------------------------------------------

    def seed_past_snapshots(self) -> None:
        """The alignment snapshots of the days before today (``missions.demo.past``), once
        today's checks have run: the dashboards' 90-day trend."""
        rows = past.past_snapshots(organisation=self.organisation, today=self.today)
        AlignmentSnapshot.objects.bulk_create(rows, batch_size=500)
        self.stats["alignment snapshots created"] += len(rows)
        for day in sorted({row.run_date for row in rows}):  # each team with its sub-teams
            roll_up_day(organisation_id=self.organisation.pk, day=day)
