"""Reviews: every mission in play has its last 30-day review, held, and its next one,
scheduled; a draft or sent-back mission has none."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from missions.generate.tables import TableWriter
from reviews.models import Review

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

COLUMNS = [
    "organisation_id",
    "mission_id",
    "due_date",
    "held_on",
    "held_by_id",
    "summary",
    "still_aligned",
    "status",
]


def write_reviews(gen: Generator, build: Build) -> None:
    mission_ids = build.mission_ids
    in_play = sum(due is not None for due in build.next_review)
    reviews = TableWriter(gen, Review, COLUMNS, 2 * in_play, "reviews")
    for i, due in enumerate(build.next_review):
        if due is None:
            continue
        last = due - dt.timedelta(days=30)
        org = build.org_id
        reviews.add((org, mission_ids[i], last, last, build.actor[i], "Reviewed.", True, "done"))
        reviews.add((org, mission_ids[i], due, None, None, "", None, "scheduled"))
    reviews.close()
    build.written["reviews"] = reviews.written
