"""The search box: missions, KPIs, key tasks, comments, teams and people of the organisation,
found by their words and grouped by kind, best first.

On PostgreSQL the words are full-text vectors: the missions', KPIs', key tasks', comments' and
teams' kept in ``SearchEntry`` by triggers (migrations 0022, 0024 and 0026), the people's names
read through an index on the users' table. Each word typed is a prefix ("recruit" finds
"recruitment"), all of them must match, and a match in a title ranks above one in the text. On
SQLite (``make run``) each word is looked for in the same columns, in the order of the titles.

Everyone of an organisation sees its missions, KPIs, key tasks, comments, teams and people
(``kernel.permissions.can`` answers ``VIEW`` for all of them), so the search reads the
organisation's rows and nothing else; row-level security holds it to them as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse

from kernel.history import person_name
from kernel.models import Organisation, Team
from measures.models import Kpi
from missions.models import KeyTask, Mission

from .models import Comment
from .services.comments import comment_url

# What a group shows, and how many matches of each kind are counted before the page says
# "more than": ranking reads at most this many, so a word found everywhere costs the same at
# 1,000 missions as at 100,000.
SHOWN = 10
COUNTED = 500
# Words a query may hold, and the shortest that is matched as a prefix (one letter would
# match nearly every word of the organisation).
MOST_WORDS = 8
SHORTEST_PREFIX = 2
ENGLISH, SIMPLE = "english", "simple"
KINDS = ("mission", "kpi", "key_task", "comment", "team", "person")
KIND_LABELS = {
    "mission": "Missions",
    "kpi": "KPIs",
    "key_task": "Key tasks",
    "comment": "Comments",
    "team": "Teams",
    "person": "People",
}


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""
    status: str = ""


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    found: int = 0  # up to ``COUNTED``

    @property
    def more(self) -> bool:
        return self.found >= COUNTED


@dataclass
class Results:
    text: str
    words: list[str]
    groups: list[Group]

    @property
    def found(self) -> int:
        return sum(group.found for group in self.groups)


def words_of(text: str) -> list[str]:
    """The words of a query, lower case, at most ``MOST_WORDS``: letters and digits only, so
    that nothing typed reaches the query's syntax."""
    return re.findall(r"\w+", text.lower())[:MOST_WORDS]


def tsquery_text(words: list[str]) -> str:
    """``to_tsquery``'s text for ``words``: all of them, each a prefix when long enough."""
    return " & ".join(f"{w}:*" if len(w) >= SHORTEST_PREFIX else w for w in words)


def search(*, organisation: Organisation, text: str) -> Results:
    """The organisation's missions, KPIs, key tasks, comments, teams and people that ``text``
    finds.
    A constant number of queries: one to rank each kind, one to read each kind's hits."""
    words = words_of(text)
    groups = [Group(kind=kind, label=KIND_LABELS[kind]) for kind in KINDS]
    if words:
        ranked = _ranked_postgres if connection.vendor == "postgresql" else _ranked_anywhere
        for group in groups:
            ids, group.found = ranked(organisation, group.kind, words)
            group.hits = _hits(organisation, group.kind, ids)
    return Results(text=text, words=words, groups=groups)


# Ranking ---------------------------------------------------------------------------------------

_ENTRY_RANKED = """
    SELECT found.object_id, COUNT(*) OVER ()
    FROM (SELECT e.object_id, e.vector FROM reviews_searchentry e
          WHERE e.organisation_id = %(org)s AND e.kind = %(kind)s
            AND e.vector @@ to_tsquery(%(config)s::regconfig, %(query)s)
          LIMIT %(counted)s) AS found
    ORDER BY ts_rank(found.vector, to_tsquery(%(config)s::regconfig, %(query)s)) DESC,
             found.object_id
    LIMIT %(shown)s
"""
# People's names are indexed on the users' table (which has no row-level security: the
# planner may use the index), by this expression of migration 0022 to the letter, or the
# planner cannot match it to the index and reads every user.
_PERSON_WORDS = (
    "to_tsvector('simple'::regconfig, u.first_name || ' ' || u.last_name || ' ' || u.username)"
)
_PERSON_RANKED = f"""
    SELECT found.id, COUNT(*) OVER () FROM (
        SELECT u.id, u.username AS name, {_PERSON_WORDS} AS words FROM auth_user u
        WHERE u.is_active
          AND EXISTS (SELECT 1 FROM missions_membership ms
                      WHERE ms.user_id = u.id AND ms.organisation_id = %(org)s)
          AND {_PERSON_WORDS} @@ to_tsquery('simple', %(query)s)
        LIMIT %(counted)s) AS found
    ORDER BY ts_rank(found.words, to_tsquery('simple', %(query)s)) DESC, found.name, found.id
    LIMIT %(shown)s
"""
# Names are matched word for word: no stemming, no stop words ("Will" is a name).
_CONFIG = {"team": SIMPLE, "person": SIMPLE}


def _ranked_postgres(
    organisation: Organisation, kind: str, words: list[str]
) -> tuple[list[int], int]:
    """The ids of the best ``SHOWN`` matches of ``kind``, and how many matched (up to
    ``COUNTED``), in one query."""
    params: dict[str, Any] = {
        "org": organisation.pk,
        "kind": kind,
        "config": _CONFIG.get(kind, ENGLISH),
        "query": tsquery_text(words),
        "counted": COUNTED,
        "shown": SHOWN,
    }
    with connection.cursor() as cursor:
        cursor.execute(_PERSON_RANKED if kind == "person" else _ENTRY_RANKED, params)
        rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


# The columns each kind's words are in, for SQLite: every word in one of them.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "mission": ("title", "statement", "intent"),
    "kpi": ("name", "unit"),
    "key_task": ("title", "description"),
    "comment": ("body",),
    "team": ("name",),
    "person": ("first_name", "last_name", "username"),
}


