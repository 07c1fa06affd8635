"""Row-level security on every tenant table (PostgreSQL; see ``missions/tenancy.py``).

Each policy shows a row when no tenant is set for the transaction (background work across
organisations, the admin, commands) or when its organisation is among those set. Tables without
an ``organisation_id`` follow their parent row, whose own policy decides. ``FORCE`` applies the
policies to the tables' owner too, which is the role the application connects as.
"""

from django.db import migrations

TENANTS = "NULLIF(current_setting('missionlead.organisations', true), '')"
# The organisations set for this transaction, as an array of ids.
SET = "string_to_array(current_setting('missionlead.organisations', true), ',')::bigint[]"

# table -> the condition a row must meet when a tenant is set
POLICIES = {
    "missions_organisation": f"id = ANY ({SET})",
    **{
        table: f"organisation_id = ANY ({SET})"
        for table in (
            "missions_team",
            "missions_membership",
            "missions_coachassignment",
            "missions_vision",
            "missions_mission",
            "missions_interdependency",
            "missions_auditevent",
            "missions_notification",
            "missions_invitation",
            "measures_kpi",
            "reviews_finding",
            "reviews_alignmentsnapshot",
            "reviews_coachingnote",
        )
    },
    # Rows without an organisation of their own follow their parent, whose policy applies
    # inside the sub-select.
    "missions_keytask": "EXISTS (SELECT 1 FROM missions_mission p WHERE p.id = mission_id)",
    "reviews_review": "EXISTS (SELECT 1 FROM missions_mission p WHERE p.id = mission_id)",
    "measures_checkin": "EXISTS (SELECT 1 FROM measures_kpi p WHERE p.id = kpi_id)",
    "reviews_reminder": "EXISTS (SELECT 1 FROM reviews_review p WHERE p.id = review_id)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, condition in POLICIES.items():
        rule = f"({TENANTS} IS NULL OR {condition})"
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY {table}_tenant ON {table} USING {rule} WITH CHECK {rule}"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in POLICIES:
        schema_editor.execute(f"DROP POLICY {table}_tenant ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0007_bounds"),
        ("measures", "0007_bounds"),
        ("reviews", "0007_bounds"),
    ]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
