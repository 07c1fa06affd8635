"""Row-level security: a query that forgets its organisation filter finds nothing of another.

The suite connects as an ordinary role that owns the tables (``scripts/with-services.sh``), as
production does, so the policies apply to it as they apply to the application.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from kernel.models import AuditEvent, Membership, Organisation, Team
from kernel.tenancy import tenant_scope
from measures.models import CheckIn, Kpi
from missions.models import KeyTask, Mission
from reviews.models import Review
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = pytest.mark.django_db


def test_the_suite_runs_as_a_role_the_policies_apply_to() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_every_tenant_table_has_a_forced_policy() -> None:
    """A new model with an organisation (or under one) needs its policy: this fails until the
    migration gives it one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
            "WHERE c.relrowsecurity AND c.relforcerowsecurity "
            "AND p.policyname = c.relname || '_tenant'"
        )
        protected = {row[0] for row in cursor.fetchall()}
    ours = {"missions", "measures", "reviews", "leadership"}
    tenant_tables = {
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in ours
        and any(f.name in ("organisation", "mission", "kpi", "review") for f in model._meta.fields)
    } | {Organisation._meta.db_table}
    assert tenant_tables - protected == UNGUARDED.keys()
    assert UNGUARDED.keys() - protected == UNGUARDED.keys()


# Tenant tables without a policy, each for a reason, read by one module that names the
# organisation in every query.
UNGUARDED = {
    # The search box's words: under a policy PostgreSQL cannot use the full-text index
    # (``@@`` is not leakproof), and read every entry of the organisation (reviews.search,
    # SearchEntry's docstring).
    "reviews_searchentry": "reviews.search",
}


def test_an_unscoped_query_returns_only_the_tenants_rows(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    CheckInFactory(kpi=kpi, author=world.staff)
    other_kpi = KpiFactory(mission=world.other_mission)
    CheckInFactory(kpi=other_kpi, author=world.outsider)
    KeyTask.objects.create(mission=world.other_mission, title="Theirs")
    Review.objects.create(mission=world.other_mission, due_date="2026-06-01")
    everything = {model: model.objects.count() for model in (Mission, Kpi, CheckIn, Team)}
    with tenant_scope([world.organisation.pk]):
        # Deliberately unscoped: no organisation filter anywhere.
        assert set(Mission.objects.values_list("organisation_id", flat=True)) == {
            world.organisation.pk
        }
        assert not Mission.objects.filter(pk=world.other_mission.pk).exists()
        assert list(Kpi.objects.all()) == [kpi]
        assert {c.kpi_id for c in CheckIn.objects.all()} == {kpi.pk}
        assert not KeyTask.objects.filter(mission=world.other_mission).exists()
        assert not Review.objects.filter(mission=world.other_mission).exists()
        assert list(Organisation.objects.all()) == [world.organisation]
        assert not Membership.objects.filter(user=world.outsider).exists()
        assert not AuditEvent.objects.exclude(organisation=world.organisation).exists()
    # Outside a scope (background work, the admin) every row is there again.
    assert {model: model.objects.count() for model in everything} == everything


def test_a_scope_refuses_writes_into_another_organisation(world) -> None:
    from django.db import DatabaseError

    with (
        pytest.raises(DatabaseError, match="row-level security"),
        tenant_scope([world.organisation.pk]),
    ):
        Team.objects.create(organisation=world.other_organisation, name="Smuggled")
    assert not Team.objects.filter(name="Smuggled").exists()


def test_a_users_scope_is_their_organisations(world) -> None:
    with tenant_scope(user=world.outsider):
        assert list(Organisation.objects.all()) == [world.other_organisation]
    with tenant_scope(user=world.staff):
        assert list(Organisation.objects.all()) == [world.organisation]


def test_a_page_of_one_organisation_sees_only_its_rows(world, client, monkeypatch) -> None:
    """A selector that forgot its filter, inside a page: the page still shows nothing else."""
    from missions import selectors

    monkeypatch.setattr(
        selectors, "top_missions", lambda *, actor: Mission.objects.filter(parent__isnull=True)
    )
    client.force_login(world.lead)
    page = client.get("/o/acme/").content.decode()
    assert world.org_mission.title in page
    assert world.other_mission.title not in page


def test_every_api_view_runs_in_its_callers_scope() -> None:
    """Generated from the URL configuration: an API view without the mixin fails here."""
    from kernel.tenancy import TenantScopedAPIMixin
    from tests.test_security_matrix import all_routes

    # The API's root and the log-in and token endpoints read no organisation's data.
    outside = {"api-root", "api-token"}
    unscoped = [
        name
        for name, (pattern, view) in all_routes().items()
        if pattern.startswith("api/v1/")
        and name not in outside
        and not name.startswith(("api-token", "auth-token", "token"))
        and not issubclass(view.cls, TenantScopedAPIMixin)
    ]
    assert unscoped == []


def test_an_api_request_sees_only_its_callers_organisations(world, monkeypatch) -> None:
    """A viewset whose queryset forgot its filter still answers only the caller's rows."""
    from rest_framework.test import APIClient

    from missions.api import views

    monkeypatch.setattr(
        views.MissionViewSet, "get_queryset", lambda self: Mission.objects.order_by("id")
    )
    api = APIClient()
    api.force_authenticate(world.staff)
    ids = {row["id"] for row in api.get("/api/v1/missions/?page_size=100").json()["results"]}
    assert world.staff_mission.pk in ids and world.other_mission.pk not in ids


def test_every_policy_reads_the_tenant_setting_once_per_statement() -> None:
    """A policy that calls ``current_setting`` outside a sub-select evaluates it, splits it and
    casts it for every row it reads: counts of 100,000 rows took 4 to 6 times as long.
    Write a new table's policy as ``missions/0013_tenant_policies_read_the_setting_once``
    does, ``(SELECT …)`` around each read of the setting."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, qual FROM pg_policies WHERE policyname = tablename || '_tenant'"
        )
        policies = cursor.fetchall()
    assert policies
    per_row = []
    for table, qual in policies:
        start = 0
        while (at := qual.find("current_setting(", start)) != -1:
            if "SELECT" not in qual[max(0, at - 30) : at]:
                per_row.append(table)
                break
            start = at + 1
    assert per_row == []


def test_a_table_with_its_organisation_is_guarded_by_that_column() -> None:
    """A policy that follows the parent row (``EXISTS`` over the missions) made PostgreSQL hash
    every mission of the organisation for a list of 50 reviews (about 50 ms at 100,000
    missions). Where a row carries its organisation, the policy compares that column."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, qual FROM pg_policies WHERE policyname = tablename || '_tenant'"
        )
        policies = dict(cursor.fetchall())
    with_column = {
        model._meta.db_table
        for model in apps.get_models()
        if any(f.name == "organisation" for f in model._meta.fields)
    }
    following = {t for t, qual in policies.items() if t in with_column and "EXISTS" in qual}
    assert following == set()
    assert "organisation_id = ANY" in policies[Review._meta.db_table]


def test_a_review_takes_its_missions_organisation(world) -> None:
    review = Review.objects.create(mission=world.team_mission, due_date=timezone.localdate())
    assert review.organisation_id == world.organisation.pk
