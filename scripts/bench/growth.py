"""How each page's cost grows with the organisation: the same pages, for the largest actor of
each, in organisations of 1,000, 10,000 and ``BENCH_MISSIONS`` missions (generated once, kept
like the main one). A page whose cost followed the organisation's size would show it here
long before a customer did; the figure to watch is the ratio of the largest to the smallest.

The largest actor is who pays most for a page: a person who owns 600 KPIs (My work, home,
their reviews and notifications), the leader of the largest directorate (its team dashboard),
an admin (People, the exports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, reset_queries
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from kernel.models import Membership, Organisation, Team
from measures.models import Kpi
from missions.models import Mission

from .config import MISSIONS, REPEAT
from .figures import log, median_ms
from .organisation import as_a_morning

SIZES = sorted({1_000, 10_000, MISSIONS})
# Where a page may cost more at the largest size than at the smallest (the bar).
GROWTH_LIMIT = 3.0
TARGET_MS = 300.0
GROWTH: list[dict[str, Any]] = []
EXPORT_OF_ALL = "CSV of all missions (top team's export)"
GROWS_BY_NATURE = {EXPORT_OF_ALL}


@dataclass(frozen=True)
class Actors:
    admin: Any
    token: str
    kpi_owner: Any  # owns BUSIEST_KPIS KPIs in person
    kpis_owned: int
    directorate: Team  # the team with the most missions in its subtree, below the top
    director: Any
    top_team: Team
    org_mission: Mission


def organisation(size: int) -> Organisation:
    slug = f"bench{size}"
    found = Organisation.objects.filter(slug=slug).first()
    if found is None:
        log(f"==> generating {size:,} missions for the growth table (once)")
        call_command("generate_org", missions=size, slug=slug, no_progress=True)
        found = Organisation.objects.get(slug=slug)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    as_a_morning(slug)
    return found


def actors(org: Organisation) -> Actors:
    admin, _ = get_user_model().objects.get_or_create(username=f"{org.slug}-admin")
    Membership.objects.update_or_create(
        organisation=org, user=admin, defaults={"role": Membership.Role.ADMIN}
    )
    token, _ = Token.objects.get_or_create(user=admin)
    busiest, owned = _busiest_person(org)
    directorate = _largest_directorate(org)
    return Actors(
        admin=admin,
        token=token.key,
        kpi_owner=busiest,
        kpis_owned=owned,
        directorate=directorate,
        director=directorate.leader or admin,
        top_team=Team.objects.get(organisation=org, parent__isnull=True),
        org_mission=Mission.objects.filter(organisation=org, parent__isnull=True)
        .order_by("id")
        .first(),
    )


# The largest actor of the pages that list what a person owns: someone who owns this many
# KPIs in person (the generator spreads work evenly: its busiest owner has about 23).
BUSIEST_KPIS = 600


def _busiest_person(org: Organisation) -> tuple[Any, int]:
    """A person who owns ``BUSIEST_KPIS`` active KPIs in person, the same at every size: the
    first individual missions, by id, until their KPIs add up, are given to them once and
    kept with the organisation. They are in no team, so no team's figures change."""
    person, _ = get_user_model().objects.get_or_create(
        username=f"{org.slug}-busiest", defaults={"first_name": "Busiest", "last_name": "Owner"}
    )
    Membership.objects.update_or_create(
        organisation=org, user=person, defaults={"role": Membership.Role.STAFF, "team": None}
    )
    mine = Kpi.objects.filter(
        organisation=org, status=Kpi.Status.ACTIVE, mission__owner_user=person
    )
    owned = mine.count()
    if owned < BUSIEST_KPIS:
        taken: list[int] = []
        rows = (
            Mission.objects.filter(
                organisation=org, level="individual", status="active", owner_user__isnull=False
            )
            .exclude(owner_user=person)
            .annotate(active_kpis=Count("kpis", filter=Q(kpis__status=Kpi.Status.ACTIVE)))
            .filter(active_kpis__gt=0)
            .order_by("id")
            .values_list("id", "active_kpis")
        )
        for pk, kpis in rows.iterator():
            taken.append(pk)
            owned += kpis
            if owned >= BUSIEST_KPIS:
                break
        Mission.objects.filter(pk__in=taken).update(owner_user=person)
    return person, owned


def _largest_directorate(org: Organisation) -> Team:
    """The team just below the top whose teams own the most missions."""
    parent = dict(Team.objects.filter(organisation=org).values_list("id", "parent_id"))
    owned = dict.fromkeys(parent, 0)
    for team_id in Mission.objects.filter(organisation=org, owner_team__isnull=False).values_list(
        "owner_team_id", flat=True
    ):
        owned[team_id] += 1
    top = next(pk for pk, up in parent.items() if up is None)

    def directorate_of(pk: int) -> int | None:
        while parent[pk] is not None and parent[pk] != top:
            pk = parent[pk]
        return pk if parent[pk] == top else None

    totals: dict[int, int] = {}
    for pk, n in owned.items():
        d = directorate_of(pk)
        if d is not None:
            totals[d] = totals.get(d, 0) + n
    return Team.objects.get(pk=max(totals, key=lambda pk: (totals[pk], -pk)))


