"""The table of sent / lost / duplicated per scenario, printed and written into the marked
section of ``docs/reliability.md`` (the prose around it is written by hand)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from django.db import connection
from django.utils import timezone

from .runner import Result, counted

START, END = "<!-- chaos:start -->", "<!-- chaos:end -->"


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | effect | due | sent | lost | duplicated | all sent | app recovered |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for result in results:
        web = (
            f"web: {counted(result.web_failures, 'failed health check', 'failed health checks')}"
            f" within {result.web_down:.1f} s"
            if result.web_failures
            else "web: no failed health check"
        )
        recovered = f"{'yes' if result.recovered else '**no**'} ({web})"
        for i, t in enumerate(result.tallies):
            first = i == 0
            dup = f"{t.duplicated}" + (f" (+{t.extra} copies)" if t.extra else "")
            if t.resent:
                dup += f"; {t.resent} re-sent with the same Message-ID"
            lines.append(
                f"| {f'`{result.key}`' if first else ''} | {t.effect} | {t.due} | {t.sent} "
                f"| {_bold(t.lost)} | {_bold(t.duplicated, dup)} "
                f"| {_all_sent(result) if first else ''} "
                f"| {recovered if first else ''} |"
            )
    return "\n".join(lines)


def _all_sent(result: Result) -> str:
    if result.seconds is None:
        return "**never**"
    caught = f", {result.caught_up} by the next sweep" if result.caught_up else ""
    return f"{result.seconds:.0f} s after the fault{caught}"


def _bold(n: int, text: str | None = None) -> str:
    text = text if text is not None else str(n)
    return f"**{text}**" if n else text


def notes(results: list[Result]) -> str:
    lines = []
    for result in results:
        if result.notes:
            lines.append(f"- `{result.key}`: " + "; ".join(result.notes) + ".")
    return "\n".join(lines)


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {pg.split()[0]}"
    )


def write(path: Path, results: list[Result], *, elapsed: float, redis_version: str) -> str:
    text = table(results)
    body = (
        f"{START}\nMeasured by `make chaos` on {timezone.localdate():%-d %B %Y} on {machine()}, "
        f"Redis {redis_version}, in {elapsed:.0f} s.\n\n{text}\n\nWhat the harness did and "
        f"saw:\n\n{notes(results)}\n{END}"
    )
    old = path.read_text() if path.exists() else ""
    if START in old and END in old:
        new = old[: old.index(START)] + body + old[old.index(END) + len(END) :]
    else:
        new = "# Reliability\n\n" + body + "\n"
    path.write_text(new)
    return text
