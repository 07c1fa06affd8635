"""Pages and API endpoints measured in process, through Django's test client, with their
query counts."""

from __future__ import annotations

from typing import Any

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kernel import tree
from kernel.models import Organisation, Team
from missions.models import Mission

from .figures import log, median_ms, raw, record

# The KPI list's page: the columns its rows are built from, 50 by id.
KPI_LIST_SQL = (
    "SELECT id, mission_id, name, unit, direction, baseline, target, target_max, due_date, "
    "cadence_days, weight, parent_kpi_id, status, progress, forecast_value, forecast_status, "
    "forecast_reach_date, forecast_probability, forecast_low, forecast_high, forecast_method, "
    "latest_value, rollup_progress FROM measures_kpi WHERE organisation_id = %s "
    "ORDER BY id LIMIT 50"
)


def page(client: Client, url: str, **headers: str) -> tuple[float, int]:
    def get() -> None:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)

    reset_queries()  # each request resets the log; start the count from an empty one
    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries)  # before the timed runs, whose requests clear the log again
    return median_ms(get), count


def measure_pages(ctx: dict[str, Any]) -> None:
    log("==> pages and endpoints (in process)")
    org: Organisation = ctx["organisation"]
    client = Client()
    client.force_login(ctx["admin"])
    auth = {"HTTP_AUTHORIZATION": f"Token {ctx['token']}"}
    root = Mission.objects.get(pk=ctx["subtree_root"])
    prefix = tree.child_path(root.path, root.pk) + "%"
    tree_columns = (
        "id, parent_id, level, title, owner_team_id, owner_user_id, status, "
        "alignment_status, period_start, period_end"
    )

    ms, queries = page(client, f"/api/v1/missions/{root.pk}/tree/", **auth)
    base = median_ms(
        raw(
            f"SELECT {tree_columns} FROM missions_mission WHERE id = %s OR path LIKE %s",
            [root.pk, prefix],
        )
    )
    record(
        f"subtree API, {ctx['subtree_size']:,} missions",
        ms,
        base,
        queries=queries,
        target="≤ 3× baseline",
        met=ms <= 3 * base,
    )

    children = (
        "SELECT m.id, m.title, m.level, m.alignment_status, m.owner_team_id, "
        "m.owner_user_id, (SELECT COUNT(*) FROM missions_mission c "
        "WHERE c.parent_id = m.id) AS child_count FROM missions_mission m "
        "WHERE {where} ORDER BY m.level, m.title"
    )
    ms, queries = page(client, f"/o/{org.slug}/cascade/")
    base = median_ms(
        raw(children.format(where="m.organisation_id = %s AND m.parent_id IS NULL"), [org.pk])
    )
    record("cascade page (top level)", ms, base, queries=queries)
    ms, queries = page(client, f"/o/{org.slug}/cascade/{root.pk}/children/")
    base = median_ms(raw(children.format(where="m.parent_id = %s") + " LIMIT 100", [root.pk]))
    record("cascade branch (children of the subtree root)", ms, base, queries=queries)
    ms, queries = page(client, f"/o/{org.slug}/missions/{root.pk}/")
    base = median_ms(raw(children.format(where="m.parent_id = %s") + " LIMIT 100", [root.pk]))
    record("mission page (the subtree root)", ms, base, queries=queries)

    ms, queries = page(client, f"/o/{org.slug}/dashboard/")
    base = median_ms(
        raw(
            "SELECT k.forecast_status, COUNT(*) FROM measures_kpi k "
            "WHERE k.organisation_id = %s AND k.status = 'active' GROUP BY k.forecast_status",
            [org.pk],
        )
    )
    record("organisation dashboard", ms, base, queries=queries, target="< 300 ms", met=ms < 300)
    team = Team.objects.filter(organisation=org, parent__isnull=False).order_by("id").first()
    if team is not None:
        ms, queries = page(client, f"/o/{org.slug}/dashboard/teams/{team.pk}/")
        record("team dashboard (a directorate and its sub-teams)", ms, base, queries=queries)

    list_sql = (
        "SELECT id, organisation_id, level, title, statement, intent, parent_id, "
        "owner_team_id, owner_user_id, period_start, period_end, status, "
        "alignment_status, deadline, scope, budget, headcount, constraints, "
        "decision_rights, review_cadence_days, next_review_due, created_at, updated_at "
        "FROM missions_mission WHERE organisation_id = %s ORDER BY id LIMIT 50"
    )
    ctx["list_baseline"] = median_ms(raw(list_sql, [org.pk]))
    ms, queries = page(client, f"/api/v1/missions/?organisation={org.pk}", **auth)
    record("mission list API, one request", ms, ctx["list_baseline"], queries=queries)
    ctx["kpi_list_baseline"] = median_ms(raw(KPI_LIST_SQL, [org.pk]))
    ms, queries = page(client, f"/api/v1/kpis/?organisation={org.pk}", **auth)
    record("KPI list API, one request", ms, ctx["kpi_list_baseline"], queries=queries)


class _Sink:
    """Where the baseline's COPY writes: counted, not kept."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def measure_export(ctx: dict[str, Any]) -> None:
    """The CSV of every active mission of the top team (the whole organisation), read to its
    last byte, beside PostgreSQL's ``COPY … TO STDOUT`` of the same query: the floor of any
    export of these rows."""
    from reviews.dashboards import exports, missions_in_scope

    org: Organisation = ctx["organisation"]
    top = Team.objects.get(organisation=org, parent__isnull=True)
    client = Client()
    client.force_login(ctx["admin"])
    url = f"/o/{org.slug}/dashboard/teams/{top.pk}/export.csv?table=missions"

    def export() -> None:
        response = client.get(url)
        assert response.status_code == 200
        for _ in response.streaming_content:
            pass

    missions = (
        missions_in_scope(organisation=org, scope=[top])
        .filter(status=Mission.Status.ACTIVE)
        .order_by("path", "id")
    )
    # The same query the export runs (its values, its order), handed to COPY.
    sql, params = exports.mission_query(missions).query.sql_with_params()

    def copy() -> None:
        with connection.cursor() as cursor:
            inner = cursor.mogrify(sql, params).decode()
            cursor.copy_expert(f"COPY ({inner}) TO STDOUT WITH (FORMAT csv)", _Sink())

    ms = median_ms(export, repeat=5)
    base = median_ms(copy, repeat=5)
    record(
        f"CSV of all {missions.count():,} active missions",
        ms,
        base,
        target="≤ 2× COPY",
        met=ms <= 2 * base,
        note="(baseline: COPY of the same query)",
    )
