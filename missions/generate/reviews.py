"""Reviews: every mission's last 30-day review, held, and its next one, scheduled."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from missions.generate.tables import TableWriter
from reviews.models import Review

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

COLUMNS = ["mission_id", "due_date", "held_on", "held_by_id", "summary", "still_aligned", "status"]


def write_reviews(gen: Generator, build: Build) -> None:
    mission_ids, n = build.mission_ids, len(build.mission_ids)
    reviews = TableWriter(gen, Review, COLUMNS, 2 * n, "reviews")
    for i in range(n):
        last = build.next_review[i] - dt.timedelta(days=30)
        reviews.add((mission_ids[i], last, last, build.actor[i], "Reviewed.", True, "done"))
        reviews.add((mission_ids[i], build.next_review[i], None, None, "", None, "scheduled"))
    reviews.close()
    build.written["reviews"] = reviews.written
