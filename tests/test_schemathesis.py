"""Fuzzing the API from its own OpenAPI schema with schemathesis.

The schema is read from ``/api/schema/`` of the WSGI application, in-process, when this module
is collected; each of its operations becomes one test. An operation gets its documented examples
and a bounded number of generated cases (deterministic: the same cases on every run), sent as
``lead`` with a token to the same in-process application on the test database. Each response must
not be a 5xx and must match the schema, and a 400 must name only rules the schema cannot state
(as in ``make fuzz``: ``scripts/fuzz_hooks.py``). Path ids point at real objects of
``api_world``, so the generated bodies reach the serializers and services, not only the 404 of
a random id. Each case runs in a savepoint that is rolled back, so every case starts from the
same data.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import ApiToken
from missionlead.wsgi import application
from scripts.fuzz_hooks import refused_only_for_rules_the_schema_cannot_state

pytestmark = pytest.mark.django_db

# A longer or rougher run by hand (negative mode sends invalid data too):
#   FUZZ_EXAMPLES=100 FUZZ_MODE=all make test PYTEST_ARGS=tests/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260307,
        "generation": {
            "mode": os.environ.get("FUZZ_MODE", "positive"),
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
        },
        # Documented examples, then generated cases; no coverage or stateful phases, which
        # would multiply the run time.
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
    }
)
# Filled in as the cases run; the last test prints and checks the totals.
CASES: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Django closes "old" connections around each request; in a test that would close the
    connection holding the test's transaction (the test client disconnects these too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def lead_headers(api_world: Any) -> dict[str, str]:
    token = Token.objects.create(user=api_world.world.lead)
    return {"Authorization": f"Token {token.key}"}


def path_ids(api_world: Any) -> dict[str, int]:
    """The object each ``/api/v1/<resource>/{id}/…`` operation works on."""
    world = api_world.world
    return {
        "organisations": world.organisation.pk,
        "teams": world.team.pk,
        "visions": api_world.vision.pk,
        "periods": api_world.period.pk,
        "missions": world.staff_mission.pk,
        "key-tasks": api_world.key_task.pk,
        "mission-templates": api_world.mission_template.pk,
        "interdependencies": api_world.link.pk,
        "kpis": api_world.kpi.pk,
        "reviews": api_world.review.pk,
        "findings": api_world.finding.pk,
        "notifications": api_world.notification.pk,
        "invitations": api_world.invitation.pk,
        "stakeholders": api_world.stakeholder.pk,
        "challenges": api_world.challenge.pk,
        "learning-groups": api_world.learning_group.pk,
        "recognitions": api_world.recognition.pk,
        "innovation-challenges": api_world.innovation.pk,
        "ideas": api_world.idea.pk,
        "development-plans": api_world.development_plan.pk,
        "coalitions": api_world.coalition.pk,
        # acme's own (aligned); ``answer`` on it is refused (403): the fuzzing reaches the
        # answer's checks, not its service, which the API tests cover.
        "contributions": api_world.contribution.pk,
        "webhooks": api_world.webhook_endpoint.pk,
        "comments": api_world.comment.pk,
        "auth": ApiToken.objects.filter(user=world.lead).values_list("pk", flat=True).first(),
    }


def body_ids(api_world: Any) -> dict[str, int]:
    """Real ids for the related-object fields of request bodies: a random id is a 400 before
    any service runs, a real one takes the case through the permission checks and services."""
    world = api_world.world
    return {
        "organisation": world.organisation.pk,
        "parent": world.team_mission.pk,
        "owner_team": world.team.pk,
        "owner_user": world.staff.pk,
        "mission": world.staff_mission.pk,
        "from_mission": world.staff_mission.pk,
        "to_mission": world.org_mission.pk,
        "leader": world.lead.pk,
        "owner": world.staff.pk,
        "member": world.coach.pk,
        "plan_owner": world.leader.pk,
        "other_mission": world.org_mission.pk,
        "facilitator": world.coach.pk,
        "receiver": world.staff.pk,
        "supersedes": api_world.check_in.pk,
        "challenge": api_world.innovation.pk,
        "teams": world.team.pk,
        "co_authors": world.lead.pk,
        "child_mission": world.staff_mission.pk,
        "goal": api_world.development_goal.pk,
        "reviewer": world.lead.pk,
        "coalition_mission": api_world.coalition_mission.pk,
        "kpi": api_world.kpi.pk,
        "key_task": api_world.key_task.pk,
        "review": api_world.review.pk,
        "mention": world.lead.pk,
        "period": api_world.period.pk,
    }


# The schema view touches no database table, so it loads at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@schema.parametrize()
# The fixtures hold the data and every case rolls its changes back (a savepoint), so sharing
# them between the cases of one operation is intended.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_api_survives_its_own_schema(
    case: Any, api_world: Any, lead_headers: dict[str, str]
) -> None:
    if case.path_parameters and "id" in case.path_parameters:
        resource = case.operation.path.split("/")[3]
        case.path_parameters["id"] = path_ids(api_world)[resource]
    if case.path_parameters and "session_pk" in case.path_parameters:
        case.path_parameters["session_pk"] = api_world.learning_session.pk
    if case.path_parameters and "goal_pk" in case.path_parameters:
        case.path_parameters["goal_pk"] = api_world.development_goal.pk
    if isinstance(case.body, dict):
        for name, pk in body_ids(api_world).items():
            if isinstance(case.body.get(name), int):
                case.body[name] = pk
    CASES[case.operation.label] += 1
    with transaction.atomic():
        response = case.call_and_validate(
            headers=lead_headers,
            checks=[
                not_a_server_error,
                response_schema_conformance,
                refused_only_for_rules_the_schema_cannot_state,
            ],
        )
        STATUSES[response.status_code] += 1
        transaction.set_rollback(True)


def test_every_operation_was_fuzzed() -> None:
    """Runs after the fuzzing (same module, file order): every operation got cases."""
    if not CASES:
        pytest.skip("the fuzzing test did not run in this session")
    operations = len(CASES)
    total = sum(CASES.values())
    print(f"\nschemathesis: {operations} operations, {total} cases")
    print("statuses:", dict(sorted(STATUSES.items())))
    assert operations == len(list(schema.get_all_operations()))
    assert min(CASES.values()) >= 1