def _ranked_anywhere(
    organisation: Organisation, kind: str, words: list[str]
) -> tuple[list[int], int]:
    """The same on any database: each word in one of the kind's columns, titles in order."""
    rows = _rows(organisation, kind)
    for word in words:
        found = Q()
        for column in _COLUMNS[kind]:
            found |= Q(**{f"{column}__icontains": word})
        rows = rows.filter(found)
    ids = list(rows.order_by(_COLUMNS[kind][0], "pk").values_list("pk", flat=True)[:COUNTED])
    return ids[:SHOWN], len(ids)


def _rows(organisation: Organisation, kind: str) -> QuerySet[Any]:
    if kind == "mission":
        return Mission.objects.filter(organisation=organisation)
    if kind == "kpi":
        return Kpi.objects.filter(organisation=organisation)
    if kind == "key_task":
        return KeyTask.objects.filter(mission__organisation=organisation)
    if kind == "comment":
        return Comment.objects.filter(organisation=organisation, removed_at=None)
    if kind == "team":
        return Team.objects.filter(organisation=organisation)
    return get_user_model().objects.filter(is_active=True, memberships__organisation=organisation)


# Hits ------------------------------------------------------------------------------------------


def _hits(organisation: Organisation, kind: str, ids: list[int]) -> list[Hit]:
    """What the page shows of each match, in the order ranked: one query per kind."""
    if not ids:
        return []
    slug = organisation.slug
    rows: dict[int, Hit] = {}
    if kind == "mission":
        for m in Mission.objects.filter(pk__in=ids).select_related("owner_team", "owner_user"):
            owner = m.owner_team.name if m.owner_team else person_name(m.owner_user)
            rows[m.pk] = Hit(
                m.title, _url("missions:detail", slug, m.pk), owner, m.get_status_display()
            )
    elif kind == "kpi":
        for k in Kpi.objects.filter(pk__in=ids).select_related("mission"):
            rows[k.pk] = Hit(
                k.name, _url("measures:kpi", slug, k.pk), k.mission.title, k.get_status_display()
            )
    elif kind == "key_task":
        for t in KeyTask.objects.filter(pk__in=ids).select_related("mission"):
            url = f"{_url('missions:detail', slug, t.mission_id)}#key-tasks"
            rows[t.pk] = Hit(t.title, url, t.mission.title, t.get_status_display())
    elif kind == "comment":
        comments = Comment.objects.filter(pk__in=ids).select_related("mission", "author")
        for c in comments:
            url = comment_url(
                slug, pk=c.pk, mission_id=c.mission_id, kpi_id=c.kpi_id, review_id=c.review_id
            )
            said = f"{person_name(c.author)} on “{c.mission.title}”"
            rows[c.pk] = Hit(_quoted(c.body), url, said)
    elif kind == "team":
        cascade = reverse("missions:cascade", kwargs={"org": slug})
        for team in Team.objects.filter(pk__in=ids).select_related("leader"):
            leader = f"Led by {person_name(team.leader)}" if team.leader else ""
            rows[team.pk] = Hit(team.name, f"{cascade}?{urlencode({'team': team.name})}", leader)
    else:
        cascade = reverse("missions:cascade", kwargs={"org": slug})
        people = get_user_model().objects.filter(pk__in=ids)
        for person in people:
            query = urlencode({"owner": person.get_username()})
            rows[person.pk] = Hit(person_name(person), f"{cascade}?{query}", person.get_username())
    return [rows[pk] for pk in ids if pk in rows]


def _url(name: str, slug: str, pk: int) -> str:
    return reverse(name, kwargs={"org": slug, "pk": pk})


def _quoted(body: str, length: int = 100) -> str:
    """A comment's words as a result's title: on one line, the first ``length`` characters."""
    text = " ".join(body.split())
    return f"{text[: length - 1]}…" if len(text) > length else text


# Bulk loads ------------------------------------------------------------------------------------


def rebuild(*, organisation_id: int) -> int:
    """Write the organisation's entries again from its rows, in one statement per kind: for a
    bulk load that wrote with ``missionlead.search_later`` on (the triggers then skip).
    PostgreSQL only; returns the entries written."""
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM reviews_searchentry WHERE organisation_id = %s", [organisation_id]
        )
        for sql in (
            "SELECT organisation_id, 'mission', id, "
            "reviews_search_words(title, concat_ws(' ', statement, intent)) "
            "FROM missions_mission WHERE organisation_id = %s",
            "SELECT organisation_id, 'kpi', id, reviews_search_words(name, unit) "
            "FROM measures_kpi WHERE organisation_id = %s",
            "SELECT m.organisation_id, 'key_task', t.id, "
            "reviews_search_words(t.title, t.description) FROM missions_keytask t "
            "JOIN missions_mission m ON m.id = t.mission_id WHERE m.organisation_id = %s",
            "SELECT organisation_id, 'comment', id, reviews_search_words('', body) "
            "FROM reviews_comment WHERE organisation_id = %s AND removed_at IS NULL",
            "SELECT organisation_id, 'team', id, reviews_search_name(name) "
            "FROM missions_team WHERE organisation_id = %s",
        ):
            cursor.execute(
                f"INSERT INTO reviews_searchentry (organisation_id, kind, object_id, vector) {sql}",
                [organisation_id],
            )
            written += cursor.rowcount
    return written


# A bulk load's switch for its transaction: the triggers skip its rows, then ``rebuild``.
SEARCH_LATER = "SET LOCAL missionlead.search_later = 'on'"
SEARCH_NOW = "SET LOCAL missionlead.search_later = 'off'"