def pages_of(org: Organisation, who: Actors) -> list[tuple[str, Any, str, dict[str, str]]]:
    """(name, user, url, headers) of every page in the table."""
    o = f"/o/{org.slug}"
    api = {"HTTP_AUTHORIZATION": f"Token {who.token}"}
    return [
        ("My work, the owner of 600 KPIs", who.kpi_owner, f"{o}/me/", {}),
        ("home, the owner of 600 KPIs", who.kpi_owner, f"{o}/", {}),
        ("People (admin)", who.admin, f"{o}/people/", {}),
        ("cascade", who.admin, f"{o}/cascade/", {}),
        ("cascade filtered by text (?q=e)", who.admin, f"{o}/cascade/?q=e", {}),
        (
            "new child of the organisation mission",
            who.admin,
            f"{o}/missions/new/?parent={who.org_mission.pk}",
            {},
        ),
        ("reviews list, the owner of 600 KPIs", who.kpi_owner, f"{o}/reviews/", {}),
        ("notifications, the owner of 600 KPIs", who.kpi_owner, f"{o}/notifications/", {}),
        ("organisation dashboard", who.admin, f"{o}/dashboard/", {}),
        (
            "team dashboard, the largest directorate",
            who.director,
            f"{o}/dashboard/teams/{who.directorate.pk}/",
            {},
        ),
        (
            EXPORT_OF_ALL,
            who.admin,
            f"{o}/dashboard/teams/{who.top_team.pk}/export.csv?table=missions",
            {},
        ),
        ("mission list API", who.admin, f"/api/v1/missions/?organisation={org.pk}", api),
        ("KPI list API", who.admin, f"/api/v1/kpis/?organisation={org.pk}", api),
    ]


def _fetch(client: Client, url: str, headers: dict[str, str]) -> Callable[[], None]:
    """One request, its body read to the end (an export is streamed: its cost is in the
    reading)."""

    def get() -> None:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            for _ in response.streaming_content:
                pass

    return get


def measure_growth(ctx: dict[str, Any]) -> None:
    log("==> growth: the same pages at " + ", ".join(f"{s:,}" for s in SIZES) + " missions")
    figures: dict[str, dict[int, tuple[float, int]]] = {}
    for size in SIZES:
        org = organisation(size)
        who = actors(org)
        log(f"  {org.slug}: the busiest person owns {who.kpis_owned:,} KPIs")
        for name, user, url, headers in pages_of(org, who):
            client = Client()
            client.force_login(user)
            get = _fetch(client, url, headers)
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                get()
            # Counted now: the log is the connection's, which the next requests reset.
            queries = len(captured)
            ms = median_ms(get, repeat=min(REPEAT, 5))
            figures.setdefault(name, {})[size] = (ms, queries)
            log(f"    {name}: {ms:.1f} ms, {queries} queries")
    for name, by_size in figures.items():
        small, large = by_size[SIZES[0]][0], by_size[SIZES[-1]][0]
        GROWTH.append(
            {
                "name": name,
                "by_size": by_size,
                "growth": large / small if small else None,
                # An export of every mission grows with them by its nature: its bar is the
                # speed of the database (the export row, against a COPY of the same rows).
                "met": None
                if name in GROWS_BY_NATURE
                else large < TARGET_MS and (small == 0 or large / small <= GROWTH_LIMIT),
            }
        )


def growth_table() -> str:
    head = " | ".join(f"{s:,} missions" for s in SIZES)
    lines = [
        f"| page (largest actor) | {head} | growth | queries | under {TARGET_MS:.0f} ms and "
        f"≤ {GROWTH_LIMIT:.0f}× |",
        "| --- | " + " | ".join("---:" for _ in SIZES) + " | ---: | --- | --- |",
    ]
    for row in GROWTH:
        cells = " | ".join(f"{row['by_size'][s][0]:,.0f} ms" for s in SIZES)
        queries = "/".join(str(row["by_size"][s][1]) for s in SIZES)
        growth = f"{row['growth']:.1f}×" if row["growth"] else "—"
        met = {True: "met", False: "**missed**", None: "n/a: within 2× of `COPY`, above"}[
            row["met"]
        ]
        lines.append(f"| {row['name']} | {cells} | {growth} | {queries} | {met} |")
    return "\n".join(lines)
