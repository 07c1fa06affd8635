"""Ready for sharding by organisation: every tenant table carries ``organisation_id``, every
unique constraint of a tenant table includes it, and every link between two tenant tables is
a composite key with it. A distributed PostgreSQL (Citus, distributed by organisation) then
places an organisation's rows on one node and keeps its constraints there; a new table that
breaks the rule fails here. ``docs/scaling.md`` says what the exceptions below cost.

Read from the database itself (the tenant tables are those with their row-level security
policy), so constraints written by hand in migrations count as Django's do.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from tests.tenancy.test_row_level_security import UNGUARDED

pytestmark = pytest.mark.django_db

UNDER_A_PARENT = (
    "lives under its parent row and reads the organisation through it (as its policy does); "
    "before distributing, give it organisation_id"
)

# Tenant tables without the column: the organisations themselves, and three children whose
# organisation is their parent's.
WITHOUT_ORGANISATION = {
    "missions_organisation": "the organisations themselves: their id is the distribution key",
    "missions_keytask": UNDER_A_PARENT + " (the mission)",
    "measures_checkin": UNDER_A_PARENT + " (the KPI)",
    "reviews_reminder": UNDER_A_PARENT + " (the review)",
}

NO_ORGANISATION_HERE = "its table has no organisation_id yet (see above)"

GLOBAL_LOOKUP = (
    "found before the organisation is known (a token presented by a caller): a distributed "
    "database keeps it in a reference table"
)

# (table, constraint) → why its unique constraint may leave the organisation out.
UNIQUE_WITHOUT_ORGANISATION = {
    ("missions_organisation", "missions_organisation_slug_key"): (
        "an organisation's address is unique among organisations (the table of tenants)"
    ),
    ("missions_invitation", "missions_invitation_token_hash_key"): GLOBAL_LOOKUP,
    ("accounts_scimtoken", "accounts_scimtoken_digest_key"): GLOBAL_LOOKUP,
    ("reviews_calendarfeed", "reviews_calendarfeed_digest_key"): GLOBAL_LOOKUP,
    ("accounts_scimgroup", "accounts_scimgroup_team_id_key"): (
        "one-to-one with its team, which is of the group's organisation; a composite "
        "(organisation, team) key replaces it before distributing"
    ),
    ("leadership_idea", "leadership_idea_child_mission_id_key"): (
        "one-to-one with the mission the idea became, of the idea's organisation; a composite "
        "(organisation, mission) key replaces it before distributing"
    ),
    ("leadership_idea", "leadership_idea_key_task_id_key"): (
        "one-to-one with a key task, which has no organisation_id yet (see above)"
    ),
    ("leadership_contribution", "leadership_contribution_once"): (
        "a coalition links missions of different organisations by design: the contributions "
        "of a coalition are shared, a reference table for a distributed database"
    ),
    ("reviews_reminder", "reviews_reminder_once"): NO_ORGANISATION_HERE,
    ("reviews_searchentry", "reviews_search_one"): (
        "kept by database triggers with ON CONFLICT (object_id, kind); the triggers and the "
        "key gain organisation_id together before distributing (after it, not first: a key "
        "that starts with the organisation offers the planner its every entry, see SearchEntry)"
    ),
}

NO_ORGANISATION_AT_ONE_END = "one end has no organisation_id yet (see above)"

# (table, column) → why a link between two tenant tables is not a composite key.
LINKS_WITHOUT_ORGANISATION = {
    ("missions_keytask", "mission_id"): NO_ORGANISATION_AT_ONE_END,
    ("measures_checkin", "kpi_id"): NO_ORGANISATION_AT_ONE_END,
    ("measures_checkin", "supersedes_id"): NO_ORGANISATION_AT_ONE_END,
    ("reviews_reminder", "review_id"): NO_ORGANISATION_AT_ONE_END,
    ("leadership_idea", "key_task_id"): NO_ORGANISATION_AT_ONE_END,
    ("missions_interdependency", "for_task_id"): NO_ORGANISATION_AT_ONE_END,
    ("reviews_comment", "key_task_id"): NO_ORGANISATION_AT_ONE_END,
    ("leadership_coalitionlink", "depends_on_id"): (
        "a coalition's links join contributions of different organisations by design"
    ),
    ("leadership_sessionnote", "session_id"): (
        "a learning group's sessions are open to a coalition's other organisations, whose "
        "members note them"
    ),
}


def tenant_tables() -> set[str]:
    """The tables with their tenant policy, and those an organisation's rows live in without
    one, each for its reason (``tests/tenancy``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = tablename || '_tenant'"
        )
        return {row[0] for row in cursor.fetchall()} | UNGUARDED.keys()


def constraints_of(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def columns_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def test_every_model_with_an_organisation_is_a_tenant_table() -> None:
    tenants = tenant_tables()
    with_organisation = {
        model._meta.db_table
        for model in apps.get_models()
        if any(f.name == "organisation" and f.is_relation for f in model._meta.fields)
    }
    assert with_organisation - tenants == set()


def test_every_tenant_table_carries_the_organisation() -> None:
    without = {t for t in tenant_tables() if "organisation_id" not in columns_of(t)}
    assert without == set(WITHOUT_ORGANISATION)


def unique_constraints_without_the_organisation() -> set[tuple[str, str]]:
    found = set()
    for table in tenant_tables():
        for name, constraint in constraints_of(table).items():
            if (
                constraint["unique"]
                and not constraint["primary_key"]
                and "organisation_id" not in constraint["columns"]
            ):
                found.add((table, name))
    return found


def test_every_unique_constraint_of_a_tenant_table_includes_the_organisation() -> None:
    """Unique constraints, unique fields, one-to-one fields and unique indexes alike. An
    exception that no longer applies must leave the list too."""
    assert unique_constraints_without_the_organisation() == set(UNIQUE_WITHOUT_ORGANISATION)


def links_without_the_organisation() -> set[tuple[str, str]]:
    tenants = tenant_tables()
    found = set()
    for table in tenants:
        keys = [c for c in constraints_of(table).values() if c["foreign_key"]]
        composite = {
            next(col for col in key["columns"] if col != "organisation_id")
            for key in keys
            if set(key["columns"]) >= {"organisation_id"} and len(key["columns"]) == 2
        }
        for key in keys:
            (column,) = key["columns"] if len(key["columns"]) == 1 else (None,)
            target = key["foreign_key"][0]
            linked = column not in (None, "organisation_id") and target in tenants
            if linked and column not in composite:
                found.add((table, column))
    return found


def test_every_link_between_tenant_tables_is_a_key_with_the_organisation() -> None:
    """A foreign key from a tenant table to another has its composite twin ``(organisation_id,
    column) → (organisation_id, id)`` (``kernel.row_security.same_organisation_keys``)."""
    assert links_without_the_organisation() == set(LINKS_WITHOUT_ORGANISATION)


def test_every_exception_gives_its_reason() -> None:
    for reasons in (WITHOUT_ORGANISATION, UNIQUE_WITHOUT_ORGANISATION, LINKS_WITHOUT_ORGANISATION):
        assert all(len(reason) > 20 for reason in reasons.values())
