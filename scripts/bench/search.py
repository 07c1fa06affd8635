"""The search box at the size of the bench organisation: the page for a word found in
thousands of missions, KPIs and key tasks, for two words, and for the start of a word, beside
the baseline of ranking the missions alone with one query (the page ranks six kinds); and the
query plan, which must read the full-text index, not scan the entries."""

from __future__ import annotations

import statistics
import time
from typing import Any
from urllib.parse import quote

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kernel.models import Organisation
from reviews import search

from .config import REPEAT
from .figures import log, record

QUERIES = ("billing", "automate billing", "onboard")
TARGET_MS = 100
BASELINE = "baseline: ranking the missions alone"


def measure_search(ctx: dict[str, Any]) -> None:
    log("==> search (in process)")
    org: Organisation = ctx["organisation"]
    client = Client()
    client.force_login(ctx["admin"])
    for text in QUERIES:
        url = f"/o/{org.slug}/search/?q={quote(text)}"
        queries = _queries(client, url)
        times = _runs(lambda url=url: client.get(url))
        ms = statistics.median(times)
        base = statistics.median(_runs(lambda text=text: _rank_missions(org, text)))
        found = search.search(organisation=org, text=text).found
        record(
            f"search page, “{text}” ({found:,}{'+' if found >= 500 else ''} found)",
            ms,
            base,
            queries=queries,
            target=f"< {TARGET_MS} ms",
            met=ms < TARGET_MS,
            note=f"(runs {min(times):.0f}–{max(times):.0f} ms; {BASELINE})",
        )
    plan = _plan(org, QUERIES[0])
    uses_index = "reviews_search_vector" in plan and "Seq Scan on reviews_searchentry" not in plan
    log("  search plan: " + ("the full-text index" if uses_index else "NO INDEX:\n" + plan))
    ctx["search_plan_uses_index"] = uses_index
    assert uses_index, plan


def _rank_missions(org: Organisation, text: str) -> list[Any]:
    return search._ranked_postgres(org, "mission", search.words_of(text))


def _plan(org: Organisation, text: str) -> str:
    params = {
        "org": org.pk,
        "kind": "mission",
        "config": "english",
        "query": search.tsquery_text(search.words_of(text)),
        "counted": search.COUNTED,
        "shown": search.SHOWN,
    }
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + search._ENTRY_RANKED, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _runs(fn: Any, repeat: int = REPEAT) -> list[float]:
    fn()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _queries(client: Client, url: str) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
