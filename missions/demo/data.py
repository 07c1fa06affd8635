"""The demo organisation as the TOML files of this directory describe it.

``load()`` reads them once into plain, frozen records (``load_partner()`` the coalition
partner's, ``load_coalition()`` the coalition of the two); what each field means is written at
the top of the files themselves. Nothing here touches the database, and nothing here knows the day
the demo is built: dates in the files are counted from it (``due_in_days``, ``asked_days_ago``)
and turned into dates by the seeder. A key the loader does not know stops it, so a typo in a
file is an error rather than a default silently taken.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Read in this order: a mission comes after the mission it serves.
MISSION_FILES = (
    "missions-organisation.toml",
    "missions-directorates.toml",
    "missions-teams.toml",
    "missions-individuals.toml",
)
# The demo's coalition partner: the organisation, its missions and links in one file.
PARTNER_FILE = "council.toml"


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    parent: str | None
    leader: str  # a username


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    team: str | None  # a team key; none for coaches and the admin
    role: str  # a Membership.Role value
    title: str


@dataclass(frozen=True)
class Coaching:
    coach: str  # a username
    team: str | None  # a team key; none: the whole organisation


@dataclass(frozen=True)
class Kpi:
    """A KPI and the story its check-ins tell (``trend``, one of story.toml's)."""

    name: str
    unit: str
    direction: str  # a Kpi.Direction value
    baseline: Decimal
    target: Decimal
    target_max: Decimal | None
    cadence_days: int
    trend: str
    parent: str | None  # the name of the parent mission's KPI it contributes to
    decimals: int
    weight: Decimal
    stale: bool  # check-ins stopped two months ago


@dataclass(frozen=True)
class Task:
    """A key task, due so many days from the day the demo is built."""

    title: str
    due_in_days: int
    status: str
    owner: str | None  # a username; none: the mission's owner (or owner team's leader)


@dataclass(frozen=True)
class Mission:
    key: str
    level: str  # a Mission.Level value
    team: str | None  # the owner team's key (organisation and team missions)
    person: str | None  # the owner's username (individual missions)
    parent: str | None  # a mission key
    title: str
    statement: str
    intent: str
    scope: str
    budget: int | None
    headcount: int | None
    constraints: str
    free: tuple[str, ...]
    consult: tuple[str, ...]
    must_not: tuple[str, ...]
    alignment: str  # a Mission.AlignmentStatus value
    send_back_comment: str
    review: str  # regular | overdue | none
    period_months: tuple[int, int]  # from the start of the plan year
    kpis: tuple[Kpi, ...]
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Link:
    """An interdependency, asked and answered so many days before the demo is built."""

    from_mission: str
    to_mission: str
    kind: str
    description: str
    status: str
    asked_days_ago: int
    answered_days_ago: int | None


@dataclass(frozen=True)
class Contact:
    days_ago: int
    channel: str
    by: str
    stance_after: int
    note: str


@dataclass(frozen=True)
class Stakeholder:
    """Someone on a map (``map``: a mission key, or ``own:<username>`` for a leader's own),
    with the plan to reach them and the contacts made so far."""

    map: str
    why: str
    interests: str
    influence: int
    interest: int
    stance: int
    desired_stance: int
    message: str
    channel: str
    cadence_days: int
    plan_owner: str
    next_contact_in: int
    contacts: tuple[Contact, ...]
    name: str = ""
    member: str = ""


@dataclass(frozen=True)
class Challenge:
    """A challenge to a mission's priorities, raised so many days before the demo is built,
    and answered when ``outcome`` is given."""

    mission: str
    kind: str
    statement: str
    raised_by: str
    days_ago: int
    other_mission: str = ""
    outcome: str = ""
    answer: str = ""
    answered_days_ago: int = 0


@dataclass(frozen=True)
class IdeaSpec:
    """An idea of a challenge: its authors (who submitted it first), who supports it, its
    comments (``{by, body}``), and what came of it: on the shortlist, or taken forward as the
    key task ``key_task`` of the challenge's mission."""

    title: str
    description: str
    authors: tuple[str, ...]
    supporters: tuple[str, ...] = ()
    comments: tuple[dict[str, str], ...] = ()
    shortlisted: bool = False
    key_task: str = ""
    key_task_owner: str = ""
    key_task_due_in: int = 30


@dataclass(frozen=True)
class InnovationSpec:
    """An innovation challenge opened ``days_ago`` on a mission, for ``teams`` (none: the
    whole organisation), taking ideas for ``open_days``."""

    mission: str
    opened_by: str
    question: str
    detail: str
    days_ago: int
    open_days: int
    teams: tuple[str, ...] = ()
    ideas: tuple[IdeaSpec, ...] = ()


@dataclass(frozen=True)
class DevelopmentSpec:
    """A person's development plan: ``goals`` (each ``{behaviour, goal, actions, by_in,
    evidence: [{by, days_ago, note}]}``), ``reviews`` held (``{by, days_ago, note}``) and the
    review still asked of someone, if any."""

    person: str
    aspiration: str
    goals: tuple[dict[str, Any], ...] = ()
    reviews: tuple[dict[str, Any], ...] = ()
    review_asked_of: str = ""


@dataclass(frozen=True)
class LearningGroup:
    """An action learning group: its people (``facilitator`` first), and its sessions, each
    ``{days_ago, topic, notes: [{by, body}]}``."""

    name: str
    purpose: str
    facilitator: str
    members: tuple[str, ...]
    sessions: tuple[dict, ...]


@dataclass(frozen=True)
class Recognition:
    by: str
    of: str
    behaviour: str
    story: str
    days_ago: int


@dataclass(frozen=True)
class Trend:
    """The story a KPI's check-ins tell: ``shape`` is (t, share) knots, ``t`` the story's time
    (``history.story_time``: 0.5 the day the demo is built, in years) and ``share`` the way made
    from the baseline to the target (to the middle of a range), straight between knots;
    ``comments`` are said in their order along the history."""

    shape: tuple[tuple[float, float], ...]
    confidence: int
    comments: tuple[str, ...]


@dataclass(frozen=True)
class ReviewNote:
    summary: str
    working: str
    not_working: str
    changes: str


@dataclass(frozen=True)
class Story:
    """How the history of check-ins and reviews is drawn."""

    grid_epoch: dt.date
    history_days: int
    review_step_days: int
    noise: float  # a check-in's scatter around its story, as a share of the way to the target
    grid_step_days: dict[int, int]  # a KPI's cadence -> its step on the grid
    trends: dict[str, Trend]
    review_notes: tuple[ReviewNote, ...]


@dataclass(frozen=True)
class Demo:
    slug: str
    name: str
    review_cadence_days: int
    max_active_missions: int
    likely_miss_below: float
    password: str
    email_domain: str
    logins: tuple[str, ...]
    vision: dict[str, str]
    teams: tuple[Team, ...]
    people: tuple[Person, ...]
    coaching: tuple[Coaching, ...]
    missions: tuple[Mission, ...]
    links: tuple[Link, ...]
    stakeholders: tuple[Stakeholder, ...]
    challenges: tuple[Challenge, ...]
    learning_groups: tuple[LearningGroup, ...]
    recognitions: tuple[Recognition, ...]
    innovation: tuple[InnovationSpec, ...]
    development: tuple[DevelopmentSpec, ...]
    story: Story

    @property
    def ceo(self) -> str:
        """The username of the top team's leader (the top team comes first)."""
        return self.teams[0].leader

    def mission(self, key: str) -> Mission:
        return next(mission for mission in self.missions if mission.key == key)


@dataclass(frozen=True)
class CoalitionMission:
    key: str
    title: str
    intent: str
    written_by: str  # a username of a member


@dataclass(frozen=True)
class Invitation:
    """A member invited by ``invited_by`` (a username of the convener) and joined by
    ``answered_by`` (one of its own leaders)."""

    member: str  # an organisation's slug
    invited_by: str
    answered_by: str


@dataclass(frozen=True)
class Contribution:
    """A member's own mission (``mission``, a key of its missions) offered by ``offered_by`` to
    the coalition's mission ``to``; aligned by ``aligned_by`` (a leader of another member), or,
    with none, still waiting in the other members' leaders' inboxes."""

    key: str
    to: str  # a coalition mission's key
    member: str  # an organisation's slug
    mission: str
    how: str
    offered_by: str
    aligned_by: str = ""


@dataclass(frozen=True)
class CoalitionLink:
    """What one aligned contribution needs from another member's, noted by ``by``."""

    contribution: str
    depends_on: str
    description: str
    by: str


@dataclass(frozen=True)
class Coalition:
    """A coalition of the demo organisations (coalition.toml)."""

    name: str
    purpose: str
    convened_by: str  # an organisation's slug
    formed_by: str  # a username of the convener's
    invitations: tuple[Invitation, ...]
    missions: tuple[CoalitionMission, ...]
    contributions: tuple[Contribution, ...]
    links: tuple[CoalitionLink, ...]


# --- reading -------------------------------------------------------------------------------------


def _read(name: str) -> dict[str, Any]:
    with (HERE / name).open("rb") as file:
        return tomllib.load(file)


def _fields(table: dict[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    missing = required - table.keys()
    unknown = table.keys() - required - optional
    if missing or unknown:
        raise ValueError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")


def _decimal(value: int | float) -> Decimal:
    # str() of a TOML number is the number as written (56.4 stays 56.4, not its binary value).
    return Decimal(str(value))


def _kpi(table: dict[str, Any], where: str) -> Kpi:
    _fields(
        table,
        where,
        {"name", "unit", "direction", "baseline", "target"},
        {"target_max", "cadence_days", "trend", "parent", "decimals", "weight", "stale"},
    )
    target_max = table.get("target_max")
    return Kpi(
        name=table["name"],
        unit=table["unit"],
        direction=table["direction"],
        baseline=_decimal(table["baseline"]),
        target=_decimal(table["target"]),
        target_max=_decimal(target_max) if target_max is not None else None,
        cadence_days=table.get("cadence_days", 30),
        trend=table.get("trend", "on"),
        parent=table.get("parent"),
        decimals=table.get("decimals", 1),
        weight=_decimal(table.get("weight", 1)),
        stale=table.get("stale", False),
    )


def _task(table: dict[str, Any], where: str) -> Task:
    _fields(table, where, {"title", "due_in_days"}, {"status", "owner"})
    return Task(
        title=table["title"],
        due_in_days=table["due_in_days"],
        status=table.get("status", "todo"),
        owner=table.get("owner"),
    )


MISSION_OPTIONAL = {
    "team",
    "person",
    "parent",
    "scope",
    "budget",
    "headcount",
    "constraints",
    "free",
    "consult",
    "must_not",
    "alignment",
    "send_back_comment",
    "review",
    "period_months",
    "kpis",
    "tasks",
}


def _mission(table: dict[str, Any], where: str) -> Mission:
    _fields(table, where, {"key", "level", "title", "statement", "intent"}, MISSION_OPTIONAL)
    where = f"{where} {table['key']}"
    owner, other = ("person", "team") if table["level"] == "individual" else ("team", "person")
    if owner not in table or other in table:
        raise ValueError(f"{where}: a mission of this level is owned by a {owner} alone")
    start, end = table.get("period_months", (0, 12))
    return Mission(
        key=table["key"],
        level=table["level"],
        team=table.get("team"),
        person=table.get("person"),
        parent=table.get("parent"),
        title=table["title"],
        statement=table["statement"],
        intent=table["intent"],
        scope=table.get("scope", ""),
        budget=table.get("budget"),
        headcount=table.get("headcount"),
        constraints=table.get("constraints", ""),
        free=tuple(table.get("free", ())),
        consult=tuple(table.get("consult", ())),
        must_not=tuple(table.get("must_not", ())),
        alignment=table.get("alignment", "aligned"),
        send_back_comment=table.get("send_back_comment", ""),
        review=table.get("review", "regular"),
        period_months=(start, end),
        kpis=tuple(_kpi(kpi, f"{where} KPI") for kpi in table.get("kpis", ())),
        tasks=tuple(_task(task, f"{where} task") for task in table.get("tasks", ())),
    )


def _link(table: dict[str, Any], where: str) -> Link:
    _fields(
        table,
        where,
        {"from", "to", "kind", "description", "status", "asked_days_ago"},
        {"answered_days_ago"},
    )
    return Link(
        from_mission=table["from"],
        to_mission=table["to"],
        kind=table["kind"],
        description=table["description"],
        status=table["status"],
        asked_days_ago=table["asked_days_ago"],
        answered_days_ago=table.get("answered_days_ago"),
    )


def _trend(table: dict[str, Any], where: str) -> Trend:
    _fields(table, where, {"shape", "confidence", "comments"}, set())
    shape = tuple((float(t), float(share)) for t, share in table["shape"])
    ts = [t for t, _share in shape]
    if ts[0] != 0 or ts != sorted(set(ts)):
        raise ValueError(f"{where}: the shape starts at 0 and goes forward in time")
    return Trend(shape=shape, confidence=table["confidence"], comments=tuple(table["comments"]))


def _story(data: dict[str, Any]) -> Story:
    calendar = data["calendar"]
    trends = {
        name: _trend(trend, f"story.toml trend {name}") for name, trend in data["trends"].items()
    }
    return Story(
        grid_epoch=calendar["grid_epoch"],
        history_days=calendar["history_days"],
        review_step_days=calendar["review_step_days"],
        noise=calendar["noise"],
        grid_step_days={int(k): v for k, v in calendar["grid_step_days"].items()},
        trends=trends,
        review_notes=tuple(ReviewNote(**note) for note in data["review_notes"]),
    )


def _innovation(challenge: dict[str, Any]) -> InnovationSpec:
    ideas = tuple(
        IdeaSpec(
            **{
                **idea,
                "authors": tuple(idea["authors"]),
                "supporters": tuple(idea.get("supporters", ())),
                "comments": tuple(idea.get("comments", ())),
            }
        )
        for idea in challenge.get("ideas", ())
    )
    return InnovationSpec(**{**challenge, "teams": tuple(challenge["teams"]), "ideas": ideas})


@functools.cache
def load() -> Demo:
    """The demo organisation, read from the files of this directory (once per process)."""
    org = _read("organisation.toml")
    missions = [
        _mission(mission, name)
        for name in MISSION_FILES
        for mission in _read(name).get("missions", ())
    ]
    links = _read("interdependencies.toml").get("interdependencies", ())
    return _demo(
        org,
        missions,
        links,
        stakeholders=tuple(
            Stakeholder(**{**s, "contacts": tuple(Contact(**c) for c in s.get("contacts", ()))})
            for s in _read("stakeholders.toml").get("stakeholders", ())
        ),
        challenges=tuple(Challenge(**c) for c in _read("challenges.toml").get("challenges", ())),
        learning_groups=tuple(
            LearningGroup(**{**g, "members": tuple(g["members"]), "sessions": tuple(g["sessions"])})
            for g in _read("learning.toml").get("groups", ())
        ),
        recognitions=tuple(
            Recognition(**r) for r in _read("recognition.toml").get("recognitions", ())
        ),
        innovation=tuple(_innovation(c) for c in _read("innovation.toml").get("innovation", ())),
        development=tuple(
            DevelopmentSpec(
                **{**p, "goals": tuple(p.get("goals", ())), "reviews": tuple(p.get("reviews", ()))}
            )
            for p in _read("development.toml").get("plans", ())
        ),
    )


@functools.cache
def load_partner() -> Demo:
    """The demo's coalition partner, the county council (council.toml: the organisation, its
    missions and links in one file; its check-ins drawn as the demo's, from story.toml)."""
    org = _read(PARTNER_FILE)
    missions = [_mission(mission, PARTNER_FILE) for mission in org.get("missions", ())]
    return _demo(org, missions, org.get("interdependencies", ()))


@functools.cache
def load_coalition() -> Coalition:
    """The coalition the demo organisation convenes with its partner (coalition.toml)."""
    data = _read("coalition.toml")
    head = data["coalition"]
    return Coalition(
        name=head["name"],
        purpose=head["purpose"].strip(),
        convened_by=head["convened_by"],
        formed_by=head["formed_by"],
        invitations=tuple(Invitation(**row) for row in data["invitations"]),
        missions=tuple(
            CoalitionMission(**{**row, "intent": row["intent"].strip()}) for row in data["missions"]
        ),
        contributions=tuple(
            Contribution(**{**row, "how": row["how"].strip()}) for row in data["contributions"]
        ),
        links=tuple(CoalitionLink(**row) for row in data.get("links", ())),
    )


def _demo(
    org: dict[str, Any],
    missions: list[Mission],
    links: Any,
    **extras: Any,
) -> Demo:
    """An organisation of the demo from its file's tables, its missions and links; ``extras``
    (stakeholders, challenges, ...) default to none."""
    head = org["organisation"]
    story = _story(_read("story.toml"))
    for mission in missions:
        for kpi in mission.kpis:
            if kpi.trend not in story.trends:
                raise ValueError(f"{mission.key} KPI {kpi.name!r}: no trend {kpi.trend!r}")
    defaults: dict[str, Any] = {
        "stakeholders": (),
        "challenges": (),
        "learning_groups": (),
        "recognitions": (),
        "innovation": (),
        "development": (),
    }
    return Demo(
        slug=head["slug"],
        name=head["name"],
        review_cadence_days=head["review_cadence_days"],
        max_active_missions=head["max_active_missions"],
        likely_miss_below=float(head.get("likely_miss_below", 0.3)),
        password=head["password"],
        email_domain=head["email_domain"],
        logins=tuple(head["logins"]),
        vision=dict(org["vision"]),
        teams=tuple(Team(**{"parent": None, **t}) for t in org["teams"]),
        people=tuple(Person(**{"team": None, **p}) for p in org["people"]),
        coaching=tuple(Coaching(**{"team": None, **c}) for c in org.get("coaching", ())),
        missions=tuple(missions),
        links=tuple(_link(link, "interdependencies") for link in links),
        story=story,
        **{**defaults, **extras},
    )
