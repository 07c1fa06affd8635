"""The read replica's router (kernel.replica): the dashboards read from the replica, writes go
to the primary, and a person who has just written reads from the primary for a few seconds.

The replica is a mirror of the primary in the test settings (one database); the data here is
committed (a transactional test) so the replica's own connection sees it, and the router is
installed for these tests only.
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from kernel.replica import PIN_COOKIE, ReplicaRouter, replica_reads
from kernel.tenancy import tenant_scope
from missions.models import Mission

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.usefixtures("with_the_router"),
]


@pytest.fixture
def with_the_router():
    with override_settings(DATABASE_ROUTERS=["kernel.replica.ReplicaRouter"]):
        yield


def queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


def test_the_dashboard_reads_from_the_replica(world, client) -> None:
    client.force_login(world.lead)
    with queries("replica") as replica:
        response = client.get("/o/acme/dashboard/")
    assert response.status_code == 200
    assert any("missions_mission" in q["sql"] for q in replica.captured_queries)
    assert len(replica.captured_queries) >= 3
    # Its raw SQL too (the latest check's figures), through ``reading_connection``.
    assert any("FROM reviews_alignmentsnapshot" in q["sql"] for q in replica.captured_queries)


def test_after_a_write_its_person_reads_from_the_primary(world, client) -> None:
    client.force_login(world.lead)
    client.post("/o/acme/dashboard/")  # any request that may write pins the person
    assert client.cookies[PIN_COOKIE]["max-age"] == 5
    with queries("replica") as replica:
        response = client.get("/o/acme/dashboard/")
    assert response.status_code == 200
    assert replica.captured_queries == []
    client.cookies.pop(PIN_COOKIE)  # five seconds later
    with queries("replica") as replica:
        client.get("/o/acme/dashboard/")
    assert replica.captured_queries != []


def test_a_write_goes_to_the_primary_even_inside_replica_reads(world) -> None:
    with replica_reads() as on_replica:
        assert on_replica
        mission = Mission.objects.get(pk=world.org_mission.pk)
        assert mission._state.db == "replica"
        mission.title = "Renamed on the primary"
        with queries("default") as primary:
            mission.save(update_fields=["title"])
    assert any("UPDATE" in q["sql"] for q in primary.captured_queries)
    assert Mission.objects.get(pk=mission.pk).title == "Renamed on the primary"


def test_row_level_security_holds_on_the_replica(world) -> None:
    with tenant_scope([world.organisation.pk]), replica_reads():
        assert Mission.objects.filter(pk=world.org_mission.pk).exists()
        assert not Mission.objects.filter(pk=world.other_mission.pk).exists()


def test_the_router_sends_writes_and_migrations_to_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Mission) == "default"  # outside replica_reads
    assert router.db_for_write(Mission) == "default"
    assert router.allow_migrate("default", "missions") is True
    assert router.allow_migrate("replica", "missions") is False
