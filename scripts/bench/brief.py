"""The weekly brief (reviews.brief) at the organisation's size: the page and the API of the
CEO (the whole organisation), the leader of a directorate (a team right under the top team)
and one person (an individual mission's owner), in process through Django's test client, with
their query counts. ``python scripts/bench/brief.py`` runs it alone, on the organisation of
``BENCH_MISSIONS`` missions (generated first if it is missing)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # alone: the benchmark's environment, before Django starts
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    from scripts.bench.config import BENCH_ENV

    os.environ.update(BENCH_ENV)
    import django

    django.setup()

from django.test import Client

from kernel.models import Organisation, Team
from missions.models import Mission
from reviews.brief.prepared import leaders_of_large_parts, prepare_briefs
from scripts.bench.figures import log, record
from scripts.bench.pages import page


def readers(organisation: Organisation) -> dict[str, Any]:
    """The CEO, a directorate's leader (the team under the top team with most missions under
    it) and a person with an individual mission."""
    top = Team.objects.filter(organisation=organisation, parent=None).exclude(leader=None).first()
    assert top is not None and top.leader is not None
    directorate = (
        Team.objects.filter(organisation=organisation, parent=top)
        .exclude(leader=None)
        .order_by("pk")
        .first()
    )
    assert directorate is not None and directorate.leader is not None
    person = (
        Mission.objects.filter(organisation=organisation, level=Mission.Level.INDIVIDUAL)
        .exclude(owner_user=None)
        # Someone with an ordinary load: the growth table's owner of 600 KPIs is not them.
        .exclude(owner_user__username=f"{organisation.slug}-busiest")
        .order_by("pk")
        .values_list("owner_user", flat=True)
        .first()
    )
    from django.contrib.auth import get_user_model

    return {
        "CEO": top.leader,
        "directorate leader": directorate.leader,
        "person": get_user_model().objects.get(pk=person),
    }


def measure_brief(ctx: dict[str, Any]) -> None:
    """Each reader's brief read now (``?live=1``), then the briefs a worker prepares after the
    night's checks (``reviews.brief.prepared``: the leaders of parts of 5,000 missions or more)
    and the pages that serve them."""
    log("==> the weekly brief (in process)")
    org: Organisation = ctx["organisation"]
    clients = {}
    for who, user in readers(org).items():
        client = clients[who] = Client()
        client.force_login(user)
        ms, queries = page(client, f"/o/{org.slug}/brief/?live=1")
        record(f"weekly brief page ({who})", ms, None, queries=queries)
        log(f"    brief page, {who}: {ms:.0f} ms, {queries} queries")
        ms, queries = page(client, f"/api/v1/brief/?organisation={org.slug}&live=1")
        record(f"GET /api/v1/brief/ ({who})", ms, None, queries=queries)
        log(f"    brief API, {who}: {ms:.0f} ms, {queries} queries")
    leaders = len(leaders_of_large_parts(org))
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        kept = prepare_briefs(org)
        runs.append((time.perf_counter() - started) * 1000)
    record(
        f"briefs prepared after the night's checks ({kept} of {leaders} leaders of large parts)",
        statistics.median(runs),
        None,
        note=f"median of 3, {min(runs) / 1000:.1f}–{max(runs) / 1000:.1f} s",
    )
    log(f"    {kept} briefs prepared: {statistics.median(runs) / 1000:.1f} s")
    for who in ("CEO", "directorate leader"):
        ms, queries = page(clients[who], f"/o/{org.slug}/brief/")
        record(
            f"weekly brief page, prepared ({who})",
            ms,
            None,
            queries=queries,
            target="< 300 ms",
            met=ms < 300,
        )
        log(f"    brief page, prepared, {who}: {ms:.0f} ms, {queries} queries")


if __name__ == "__main__":
    from scripts.bench import organisation

    measure_brief(organisation.prepare())
