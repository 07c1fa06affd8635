"""Who may do what, on every route: a matrix generated from the URL configuration.

Every route the resolver knows (web pages and API) must have a row in ``ROUTES``: a new route
without one fails ``test_every_route_has_a_row``. A row names the objects its URL is built from
and, for each method it answers, what each persona gets:

    OK          2xx or 3xx (a redirect, but not to the log-in page)
    WRITE       OK, 400 or 409: a write sent with an empty body may be refused as bad input,
                or by the state of its object (a draft cannot be aligned)
    FORBIDDEN   403: a member without the right
    NOT_FOUND   404: someone outside the organisation, or someone else's object
    LOGIN       anonymous: 302 to the log-in page (web) or 401 (API)

The personas are those of ``tests/conftest.py``: in "acme", ``ceo`` leads the top team and owns
``org_mission``; ``lead`` leads Operations and owns ``team_mission`` (so is ``staff``'s boss);
``staff`` owns ``staff_mission``; ``coach`` coaches the whole organisation; ``admin`` is its
organisation admin. ``outsider`` leads another organisation. The objects of ``api_world`` (a
KPI, key task, link, review, finding, notification) hang off ``staff_mission``; its coalition
joins "acme" and the outsider's organisation as peers, so through the API (which is not under
one organisation's address) the outsider is a member of it.

Each request runs in a savepoint that is rolled back, so every request sees the same data.
Writes carry empty bodies (``{}`` for the API). The admin site, static files, the schema and
docs, and log-in/log-out/token have tests of their own (tests/test_auth_throttling.py,
tests/test_api_schema.py) and are left out here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kernel.preferences import unsubscribe_token
from tests.missions.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OK, WRITE, FORBIDDEN, NOT_FOUND, LOGIN = "ok", "ok or 400", "403", "404", "log-in"
MEMBERS = ("ceo", "lead", "staff", "coach", "admin")
ROLES = (*MEMBERS, "outsider", "anonymous")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

Expect = dict[str, str]


def only(roles: str, *, write: bool = False, outsider: str = NOT_FOUND) -> Expect:
    """``roles`` get through (a write may answer 400); the other members get 403, the
    outsider ``outsider`` (404: the object is not theirs to know of), anonymous the log-in."""
    allowed = roles.split()
    granted = WRITE if write else OK
    row = {role: granted if role in allowed else FORBIDDEN for role in MEMBERS}
    return {**row, "outsider": outsider, "anonymous": LOGIN}


def nobody_but(roles: str, *, write: bool = False) -> Expect:
    """``roles`` get through; everyone else signed in gets 404 (someone else's object)."""
    row = only(roles, write=write)
    return {role: NOT_FOUND if value == FORBIDDEN else value for role, value in row.items()}


def everyone(*, write: bool = False) -> Expect:
    """Every member, and the outsider too: a list limited to one's own organisations, or a
    write refused as bad input before any object is involved."""
    return only(" ".join(MEMBERS), write=write, outsider=WRITE if write else OK)


def public(*, write: bool = False) -> Expect:
    return dict.fromkeys(ROLES, WRITE if write else OK)


def private(readers: str, allowed: str, *, write: bool = False) -> Expect:
    """An object some members may not know of: ``readers`` see it, and of them ``allowed``
    get through (the other readers 403); the other members and the outsider 404."""
    row = only(allowed, write=write)
    return {
        role: NOT_FOUND if role in MEMBERS and role not in readers.split() else value
        for role, value in row.items()
    }


MEMBER = only(" ".join(MEMBERS))
# SCIM answers an organisation's bearer token only (tests/accounts/test_scim.py): a signed-in
# person's session, whoever they are, is a 401.
NO_TOKEN = dict.fromkeys(ROLES, "401")
# staff_mission: its owner, their boss (lead, owner of the parent), the organisation admin.
EDITORS = "staff lead admin"
# team_mission (the asked side of the link): its owner (lead), the boss (ceo), the admin.
TEAM_EDITORS = "lead ceo admin"
# A stakeholder on staff_mission's map: its keepers (EDITORS) and its plan's owner (ceo).
STAKEHOLDER_READERS = f"{EDITORS} ceo"
# The people of an action learning group: coach (its facilitator), staff and lead.
LEARNERS = "coach staff lead"
# Who reads staff's development plan: staff, the leader of their team (lead), their coach.
DEVELOPERS = "staff lead coach"
# Who speaks for acme in a coalition (``Actor.leads_organisation``): the leader of its top
# team (ceo) and its admin. acme's contribution is of org_mission: ceo and the admin edit it.
SPEAKERS = "ceo admin"

# One row per route: the URL's objects, then per method what each persona gets.
ROUTES: dict[str, dict[str, Any]] = {
    # --- Web pages --------------------------------------------------------------------------
    "home": {"GET": only(" ".join(MEMBERS), outsider=OK)},  # sends each to their organisation
    "healthz": {"GET": public()},
    # The MCP server answers API tokens only: a signed-in browser's session opens nothing
    # (401 to everyone here, whose clients carry a session). Its tools: tests/mcp/.
    "mcp": {"POST": dict.fromkeys(ROLES, "401")},
    "missions:home": {"org": True, "GET": MEMBER},
    "missions:vision": {"org": True, "GET": MEMBER, "POST": only("ceo admin", write=True)},
    "missions:cascade": {"org": True, "GET": MEMBER},
    "missions:cascade-export-csv": {"org": True, "GET": MEMBER},
    "missions:cascade-export-xlsx": {"org": True, "GET": MEMBER},
    "missions:cascade-children": {"org": True, "pk": "org_mission", "GET": MEMBER},
    # Without ?parent= the form writes a top mission: leaders of the top team and admins.
    "missions:create": {
        "org": True,
        "GET": only("ceo admin"),
        "POST": only("ceo admin", write=True),
    },
    "missions:detail": {"org": True, "pk": "staff_mission", "GET": MEMBER},
    "missions:edit": {
        "org": True,
        "pk": "staff_mission",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "missions:archive": {"org": True, "pk": "staff_mission", "POST": only(EDITORS)},
    "missions:carry-over": {
        "org": True,
        "pk": "staff_mission",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    # Proposing is the owner's; aligning and sending back the boss's (and the admin's).
    "missions:propose": {"org": True, "pk": "staff_mission", "POST": only("staff admin")},
    "missions:align": {"org": True, "pk": "staff_mission", "POST": only("lead admin")},
    # Sending back without saying what needs to change is refused as bad input: 400.
    "missions:send-back": {
        "org": True,
        "pk": "staff_mission",
        "POST": only("lead admin", write=True),
    },
    "missions:kpi-create": {"org": True, "pk": "staff_mission", "POST": only(EDITORS)},
    # An empty key task or link comes back on the page with its errors: 400.
    "missions:key-task-create": {
        "org": True,
        "pk": "staff_mission",
        "POST": only(EDITORS, write=True),
    },
    "missions:link-create": {"org": True, "pk": "staff_mission", "POST": only(EDITORS, write=True)},
    "missions:move-item": {"org": True, "pk": "staff_mission", "POST": only(EDITORS)},
    "missions:save-as-template": {
        "org": True,
        "pk": "staff_mission",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "missions:templates": {"org": True, "GET": MEMBER},
    # lead's template: lead and the admin remove it.
    "missions:template-delete": {"org": True, "pk": "mission_template", "POST": only("lead admin")},
    "missions:key-task-update": {"org": True, "pk": "key_task", "POST": only(EDITORS)},
    "missions:key-task-edit": {
        "org": True,
        "pk": "key_task",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    # The link's asking side (staff_mission) corrects what it says; the asked side answers.
    "missions:link-edit": {
        "org": True,
        "pk": "link",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "missions:link-respond": {"org": True, "pk": "link", "POST": only(TEAM_EDITORS)},
    # The pickers' suggestions: every member, of their own organisation only.
    "missions:pick-missions": {"org": True, "GET": MEMBER},
    "missions:pick-people": {"org": True, "GET": MEMBER},
    "missions:pick-teams": {"org": True, "GET": MEMBER},
    # Members' names with their emails: for those who manage the organisation's people.
    "missions:pick-members": {"org": True, "GET": only("admin")},
    "missions:notifications": {"org": True, "GET": MEMBER, "POST": MEMBER},
    "missions:people": {"org": True, "GET": only("admin"), "POST": only("admin", write=True)},
    "missions:org-chart-import": {
        "org": True,
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "missions:team-edit": {
        "org": True,
        "pk": "team",
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "missions:membership-edit": {
        "org": True,
        "pk": "membership",
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "missions:invitation-resend": {"org": True, "pk": "invitation", "POST": only("admin")},
    # Integrations carry the organisation's events out of it: its admins' alone.
    "missions:integrations": {
        "org": True,
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "missions:integration": {
        "org": True,
        "pk": "webhook_endpoint",
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "missions:integration-test": {"org": True, "pk": "webhook_endpoint", "POST": only("admin")},
    "missions:integration-rotate": {
        "org": True,
        "pk": "webhook_endpoint",
        "POST": only("admin"),
    },
    "missions:integration-delete": {
        "org": True,
        "pk": "webhook_endpoint",
        "POST": only("admin"),
    },
    "missions:integration-replay": {
        "org": True,
        "pk": "webhook_delivery",
        "POST": only("admin"),
    },
    "missions:invitation-revoke": {"org": True, "pk": "invitation", "POST": only("admin")},
    "missions:settings": {"org": True, "GET": only("admin"), "POST": only("admin", write=True)},
    # The organisation's SCIM tokens: its admins'. Revoking one by id: the id here is nobody's
    # (tests/accounts/test_scim_pages.py revokes real ones, and another organisation's).
    "provisioning:tokens": {
        "org": True,
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "provisioning:token-revoke": {
        "org": True,
        "kwargs": {"pk": 0},
        "POST": {**only("admin"), "admin": NOT_FOUND},
    },
    "missions:periods": {"org": True, "GET": only("admin"), "POST": only("admin", write=True)},
    # Single sign-on: the organisation's admins set it (tests/accounts/test_sso.py).
    "sso-settings:edit": {
        "org": True,
        "GET": only("admin"),
        "POST": only("admin", write=True),
    },
    "missions:welcome": {"org": True, "GET": only("admin"), "POST": only("admin", write=True)},
    # A person's own account: any signed-in person, whatever their organisation.
    "accounts:profile": {"GET": everyone(), "POST": everyone(write=True)},
    "accounts:email-preferences": {"GET": everyone(), "POST": everyone(write=True)},
    # The link in every notification email and digest: whoever holds it (signed for staff
    # here) may see what it stops and stop it, without logging in; a changed link is a 400
    # (tests/accounts/test_email_preferences.py).
    "accounts:unsubscribe": {"unsubscribe": True, "GET": public(), "POST": public()},
    "password_change": {"GET": everyone(), "POST": everyone(write=True)},
    "password_change_done": {"GET": everyone()},
    # One's own sessions and API tokens. Ending or revoking needs one's own session or token;
    # here the id is nobody's (tests/accounts/test_tokens.py ends and revokes real ones, and
    # shows that someone else's answer 404 too).
    "security:overview": {"GET": everyone()},
    "security:token-revoke": {"kwargs": {"pk": 0}, "POST": nobody_but("")},
    "security:session-end": {"kwargs": {"pk": 0}, "POST": nobody_but("")},
    # Sign-up is closed unless SIGNUP_OPEN (tests/accounts/test_signup.py opens it).
    "accounts:signup": {
        "GET": dict.fromkeys(ROLES, NOT_FOUND),
        "POST": dict.fromkeys(ROLES, NOT_FOUND),
    },
    # The link from an invitation email: whoever holds it may read it and take it up.
    "accounts:invitation": {"token": True, "GET": public(), "POST": public(write=True)},
    "password_reset": {"GET": public(), "POST": public(write=True)},
    # Signing in with one's organisation (tests/accounts/test_browser_sso.py): the form is
    # anyone's (an empty one is a 400); acme has no provider, so its start is a 404; the
    # callback without a sign-in started in this session is a 400.
    "sso:find": {"GET": public(), "POST": public(write=True)},
    "sso:start": {"kwargs": {"org": "acme"}, "GET": dict.fromkeys(ROLES, NOT_FOUND)},
    "sso:callback": {"GET": public(write=True)},
    # SCIM 2.0: an identity provider's, with its organisation's token (tests/accounts/test_scim.py).
    "scim:service-provider-config": {"GET": NO_TOKEN},
    "scim:resource-types": {"GET": NO_TOKEN},
    "scim:resource-type": {"kwargs": {"item_id": "User"}, "GET": NO_TOKEN},
    "scim:schemas": {"GET": NO_TOKEN},
    "scim:schema": {
        "kwargs": {"item_id": "urn:ietf:params:scim:schemas:core:2.0:User"},
        "GET": NO_TOKEN,
    },
    "scim:users": {"GET": NO_TOKEN, "POST": NO_TOKEN},
    "scim:user": {
        "kwargs": {"scim_id": "1"},
        "GET": NO_TOKEN,
        "PUT": NO_TOKEN,
        "PATCH": NO_TOKEN,
        "DELETE": NO_TOKEN,
    },
    "scim:groups": {"GET": NO_TOKEN, "POST": NO_TOKEN},
    "scim:group": {
        "kwargs": {"scim_id": "1"},
        "GET": NO_TOKEN,
        "PUT": NO_TOKEN,
        "PATCH": NO_TOKEN,
        "DELETE": NO_TOKEN,
    },
    "password_reset_done": {"GET": public()},
    "password_reset_confirm": {
        "kwargs": {"uidb64": "MQ", "token": "not-a-token"},
        "GET": public(),
        "POST": public(write=True),
    },
    "password_reset_complete": {"GET": public()},
    "measures:me": {"org": True, "GET": MEMBER},
    "measures:kpi-export-csv": {"org": True, "GET": MEMBER},
    "measures:kpi-export-xlsx": {"org": True, "GET": MEMBER},
    "measures:bulk-check-in": {
        "org": True,
        "GET": MEMBER,
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "measures:check-in-upload": {
        "org": True,
        "GET": MEMBER,
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "measures:kpi": {"org": True, "pk": "kpi", "GET": MEMBER},
    "measures:edit": {
        "org": True,
        "pk": "kpi",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "measures:archive": {"org": True, "pk": "kpi", "POST": only(EDITORS, write=True)},
    "measures:check-in": {"org": True, "pk": "kpi", "POST": only(EDITORS, write=True)},
    "measures:chart": {"org": True, "pk": "kpi", "GET": MEMBER},
    "reviews:list": {"org": True, "GET": MEMBER},
    # One's own weekly brief: every member (a part of the cascade one owns, or an empty one).
    "reviews:brief": {"org": True, "GET": MEMBER},
    # Moving or cancelling a review: whoever may edit its mission (an empty date is a 400).
    "reviews:move": {
        "org": True,
        "pk": "review",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "reviews:cancel": {"org": True, "pk": "review", "POST": only(EDITORS)},
    # One's own calendar feed: every member makes (POST), sees and revokes their own.
    "reviews:calendar": {"org": True, "GET": MEMBER, "POST": MEMBER},
    "reviews:calendar-revoke": {"org": True, "POST": MEMBER},
    # The feed itself: no session, the token is the credential; an unknown one is a 404 for
    # everyone (tests/reviews/test_calendar.py reads real ones, revoked and not).
    "calendar:feed": {"kwargs": {"token": "not-a-feed"}, "GET": dict.fromkeys(ROLES, NOT_FOUND)},
    "reviews:search": {"org": True, "GET": MEMBER},
    # Comments: any member writes on what they see; the author corrects; the author or an
    # admin removes (the comment of ``api_world``, written by staff).
    "reviews:comment-mission": {
        "org": True,
        "pk": "staff_mission",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "reviews:comment-kpi": {"org": True, "pk": "kpi", "POST": only(" ".join(MEMBERS), write=True)},
    "reviews:comment-review": {
        "org": True,
        "pk": "review",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "reviews:comment-reply": {
        "org": True,
        "pk": "comment",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "reviews:comment-edit": {
        "org": True,
        "pk": "comment",
        "GET": only("staff"),
        "POST": only("staff", write=True),
    },
    "reviews:comment-remove": {"org": True, "pk": "comment", "POST": only("staff admin")},
    # A held review's notes corrected: who may edit its mission.
    "reviews:correct": {
        "org": True,
        "pk": "review",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "reviews:detail": {
        "org": True,
        "pk": "review",
        "GET": MEMBER,
        "POST": only(EDITORS, write=True),
    },
    # Staff see the organisation dashboard while the organisation allows it (the default).
    "dashboards:organisation": {"org": True, "GET": MEMBER},
    "dashboards:organisation-export": {"org": True, "GET": MEMBER},
    "dashboards:team": {"org": True, "pk": "team", "GET": MEMBER},
    "dashboards:team-export": {"org": True, "pk": "team", "GET": MEMBER},
    "dashboards:team-print": {"org": True, "pk": "team", "GET": MEMBER},
    "dashboards:heatmap": {"org": True, "GET": MEMBER},
    "dashboards:heatmap-children": {"org": True, "pk": "org_mission", "GET": MEMBER},
    # Everyone reads the notes they may read; only coaches write them.
    "dashboards:coaching": {"org": True, "GET": MEMBER, "POST": only("coach", write=True)},
    "dashboards:coaching-pick": {"org": True, "GET": only("coach")},
    # Influence: a person's own map is theirs; a mission's is kept by who may edit it, and
    # a stakeholder is read by its map's keepers and its plan's owner, unknown to others.
    "leadership:influence": {
        "org": True,
        "GET": MEMBER,
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:mission-map": {
        "org": True,
        "pk": "staff_mission",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "leadership:stakeholder": {
        "org": True,
        "pk": "stakeholder",
        "GET": private(STAKEHOLDER_READERS, STAKEHOLDER_READERS),
    },
    "leadership:stakeholder-edit": {
        "org": True,
        "pk": "stakeholder",
        "GET": private(STAKEHOLDER_READERS, EDITORS),
        "POST": private(STAKEHOLDER_READERS, EDITORS, write=True),
    },
    "leadership:contact-create": {
        "org": True,
        "pk": "stakeholder",
        "POST": private(STAKEHOLDER_READERS, STAKEHOLDER_READERS, write=True),
    },
    "leadership:stakeholder-remove": {
        "org": True,
        "pk": "stakeholder",
        "POST": private(STAKEHOLDER_READERS, EDITORS),
    },
    # "Be brave": anyone challenges a mission's priorities; the owner of the mission above
    # (lead, for staff_mission) answers, or the admin.
    "leadership:challenge-create": {
        "org": True,
        "pk": "staff_mission",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:challenge-answer": {
        "org": True,
        "pk": "challenge",
        "POST": only("lead admin", write=True),
    },
    # Action learning: a group is read by its people only (coach facilitates; staff and lead
    # are in it; ceo and the admin are not), leaders and admins included.
    # Recognition: everyone gives it; each reads what is theirs to read.
    "leadership:recognition": {
        "org": True,
        "GET": MEMBER,
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:learning": {
        "org": True,
        "GET": MEMBER,
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:learning-group": {
        "org": True,
        "pk": "learning_group",
        "GET": private(LEARNERS, LEARNERS),
    },
    "leadership:learning-group-edit": {
        "org": True,
        "pk": "learning_group",
        "GET": private(LEARNERS, "coach"),
        "POST": private(LEARNERS, "coach", write=True),
    },
    "leadership:learning-session": {
        "org": True,
        "pk": "learning_group",
        "POST": private(LEARNERS, "coach", write=True),
    },
    # The group is open to the coalition: acme's people who are not in it (ceo, the admin)
    # join it; to its own people it is no longer there to join (404). Its people leave it,
    # but its facilitator (coach) hands it over first (400).
    "leadership:learning-group-join": {
        "org": True,
        "pk": "learning_group",
        "POST": private("ceo admin", "ceo admin"),
    },
    "leadership:learning-group-leave": {
        "org": True,
        "pk": "learning_group",
        "POST": private(LEARNERS, LEARNERS, write=True),
    },
    "leadership:session-note": {
        "org": True,
        "pk": "learning_session",
        "POST": private(LEARNERS, LEARNERS, write=True),
    },
    # Innovation: every member reads challenges and ideas; staff_mission's keepers open and
    # close a challenge on it, shortlist its ideas and take them forward; the challenge invites
    # Operations (lead, staff), so they and the keepers take part; staff wrote the idea. An
    # idea becomes a mission for those who also write missions under staff_mission.
    "leadership:innovation": {"org": True, "GET": MEMBER},
    "leadership:innovation-open": {
        "org": True,
        "pk": "staff_mission",
        "GET": only(EDITORS),
        "POST": only(EDITORS, write=True),
    },
    "leadership:innovation-challenge": {
        "org": True,
        "pk": "innovation",
        "GET": MEMBER,
        "POST": only(EDITORS, write=True),
    },
    "leadership:innovation-close": {"org": True, "pk": "innovation", "POST": only(EDITORS)},
    "leadership:idea": {"org": True, "pk": "idea", "GET": MEMBER},
    "leadership:idea-edit": {
        "org": True,
        "pk": "idea",
        "GET": only("staff"),
        "POST": only("staff", write=True),
    },
    # Supporting one's own idea is refused as bad input (400).
    "leadership:idea-support": {"org": True, "pk": "idea", "POST": only(EDITORS, write=True)},
    "leadership:idea-comment": {"org": True, "pk": "idea", "POST": only(EDITORS, write=True)},
    "leadership:idea-shortlist": {"org": True, "pk": "idea", "POST": only(EDITORS)},
    "leadership:idea-adopt-task": {
        "org": True,
        "pk": "idea",
        "POST": only(EDITORS, write=True),
    },
    "leadership:idea-adopt-mission": {
        "org": True,
        "pk": "idea",
        "GET": only("staff admin"),
        "POST": only("staff admin", write=True),
    },
    # Development: a plan is its person's to write; the leader of their team and their coach
    # read it, note evidence and hold its reviews; to anyone else it does not exist.
    "leadership:development": {"org": True, "GET": MEMBER},
    "leadership:development-plan": {
        "org": True,
        "pk": "development_plan",
        "GET": private(DEVELOPERS, DEVELOPERS),
        "POST": private(DEVELOPERS, "staff", write=True),
    },
    "leadership:development-goal": {
        "org": True,
        "pk": "development_plan",
        "POST": private(DEVELOPERS, "staff", write=True),
    },
    "leadership:development-goal-edit": {
        "org": True,
        "pk": "development_goal",
        "GET": private(DEVELOPERS, "staff"),
        "POST": private(DEVELOPERS, "staff", write=True),
    },
    "leadership:development-evidence": {
        "org": True,
        "pk": "development_goal",
        "POST": private(DEVELOPERS, DEVELOPERS, write=True),
    },
    "leadership:development-ask-review": {
        "org": True,
        "pk": "development_plan",
        "POST": private(DEVELOPERS, "staff", write=True),
    },
    "leadership:development-review": {
        "org": True,
        "pk": "development_plan",
        "POST": private(DEVELOPERS, "lead coach", write=True),
    },
    # Coalitions: every member of an active member reads it; those who speak for acme lead it
    # (edit, invite, write missions, align the partner's offer, leave). Answering an invitation
    # acme answered long ago is refused by its state (409); an offer with an empty form is bad
    # input (400) for everyone, since the mission offered decides who may. Forming one is for
    # those who speak for acme (the form does not exist for others). ``contribution`` is acme's
    # (aligned, of org_mission), ``offered_contribution`` the partner's (offered, waiting for
    # acme): an empty answer aligns it.
    "leadership:coalitions": {
        "org": True,
        "GET": MEMBER,
        "POST": nobody_but(SPEAKERS, write=True),
    },
    "leadership:coalition": {"org": True, "pk": "coalition", "GET": MEMBER},
    "leadership:coalition-edit": {
        "org": True,
        "pk": "coalition",
        "GET": only(SPEAKERS),
        "POST": only(SPEAKERS, write=True),
    },
    "leadership:coalition-invite": {
        "org": True,
        "pk": "coalition",
        "POST": only(SPEAKERS, write=True),
    },
    "leadership:coalition-answer": {
        "org": True,
        "pk": "coalition",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:coalition-leave": {"org": True, "pk": "coalition", "POST": only(SPEAKERS)},
    "leadership:coalition-mission": {
        "org": True,
        "pk": "coalition",
        "POST": only(SPEAKERS, write=True),
    },
    "leadership:contribution-offer": {
        "org": True,
        "pk": "coalition",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:coalition-link": {
        "org": True,
        "pk": "coalition",
        "POST": only(" ".join(MEMBERS), write=True),
    },
    "leadership:contribution-answer": {
        "org": True,
        "pk": "offered_contribution",
        "POST": only(SPEAKERS, write=True),
    },
    "leadership:contribution-withdraw": {
        "org": True,
        "pk": "contribution",
        "POST": only(SPEAKERS),
    },
    # --- API: lists hold one's own organisations, so the outsider gets an (empty) 200 -------
    "api-root": {"GET": everyone()},
    "organisation-list": {"GET": everyone()},
    "organisation-detail": {"pk": "organisation", "GET": MEMBER},
    "team-list": {"GET": everyone(), "POST": everyone(write=True)},
    "team-detail": {
        "pk": "team",
        "GET": MEMBER,
        "PUT": only("admin", write=True),
        "PATCH": only("admin", write=True),
    },
    "vision-list": {"GET": everyone(), "POST": everyone(write=True)},
    "vision-detail": {
        "pk": "vision",
        "GET": MEMBER,
        "PUT": only("ceo admin", write=True),
        "PATCH": only("ceo admin", write=True),
    },
    "period-list": {"GET": everyone()},
    "period-detail": {"pk": "period", "GET": MEMBER},
    "mission-list": {"GET": everyone(), "POST": everyone(write=True)},
    "mission-detail": {
        "pk": "staff_mission",
        "GET": MEMBER,
        "PUT": only(EDITORS, write=True),
        "PATCH": only(EDITORS, write=True),
        "DELETE": only(EDITORS),
    },
    "mission-tree": {"pk": "org_mission", "GET": MEMBER},
    # The service refuses to align a draft (409); the permission comes first (403).
    "mission-propose": {"pk": "staff_mission", "POST": only("staff admin", write=True)},
    "mission-align": {"pk": "staff_mission", "POST": only("lead admin", write=True)},
    "mission-send-back": {"pk": "staff_mission", "POST": only("lead admin", write=True)},
    "key-task-list": {"GET": everyone(), "POST": everyone(write=True)},
    "key-task-detail": {
        "pk": "key_task",
        "GET": MEMBER,
        "PUT": only(EDITORS, write=True),
        "PATCH": only(EDITORS, write=True),
    },
    # lead's template (api_world): read by every member, removed by lead and the admin.
    "mission-template-list": {"GET": everyone()},
    "mission-template-detail": {
        "pk": "mission_template",
        "GET": MEMBER,
        "DELETE": only("lead admin"),
    },
    "interdependency-list": {"GET": everyone(), "POST": everyone(write=True)},
    "interdependency-detail": {
        "pk": "link",
        "GET": MEMBER,
        "PATCH": only(EDITORS, write=True),
    },
    "interdependency-respond": {"pk": "link", "POST": only(TEAM_EDITORS, write=True)},
    "kpi-list": {"GET": everyone(), "POST": everyone(write=True)},
    "kpi-detail": {
        "pk": "kpi",
        "GET": MEMBER,
        "PUT": only(EDITORS, write=True),
        "PATCH": only(EDITORS, write=True),
        "DELETE": only(EDITORS),
    },
    "kpi-check-ins": {"pk": "kpi", "GET": MEMBER, "POST": only(EDITORS, write=True)},
    "review-list": {"GET": everyone()},
    "review-detail": {"pk": "review", "GET": MEMBER},
    "review-complete": {"pk": "review", "POST": only(EDITORS, write=True)},
    "finding-list": {"GET": everyone()},
    "finding-detail": {"pk": "finding", "GET": MEMBER},
    # Notifications are their recipient's alone (lead's here): to anyone else they do not exist.
    "notification-list": {"GET": everyone()},
    "notification-detail": {"pk": "notification", "GET": nobody_but("lead")},
    "notification-read": {"pk": "notification", "POST": nobody_but("lead")},
    "notification-read-all": {"POST": everyone()},
    "inbox-list": {"GET": everyone()},
    # Comments as on the pages: any member writes; the author (staff) corrects; the author or
    # an admin removes.
    "comment-list": {"GET": everyone(), "POST": everyone(write=True)},
    "comment-detail": {
        "pk": "comment",
        "GET": MEMBER,
        "PATCH": only("staff", write=True),
        "DELETE": only("staff admin"),
    },
    "stakeholder-list": {"GET": everyone(), "POST": everyone(write=True)},
    "challenge-list": {"GET": everyone(), "POST": everyone(write=True)},
    # An action learning group's people alone know it exists.
    "learning-group-list": {"GET": everyone(), "POST": everyone(write=True)},
    "recognition-list": {"GET": everyone(), "POST": everyone(write=True)},
    # Given by the admin to staff, of lead's team; coach coaches the whole organisation.
    "recognition-detail": {
        "pk": "recognition",
        "GET": private("staff lead admin coach", "staff lead admin coach"),
    },
    "learning-group-detail": {"pk": "learning_group", "GET": private(LEARNERS, LEARNERS)},
    "learning-group-sessions": {
        "pk": "learning_group",
        "GET": private(LEARNERS, LEARNERS),
        "POST": private(LEARNERS, "coach", write=True),
    },
    "learning-group-notes": {
        "pk": "learning_group",
        "session_pk": "learning_session",
        "GET": private(LEARNERS, LEARNERS),
        "POST": private(LEARNERS, LEARNERS, write=True),
    },
    "development-plan-list": {"GET": everyone(), "POST": everyone(write=True)},
    "development-plan-detail": {
        "pk": "development_plan",
        "GET": private(DEVELOPERS, DEVELOPERS),
        "PUT": private(DEVELOPERS, "staff", write=True),
        "PATCH": private(DEVELOPERS, "staff", write=True),
    },
    "development-plan-goals": {
        "pk": "development_plan",
        "GET": private(DEVELOPERS, DEVELOPERS),
        "POST": private(DEVELOPERS, "staff", write=True),
    },
    "development-plan-goal": {
        "pk": "development_plan",
        "goal_pk": "development_goal",
        "PATCH": private(DEVELOPERS, "staff", write=True),
    },
    "development-plan-evidence": {
        "pk": "development_plan",
        "GET": private(DEVELOPERS, DEVELOPERS),
        "POST": private(DEVELOPERS, DEVELOPERS, write=True),
    },
    "development-plan-reviews": {
        "pk": "development_plan",
        "GET": private(DEVELOPERS, DEVELOPERS),
        "POST": private(DEVELOPERS, "lead coach", write=True),
    },
    "development-plan-ask-review": {
        "pk": "development_plan",
        "POST": private(DEVELOPERS, "staff", write=True),
    },
    "innovation-challenge-list": {"GET": everyone(), "POST": everyone(write=True)},
    "innovation-challenge-detail": {"pk": "innovation", "GET": MEMBER},
    "innovation-challenge-close": {"pk": "innovation", "POST": only(EDITORS, write=True)},
    "idea-list": {"GET": everyone(), "POST": everyone(write=True)},
    "idea-detail": {
        "pk": "idea",
        "GET": MEMBER,
        "PUT": only("staff", write=True),
        "PATCH": only("staff", write=True),
    },
    "idea-support": {
        "pk": "idea",
        "POST": only(EDITORS, write=True),
        "DELETE": only(EDITORS, write=True),
    },
    "idea-comments": {"pk": "idea", "GET": MEMBER, "POST": only(EDITORS, write=True)},
    "idea-shortlist": {"pk": "idea", "POST": only(EDITORS, write=True)},
    "idea-adopt": {"pk": "idea", "POST": only(EDITORS, write=True)},
    "challenge-detail": {"pk": "challenge", "GET": MEMBER},
    "challenge-answer": {"pk": "challenge", "POST": only("lead admin", write=True)},
    "stakeholder-detail": {
        "pk": "stakeholder",
        "GET": private(STAKEHOLDER_READERS, STAKEHOLDER_READERS),
        "PUT": private(STAKEHOLDER_READERS, EDITORS, write=True),
        "PATCH": private(STAKEHOLDER_READERS, EDITORS, write=True),
        "DELETE": private(STAKEHOLDER_READERS, EDITORS),
    },
    "stakeholder-contacts": {
        "pk": "stakeholder",
        "GET": private(STAKEHOLDER_READERS, STAKEHOLDER_READERS),
        "POST": private(STAKEHOLDER_READERS, STAKEHOLDER_READERS, write=True),
    },
    # Coalitions: the outsider leads a member of it too, so gets what ceo gets; a
    # contribution is its organisation's own row (another member's answers 404 there), and
    # the partner's offer is answered by acme's speakers, not by the partner itself (403).
    "coalition-list": {"GET": everyone(), "POST": everyone(write=True)},
    "coalition-detail": {
        "pk": "coalition",
        "GET": only(" ".join(MEMBERS), outsider=OK),
        "PATCH": only(SPEAKERS, write=True, outsider=WRITE),
    },
    "coalition-invite": {"pk": "coalition", "POST": only(SPEAKERS, write=True, outsider=WRITE)},
    "coalition-answer": {"pk": "coalition", "POST": everyone(write=True)},
    "coalition-leave": {"pk": "coalition", "POST": only(SPEAKERS, outsider=OK)},
    "coalition-missions": {"pk": "coalition", "POST": only(SPEAKERS, write=True, outsider=WRITE)},
    "coalition-offer": {"pk": "coalition", "POST": everyone(write=True)},
    "contribution-list": {"GET": everyone()},
    "contribution-detail": {"pk": "contribution", "GET": MEMBER},
    "contribution-answer": {
        "pk": "offered_contribution",
        "POST": only(SPEAKERS, write=True, outsider=FORBIDDEN),
    },
    "contribution-withdraw": {"pk": "contribution", "POST": only(SPEAKERS)},
    # The caller's own brief, of their first organisation unless ?organisation= says which.
    "brief": {"GET": everyone()},
    # Invitations are their organisation admins' alone: to anyone else they do not exist.
    "invitation-list": {"GET": everyone(), "POST": everyone(write=True)},
    "invitation-detail": {"pk": "invitation", "GET": nobody_but("admin")},
    "invitation-revoke": {"pk": "invitation", "POST": nobody_but("admin", write=True)},
    "invitation-resend": {"pk": "invitation", "POST": nobody_but("admin", write=True)},
    # Webhook endpoints are their organisation admins' alone: to anyone else they do not
    # exist; adding one is refused to whoever administers no organisation.
    "webhook-list": {"GET": everyone(), "POST": only("admin", write=True, outsider=FORBIDDEN)},
    "webhook-detail": {
        "pk": "webhook_endpoint",
        "GET": nobody_but("admin"),
        "PUT": nobody_but("admin", write=True),
        "PATCH": nobody_but("admin", write=True),
        "DELETE": nobody_but("admin"),
    },
    "webhook-deliveries": {"pk": "webhook_endpoint", "GET": nobody_but("admin")},
    "webhook-test": {"pk": "webhook_endpoint", "POST": nobody_but("admin")},
    "webhook-rotate-secret": {"pk": "webhook_endpoint", "POST": nobody_but("admin")},
    # The caller's own API tokens; revoking "the token in use" with a session is bad input.
    # Revoking one by id: tests/accounts/test_tokens.py (EXCLUDED_NAMES).
    "auth-token-list": {"GET": everyone()},
    "auth-token-revoke-current": {"POST": everyone(write=True)},
}

# Routes with tests of their own, and what is not ours to test.
EXCLUDED_NAMES = {
    "login",
    "logout",
    "admin-login",
    "api-token",
    "auth-token-revoke",  # tests/accounts/test_tokens.py: one's own, someone else's, anonymous
    "schema",
    "api-docs",
}
EXCLUDED_PREFIXES = ("admin/", "static/", "media/")


def all_routes() -> dict[str, tuple[str, Any]]:
    """Every route of the URL configuration as ``{name: (pattern, view)}``, namespaced names
    (``missions:detail``) for namespaced ones; an unnamed route is keyed by its pattern."""
    found: dict[str, tuple[str, Any]] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, pattern, inner)
            elif isinstance(entry, URLPattern):
                if entry.name:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    name = pattern
                found[name] = (pattern, entry.callback)

    walk(get_resolver(), "", "")
    return found


def matrix_routes() -> dict[str, tuple[str, Any]]:
    return {
        name: route
        for name, route in all_routes().items()
        if name not in EXCLUDED_NAMES
        and not route[0].lstrip("^").startswith(EXCLUDED_PREFIXES)
        and not name.startswith("admin:")
    }


def is_api(name: str) -> bool:
    return all_routes()[name][0].startswith("api/")


def api_methods(view: Any) -> set[str]:
    """The methods an API view answers: a viewset's actions, or an APIView's handlers."""
    cls = view.cls
    allowed = {m.upper() for m in cls.http_method_names} - {"HEAD", "OPTIONS"}
    actions = getattr(view, "actions", None)
    if actions:
        return {m.upper() for m in actions} & allowed
    return {m for m in allowed if hasattr(cls, m.lower())}


def test_every_route_has_a_row() -> None:
    """A route without a row in ``ROUTES`` (or a row for a route that is gone) fails here."""
    found = set(matrix_routes())
    assert found - set(ROUTES) == set(), "routes without a row in the security matrix"
    assert set(ROUTES) - found == set(), "rows of the security matrix without a route"


def test_every_row_covers_every_persona() -> None:
    for name, row in ROUTES.items():
        for method in METHODS:
            if method in row:
                assert set(row[method]) == set(ROLES), (name, method)


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if is_api(n)))
def test_api_rows_list_exactly_the_methods_the_view_answers(name: str) -> None:
    """An API route that gains a method (a new action, DELETE) needs its row extended."""
    listed = {m for m in METHODS if m in ROUTES[name]}
    assert listed == api_methods(all_routes()[name][1])


def object_ids(api_world: Any) -> dict[str, int]:
    """The objects rows name in ``pk``, by the names of the fixtures."""
    world = api_world.world
    return {
        "organisation": world.organisation.pk,
        "team": world.team.pk,
        "vision": api_world.vision.pk,
        "org_mission": world.org_mission.pk,
        "team_mission": world.team_mission.pk,
        "staff_mission": world.staff_mission.pk,
        "kpi": api_world.kpi.pk,
        "key_task": api_world.key_task.pk,
        "link": api_world.link.pk,
        "review": api_world.review.pk,
        "finding": api_world.finding.pk,
        "notification": api_world.notification.pk,
        "invitation": api_world.invitation.pk,
        "stakeholder": api_world.stakeholder.pk,
        "challenge": api_world.challenge.pk,
        "learning_group": api_world.learning_group.pk,
        "recognition": api_world.recognition.pk,
        "innovation": api_world.innovation.pk,
        "idea": api_world.idea.pk,
        "development_plan": api_world.development_plan.pk,
        "development_goal": api_world.development_goal.pk,
        "learning_session": api_world.learning_session.pk,
        "membership": world.staff.memberships.get().pk,
        "coalition": api_world.coalition.pk,
        "contribution": api_world.contribution.pk,
        "offered_contribution": api_world.offered_contribution.pk,
        "comment": api_world.comment.pk,
        "webhook_endpoint": api_world.webhook_endpoint.pk,
        "webhook_delivery": api_world.webhook_delivery.pk,
        "mission_template": api_world.mission_template.pk,
        "period": api_world.period.pk,
    }


def url_of(name: str, row: dict[str, Any], api_world: Any, org: str | None = None) -> str:
    """The row's URL, under ``/o/<org>/`` (acme's by default) for an organisation's page."""
    kwargs: dict[str, Any] = {}
    if row.get("org"):
        kwargs["org"] = org or api_world.world.organisation.slug
    if "pk" in row:
        kwargs["pk"] = object_ids(api_world)[row["pk"]]
    for nested in ("session_pk", "goal_pk"):  # a nested object's own id
        if nested in row:
            kwargs[nested] = object_ids(api_world)[row[nested]]
    if row.get("token"):
        kwargs["token"] = api_world.invitation_token
    if row.get("unsubscribe"):
        kwargs["token"] = unsubscribe_token(user_id=api_world.world.staff.pk, topic="aligned")
    kwargs.update(row.get("kwargs", {}))
    return reverse(name, kwargs=kwargs)


def clients(api_world: Any) -> dict[str, Client]:
    world = api_world.world
    users = {
        "ceo": world.leader,
        "lead": world.lead,
        "staff": world.staff,
        "coach": world.coach,
        "admin": world.org_admin,
        "outsider": world.outsider,
    }
    result = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        result[role] = client
    return result


def send(client: Client, method: str, url: str, api: bool) -> Any:
    """One request in a savepoint that is rolled back: its effects never reach the next."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "DELETE":
            response = client.delete(url)
        elif api:
            response = client.generic(method, url, "{}", content_type="application/json")
        else:
            response = client.generic(
                method, url, "", content_type="application/x-www-form-urlencoded"
            )
        if response.streaming:
            b"".join(response.streaming_content)  # CSV exports: run the query inside
        transaction.set_rollback(True)
    return response


def verdict(response: Any, api: bool) -> str:
    """The class of an answer, in the vocabulary of the rows."""
    status = response.status_code
    if status == 401 and api:
        return LOGIN
    if status == 302 and not api and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if 200 <= status < 400:
        return OK
    return str(status)


def matches(expected: str, got: str) -> bool:
    return got == expected or (expected == WRITE and got in (OK, "400", "409"))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_persona_gets_the_expected_answer(name: str, api_world: Any) -> None:
    row = ROUTES[name]
    api = is_api(name)
    url = url_of(name, row, api_world)
    by_role = clients(api_world)
    wrong = []
    for method in METHODS:
        if method not in row:
            continue
        for role in ROLES:
            response = send(by_role[role], method, url, api)
            got = verdict(response, api)
            if not matches(row[method][role], got):
                wrong.append(
                    f"{method} {url} as {role}: expected {row[method][role]}, got "
                    f"{response.status_code} {response.get('Location', '')}".rstrip()
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if not is_api(n)))
def test_web_routes_refuse_the_methods_they_do_not_list(name: str, api_world: Any) -> None:
    """A page answers only the methods of its row (405 to the others, for a signed-in admin),
    so the row covers everything it does."""
    row = ROUTES[name]
    url = url_of(name, row, api_world)
    admin = clients(api_world)["admin"]
    unlisted = [m for m in METHODS if m not in row]
    answers = {m: send(admin, m, url, api=False).status_code for m in unlisted}
    assert answers == dict.fromkeys(unlisted, 405)


# --- Coalitions across organisations ---------------------------------------------------------
# A coalition is shared by its members; its routes are reached from each member's own address
# (``/o/<slug>/…``) and from the API, which belongs to no one organisation. What the partner's
# leader (the outsider, under ``/o/other/``) gets on each page: what acme's CEO gets, but the
# partner's own offer is not theirs to answer, and acme's contribution not theirs to withdraw.
PARTNER_PAGES: dict[str, dict[str, str]] = {
    "leadership:coalitions": {"GET": OK, "POST": WRITE},
    "leadership:coalition": {"GET": OK},
    "leadership:coalition-edit": {"GET": OK, "POST": WRITE},
    "leadership:coalition-invite": {"POST": WRITE},
    "leadership:coalition-answer": {"POST": WRITE},  # joined already: 409
    "leadership:coalition-leave": {"POST": OK},
    "leadership:coalition-mission": {"POST": WRITE},
    "leadership:contribution-offer": {"POST": WRITE},
    "leadership:coalition-link": {"POST": WRITE},
    "leadership:contribution-answer": {"POST": FORBIDDEN},
    "leadership:contribution-withdraw": {"POST": FORBIDDEN},
}


def coalition_routes() -> list[str]:
    """Every route of a coalition or a contribution, web and API, from the URL configuration."""
    return sorted(
        name
        for name in matrix_routes()
        if "coalition" in name.split(":")[-1] or "contribution" in name.split(":")[-1]
    )


def test_every_coalition_page_says_what_the_partner_gets() -> None:
    pages = {name for name in coalition_routes() if not is_api(name)}
    assert pages == set(PARTNER_PAGES)
    for name, expected in PARTNER_PAGES.items():
        assert set(expected) == {m for m in METHODS if m in ROUTES[name]}, name


@pytest.mark.parametrize("name", coalition_routes())
def test_a_third_organisation_gets_404_and_the_partner_its_answer(
    name: str, api_world: Any
) -> None:
    """A person who speaks for an organisation outside the coalition gets 404 on each of its
    routes, under their own address and through the API; its lists say nothing of it. The
    partner's leader gets their answer under their own address (through the API: the row's
    ``outsider``)."""
    third = OrganisationFactory(name="Third", slug="third")
    boss = UserFactory(username="boss")
    TeamFactory(organisation=third, name="Board", leader=boss)
    MembershipFactory(organisation=third, user=boss, role="admin")
    outsider, stranger = (Client(raise_request_exception=False) for _ in range(2))
    outsider.force_login(api_world.world.outsider)
    stranger.force_login(boss)
    row, api = ROUTES[name], is_api(name)
    coalition = api_world.coalition
    wrong = []
    for method in (m for m in METHODS if m in row):
        url = url_of(name, row, api_world, org="third")
        response = send(stranger, method, url, api)
        if "pk" in row:
            expected = NOT_FOUND
        else:  # a list, of the stranger's own coalitions: none
            expected = OK if method == "GET" else WRITE
            if method == "GET":
                assert coalition.name not in response.content.decode(), (name, method)
        if not matches(expected, verdict(response, api)):
            wrong.append(
                f"{method} {url} as a third: expected {expected}, got {response.status_code}"
            )
        url = url_of(name, row, api_world, org="other")
        expected = row[method]["outsider"] if api else PARTNER_PAGES[name][method]
        response = send(outsider, method, url, api)
        if not matches(expected, verdict(response, api)):
            wrong.append(
                f"{method} {url} as the partner: expected {expected}, got {response.status_code}"
            )
    assert not wrong, "\n".join(wrong)
