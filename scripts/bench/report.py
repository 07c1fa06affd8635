"""The report: the table, printed and written between the markers of docs/PERFORMANCE.md,
with the machine it was measured on."""

from __future__ import annotations

import os
import platform
from typing import Any

from django.db import connection
from django.utils import timezone

from .config import LOAD_SECONDS, REPEAT, ROOT, SLUG
from .figures import ROWS, log
from .growth import GROWTH_LIMIT, SIZES, TARGET_MS, growth_table


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {pg.split()[0]}"
    )


def table() -> str:
    lines = [
        "| measurement | median | baseline | ratio | queries | target | |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in ROWS:
        ms = f"{row['ms']:,.1f} ms"
        base = f"{row['baseline']:,.1f} ms" if row["baseline"] else "—"
        ratio = f"{row['ratio']:.1f}×" if row["ratio"] else "—"
        queries = str(row["queries"]) if row["queries"] is not None else "—"
        met = {True: "met", False: "**missed**", None: ""}[row["met"]]
        lines.append(
            f"| {row['name']} {row['note']} | {ms} | {base} | {ratio} | {queries} "
            f"| {row['target']} | {met} |"
        )
    return "\n".join(lines)


def write_report(ctx: dict[str, Any], elapsed: float) -> None:
    text = table()
    print("\n" + text + "\n\n" + growth_table() + "\n")
    path = ROOT / "docs/PERFORMANCE.md"
    old = path.read_text() if path.exists() else ""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    body = (
        f"{start}\nMeasured by `make bench` on {timezone.localdate():%-d %B %Y} on {machine()}, "
        f"in {elapsed:.0f} s. Organisation `{SLUG}`: {ctx['missions']:,} missions, "
        f"{ctx['kpis']:,} KPIs, {ctx['check_ins']:,} check-ins. Medians of {REPEAT} runs "
        "(pages), 3 runs (alignment checks) or one "
        f"{LOAD_SECONDS}-second wrk run per line (load; the list APIs on 2 workers: the "
        "medians of 3 runs, their spread in the line). The baseline, measured in the same run, "
        "is the same rows fetched with one raw SQL query and serialised with orjson, unless "
        "the line names another (a COPY of the same rows; the checks' own writes alone); the "
        f"ratio is the figure over it.\n\n{text}\n\n"
        "### Growth with the organisation\n\n"
        f"Each page for the largest actor of organisations of "
        f"{', '.join(f'{s:,}' for s in SIZES)} missions (medians of 5 requests; an export read "
        f"to its last byte); growth is the largest organisation's figure over the smallest's, "
        f"queries are per size. The bar: under {TARGET_MS:.0f} ms and no more than "
        f"{GROWTH_LIMIT:.0f}× the smallest.\n\n{growth_table()}\n{end}"
    )
    if start in old and end in old:
        new = old[: old.index(start)] + body + old[old.index(end) + len(end) :]
    else:
        new = "# Performance\n\n" + body + "\n"
    path.write_text(new)
    log(f"==> written to {path.relative_to(ROOT)}")
