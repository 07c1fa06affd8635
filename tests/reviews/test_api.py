"""The findings and notifications API: fields, filters, tenancy, and marking read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.models import Notification
from reviews.models import Finding
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.missions.factories import MembershipFactory

pytestmark = pytest.mark.django_db
FINDINGS = "/api/v1/findings/"
NOTIFICATIONS = "/api/v1/notifications/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def finding(organisation, mission, kind="no_kpi", severity="warning", resolved=False) -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        organisation=organisation,
        mission=mission,
        kind=kind,
        severity=severity,
        message=f"{kind} of {mission.title}",
        opened_at=now - dt.timedelta(days=3),
        last_seen_at=now,
        resolved_at=now if resolved else None,
    )


@pytest.fixture
def findings(world):
    return {
        "orphan": finding(world.organisation, world.staff_mission, "orphan", "critical"),
        "no_kpi": finding(world.organisation, world.team_mission),
        "resolved": finding(world.organisation, world.team_mission, "stale_kpi", "info", True),
        "other": finding(world.other_organisation, world.other_mission),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_findings_list_holds_the_callers_organisations_only(world, findings) -> None:
    for user in (world.staff, world.coach, world.leader):
        body = client_for(user).get(FINDINGS).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert {r["id"] for r in body["results"]} == {
            findings["orphan"].pk,
            findings["no_kpi"].pk,
            findings["resolved"].pk,
        }
    assert ids(client_for(world.outsider).get(FINDINGS)) == {findings["other"].pk}


def test_a_finding_has_the_contract_fields(world, findings) -> None:
    row = client_for(world.staff).get(f"{FINDINGS}{findings['orphan'].pk}/").json()
    assert set(row) == {
        "id",
        "organisation",
        "mission",
        "kind",
        "severity",
        "message",
        "opened_at",
        "resolved_at",
        "predicted",
        "expected_on",
    }
    assert row["organisation"] == world.organisation.pk
    assert row["mission"] == world.staff_mission.pk
    assert (row["kind"], row["severity"], row["resolved_at"]) == ("orphan", "critical", None)


def test_another_organisations_finding_answers_404(world, findings) -> None:
    client = client_for(world.staff)
    assert client.get(f"{FINDINGS}{findings['other'].pk}/").status_code == 404
    assert client_for(world.outsider).get(f"{FINDINGS}{findings['orphan'].pk}/").status_code == 404


def test_findings_are_read_only(world, findings) -> None:
    client = client_for(world.org_admin)
    assert client.post(FINDINGS, {"kind": "orphan"}, format="json").status_code == 405
    url = f"{FINDINGS}{findings['orphan'].pk}/"
    assert client.patch(url, {"severity": "info"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405


def test_findings_filter_by_mission_kind_severity_and_open(world, findings) -> None:
    client = client_for(world.lead)
    f = findings
    assert ids(client.get(FINDINGS, {"mission": world.team_mission.pk})) == {
        f["no_kpi"].pk,
        f["resolved"].pk,
    }
    assert ids(client.get(FINDINGS, {"kind": "orphan"})) == {f["orphan"].pk}
    assert ids(client.get(FINDINGS, {"severity": "warning"})) == {f["no_kpi"].pk}
    assert ids(client.get(FINDINGS, {"open": "true"})) == {f["orphan"].pk, f["no_kpi"].pk}
    assert ids(client.get(FINDINGS, {"open": "false"})) == {f["resolved"].pk}
    assert ids(client.get(FINDINGS, {"organisation": world.organisation.pk})) == {
        f["orphan"].pk,
        f["no_kpi"].pk,
        f["resolved"].pk,
    }
    # Asking for another organisation finds nothing of it.
    assert ids(client.get(FINDINGS, {"organisation": world.other_organisation.pk})) == set()
    assert client.get(FINDINGS, {"severity": "loud"}).status_code == 400


def test_the_findings_list_costs_the_same_queries_for_3_and_30(
    world, findings, django_assert_num_queries
) -> None:
    client = client_for(world.staff)
    for _ in range(27):
        finding(world.organisation, world.staff_mission, "task_overdue", "info", True)
    # the page (organisation selected with it), read with one row more than it shows: the 30
    # fit on it, so no count query
    with django_assert_num_queries(1 + TENANT_SCOPE_QUERIES):
        assert client.get(FINDINGS).json()["count"] == 30


# --- Notifications -------------------------------------------------------------------------------


def note(user, organisation, message="Hello", read=False) -> Notification:
    return Notification.objects.create(
        organisation=organisation,
        recipient=user,
        kind="review_reminder",
        message=message,
        url="/o/acme/reviews/1/",
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def inbox(world):
    return {
        "mine": note(world.staff, world.organisation, "Your review is due"),
        "mine_read": note(world.staff, world.organisation, "Old news", read=True),
        "lead": note(world.lead, world.organisation, "Not yours"),
        "outsider": note(world.outsider, world.other_organisation, "Elsewhere"),
    }


def test_notifications_are_the_callers_own(world, inbox) -> None:
    client = client_for(world.staff)
    assert ids(client.get(NOTIFICATIONS)) == {inbox["mine"].pk, inbox["mine_read"].pk}
    row = client.get(f"{NOTIFICATIONS}{inbox['mine'].pk}/").json()
    assert {"id", "kind", "message", "url", "created_at", "read_at"} <= set(row)
    assert (row["message"], row["url"], row["read_at"]) == (
        "Your review is due",
        "/o/acme/reviews/1/",
        None,
    )
    assert ids(client.get(NOTIFICATIONS, {"read_at__isnull": "true"})) == {inbox["mine"].pk}
    # Someone else's notification, in this organisation or another, does not exist for you.
    assert client.get(f"{NOTIFICATIONS}{inbox['lead'].pk}/").status_code == 404
    assert client.get(f"{NOTIFICATIONS}{inbox['outsider'].pk}/").status_code == 404
    assert client.post(f"{NOTIFICATIONS}{inbox['lead'].pk}/read/").status_code == 404


def test_anonymous_callers_are_refused(world, inbox) -> None:
    for url in (NOTIFICATIONS, FINDINGS):
        assert APIClient().get(url).status_code in (401, 403)
    assert APIClient().post(f"{NOTIFICATIONS}read-all/").status_code in (401, 403)


def test_marking_one_notification_read(world, inbox) -> None:
    client = client_for(world.staff)
    response = client.post(f"{NOTIFICATIONS}{inbox['mine'].pk}/read/")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    inbox["mine"].refresh_from_db()
    first = inbox["mine"].read_at
    assert first is not None
    # Again: still read, the time unchanged.
    assert client.post(f"{NOTIFICATIONS}{inbox['mine'].pk}/read/").status_code == 200
    inbox["mine"].refresh_from_db()
    assert inbox["mine"].read_at == first
    assert Notification.objects.get(pk=inbox["lead"].pk).read_at is None


def test_marking_all_read_touches_only_the_callers(world, inbox) -> None:
    second = note(world.staff, world.organisation, "Another")
    response = client_for(world.staff).post(f"{NOTIFICATIONS}read-all/")
    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert not Notification.objects.filter(
        recipient=world.staff, read_at__isnull=True, pk__in=[inbox["mine"].pk, second.pk]
    ).exists()
    assert Notification.objects.get(pk=inbox["lead"].pk).read_at is None
    assert Notification.objects.get(pk=inbox["outsider"].pk).read_at is None
    assert client_for(world.staff).post(f"{NOTIFICATIONS}read-all/").json() == {"marked": 0}


def test_marking_all_read_in_one_organisation(world, inbox) -> None:
    # The outsider joins acme too: their notifications there and in "other" are separate.
    MembershipFactory(organisation=world.organisation, user=world.outsider)
    here = note(world.outsider, world.organisation, "In acme")
    client = client_for(world.outsider)
    response = client.post(
        f"{NOTIFICATIONS}read-all/?organisation={world.organisation.pk}", format="json"
    )
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=here.pk).read_at is not None
    assert Notification.objects.get(pk=inbox["outsider"].pk).read_at is None
    bad = client.post(f"{NOTIFICATIONS}read-all/", {"organisation": "x"}, format="json")
    assert bad.status_code == 400 and "organisation" in bad.json()


def test_the_schema_lists_the_new_endpoints(world) -> None:
    schema = client_for(world.staff).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/findings/",
        "/api/v1/findings/{id}/",
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/notifications/read-all/",
    ):
        assert path in schema["paths"], path


def test_findings_order_by_severity_critical_first(world, findings) -> None:
    rows = client_for(world.staff).get(f"{FINDINGS}?ordering=severity").json()["results"]
    assert [row["severity"] for row in rows] == ["critical", "warning", "info"]
    rows = client_for(world.staff).get(f"{FINDINGS}?ordering=-severity").json()["results"]
    assert [row["severity"] for row in rows] == ["info", "warning", "critical"]
