"""Schemathesis hooks for `make fuzz` (loaded through SCHEMATHESIS_HOOKS).

A schema-valid request must be accepted, unless it breaks a rule that OpenAPI cannot state.
schemathesis.toml lets such requests be refused with 400 (`positive_data_acceptance`); the check
below then holds every 400 on schema-valid data to this list: each message of the answer must be
one of the rules here, each with the reason the schema cannot say it. Anything else, a message
nobody listed, is a disagreement between the schema and the API, and fails the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import schemathesis

RULES_THE_SCHEMA_CANNOT_STATE = {
    # An id is an integer to the schema; whether it names one of the caller's objects is known
    # only to the server (another organisation's id answers exactly like a missing one).
    "unknown id": r'^Invalid pk "[^"]*" - object does not exist\.$',
    # OpenAPI has no bounds for a `date` string: plans lie in 2000–2100.
    "date range": r"^Give a date (from 1 Jan 2000 on|up to 31 Dec 2100)\.$",
    # "Today" moves, and depends on the organisation's time zone: a check-in is not dated ahead.
    "not in the future": r"^(The date|A review) cannot be (held )?in the future\.$",
    # Names unique in an organisation (a team's): which are taken is the server's to know.
    "unique name": r"must make a unique set\.$",
    # Text made only of spaces is empty once trimmed.
    "blank text": r"^This field may not be blank\.$",
    # Rules across fields, and the database constraints that state them (missions.models).
    "period order": r"^The period must end after it starts\.$",
    "owner and level": (
        r"^(An individual mission (is owned by a person|has no owner team)"
        r"|A team or organisation mission is owned by a team"
        r"|Only an individual mission is owned by a person)"
    ),
    "top of the cascade": r"^An organisation mission is the top of the cascade",
    # A mission runs for one of the organisation's periods or for its own dates: one of the
    # two, and the period of the mission's own organisation.
    "a period or its dates": (
        r"^(Give the date, or a period|That period belongs to another organisation)\.$"
    ),
    "a link between two missions": r"^A mission cannot be linked to itself\.$",
    # A KPI's target range: an upper bound for a range, and for nothing else.
    "target range": r"^(A range needs an upper bound|Only a range has an upper bound|The upper "
    r"bound must not be below the target)",
    # Whether a username and password match is the server's to know.
    "credentials": r"^Unable to log in with provided credentials\.$",
    # The operating space cascades: a child's deadline, budget and headcount fit in what the
    # parent has left, which depends on the parent's other children.
    "inside the parent's space": (
        r"^The (deadline is after the parent mission's|parent mission's .* is left for this one)"
    ),
    # Who may own a mission depends on the caller's teams and the parent's owner.
    "who may own": r"^Choose (a team you lead|yourself)",
    # With more than one organisation, a new object must say which (the schema has it optional).
    "which organisation": r"^Say which organisation",
    # A stakeholder is a member or a named person or group: one of two fields, either.
    "a stakeholder named": r"^Name the person or group, or choose a member\.$",
    # Membership and organisation of the people and mission an id names: the server's to know.
    "of the organisation": (
        r"^Choose (a member of this organisation|a mission of the stakeholder's organisation)\.$"
    ),
    # A conflict names the other mission; one mission does not conflict with itself.
    "the conflicting mission": (
        r"^(Say which mission this one conflicts with|A mission does not conflict with itself"
        r"|Choose a mission of this organisation)\.$"
    ),
    # An action learning group's people: the facilitator with the members, each counted once,
    # four to eight of them, the caller among them.
    "a group's people": (
        r"^(A group is 4 to 8 people, its facilitator included"
        r"|A group is for its people: be its facilitator or one of them"
        r"|Choose members of this organisation)\.$"
    ),
    # Recognition is of a colleague: not of oneself (the schema does not know who calls).
    "a colleague": r"^Recognise a colleague, not yourself\.$",
    # A stakeholder's map is chosen once, when it is made.
    "the map it is on": r"^A stakeholder stays on the map it was put on\.$",
    # Innovation: a challenge closes from today on ("today" moves); its teams, an idea's
    # co-authors and the mission an idea becomes belong to the organisation and sit where
    # the server knows; one takes an idea forward as one thing; authors do not support their
    # own idea (the schema does not know who calls).
    "innovation": (
        r"^(Give a date from today on|Choose teams of this organisation"
        r"|Choose a mission right under the challenge's|That mission was taken from another idea"
        r"|Give a key_task or a child_mission, one of the two"
        r"|An idea stays in the challenge it was submitted to"
        r"|Authors are named when the idea is submitted"
        r"|Support a colleague's idea: yours carries your name already)\.$"
    ),
    # Development plans: a plan stays in its organisation; evidence is of one of its goals;
    # a review is asked of the person's team leader or a coach of theirs (the server's to know).
    "development": (
        r"^(A plan stays in its organisation|Choose a goal of this plan"
        r"|Choose the leader of your team or a coach of it)\.$"
    ),
    # Coalitions: which organisation an address names, and whether it is in the coalition
    # already, are the server's to know; a mission offered is one the caller may edit, not
    # archived, not offered to that mission already; declining says why (one field's value
    # decides whether another may be blank).
    "coalitions": (
        r"^(No organisation has that address|.+ is (invited|member) already"
        r"|Choose a mission of yours|An archived mission contributes nothing"
        r"|This mission is already offered to that mission"
        r"|Say why, so the member can offer a better one)\.$"
    ),
    # A comment is on one thing: a mission, a KPI, a key task, a review, or the comment it
    # answers (OpenAPI 3.0 cannot say "exactly one of"); it stays where it was written; a
    # removed comment takes no replies, an old one no corrections.
    "comments": (
        r"^(Give one of mission, kpi, key_task, review or parent"
        r"|A comment stays where it was written"
        r"|This comment was removed: it takes no more replies"
        r"|A comment can be corrected for \d+ minutes after it is written: write another one"
        r" instead)\.$"
    ),
    # Integrations: an address is one we send to (http or https; whether its host is public
    # is known when it is sent to); with more than one organisation administered, which one.
    "integrations": (
        r"^(The address starts with https:// \(or http://\)|Enter a valid URL"
        r"|Say which organisation to add it to)\.$"
    ),
}
_ALLOWED = [re.compile(pattern) for pattern in RULES_THE_SCHEMA_CANNOT_STATE.values()]


def _messages(errors: Any) -> Iterator[str]:
    if isinstance(errors, str):
        yield errors
    elif isinstance(errors, list):
        for item in errors:
            yield from _messages(item)
    elif isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)


@schemathesis.check
def refused_only_for_rules_the_schema_cannot_state(ctx: Any, response: Any, case: Any) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    try:
        errors = response.json()
    except ValueError:
        raise AssertionError("A 400 that is not JSON") from None
    unexplained = [m for m in _messages(errors) if not any(p.search(m) for p in _ALLOWED)]
    if unexplained:
        raise AssertionError(
            "Schema-valid data refused for a rule the schema does not state: "
            + "; ".join(sorted(set(unexplained))[:5])
        )
