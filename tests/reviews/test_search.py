"""The search box: what it finds of each kind, in which order, kept by the database's own
triggers through every way of writing (and untouched by the checks' rescoring), one
organisation at a time, in a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from measures.models import Kpi
from missions.models import KeyTask, Mission
from reviews import search
from reviews.models import SearchEntry
from reviews.services.comments import comment_edit, comment_post, comment_remove
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _titles(results: search.Results, kind: str) -> list[str]:
    return [hit.title for group in results.groups if group.kind == kind for hit in group.hits]


@pytest.fixture
def found(world: Any) -> dict[str, Any]:
    """A mission, a KPI and a key task with words of their own, in the test organisation."""
    mission = MissionFactory(
        parent=world.team_mission,
        level=Mission.Level.INDIVIDUAL,
        owner_user=world.staff,
        title="Recruit community paramedics",
        statement="Hire and train crews for the rural stations.",
    )
    kpi = KpiFactory(mission=mission, name="Paramedics recruited", unit="people")
    task = KeyTask.objects.create(
        mission=mission, title="Draft the recruitment campaign", owner=world.staff
    )
    return {"mission": mission, "kpi": kpi, "task": task}


def test_each_kind_is_found_by_a_word_and_by_the_start_of_one(world: Any, found: Any) -> None:
    results = search.search(organisation=world.organisation, text="recruit")
    assert _titles(results, "mission") == ["Recruit community paramedics"]
    assert _titles(results, "kpi") == ["Paramedics recruited"]
    assert _titles(results, "key_task") == ["Draft the recruitment campaign"]

    by_name = search.search(organisation=world.organisation, text="operat")
    assert _titles(by_name, "team") == ["Operations"]
    world.staff.first_name, world.staff.last_name = "Priya", "Raman"
    world.staff.save()
    assert _titles(search.search(organisation=world.organisation, text="pri ram"), "person") == [
        "Priya Raman"
    ]


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_text(world: Any, found: Any) -> None:
    MissionFactory(
        parent=world.team_mission,
        title="Rural stations staffed",
        statement="Crews for the stations; paramedics on every shift.",
    )
    results = search.search(organisation=world.organisation, text="paramedics")
    assert _titles(results, "mission") == ["Recruit community paramedics", "Rural stations staffed"]


def test_all_words_must_match_and_nothing_typed_reaches_the_query_syntax(
    world: Any, found: Any
) -> None:
    assert _titles(search.search(organisation=world.organisation, text="recruit rural"), "mission")
    assert not search.search(organisation=world.organisation, text="recruit lunar").found
    for text in ("'; DROP TABLE x; --", "a & | ! ( ) :* <->", "the of and", "…"):
        assert search.search(organisation=world.organisation, text=text).found == 0


def test_another_organisations_things_are_never_found(world: Any, found: Any) -> None:
    other = MissionFactory(
        organisation=world.other_organisation,
        level=Mission.Level.ORGANISATION,
        owner_team=world.other_mission.owner_team,
        title="Recruit paramedics elsewhere",
    )
    mine = search.search(organisation=world.organisation, text="recruit")
    assert other.title not in _titles(mine, "mission")
    assert (
        _titles(search.search(organisation=world.other_organisation, text="recruit"), "kpi") == []
    )
    assert search.search(organisation=world.organisation, text="outsider").found == 0
    assert search.search(organisation=world.other_organisation, text="outsider").found == 1


def test_the_entries_follow_every_write_and_the_checks_scores_leave_them_alone(
    world: Any, found: Any
) -> None:
    mission, kpi, task = found["mission"], found["kpi"], found["task"]
    # Written another way than through the services: the triggers see it all the same.
    Mission.objects.filter(pk=mission.pk).update(title="Retain community paramedics")
    assert _titles(search.search(organisation=world.organisation, text="retain"), "mission")
    KeyTask.objects.filter(pk=task.pk).update(description="Posters at every station")
    assert _titles(search.search(organisation=world.organisation, text="posters"), "key_task")

    def version() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text FROM reviews_searchentry WHERE kind = 'mission' "
                "AND object_id = %s",
                [mission.pk],
            )
            return cursor.fetchone()

    before = version()
    Mission.objects.filter(pk=mission.pk).update(budget=42)
    assert version() == before  # a new budget is not a new word

    kpi_id, task_id = kpi.pk, task.pk
    Kpi.objects.filter(pk=kpi_id).delete()
    task.delete()
    left = SearchEntry.objects.filter(object_id__in=[kpi_id, task_id], kind__in=["kpi", "key_task"])
    assert not left.exists()


def test_comments_are_found_until_removed_and_by_their_corrected_words(
    world: Any, found: Any
) -> None:
    comment = comment_post(
        on=found["task"], body="Could the recruitment posters go up in the depot?", by=world.lead
    )
    results = search.search(organisation=world.organisation, text="posters depot")
    [hit] = [h for g in results.groups if g.kind == "comment" for h in g.hits]
    assert hit.title == "Could the recruitment posters go up in the depot?"
    assert hit.url == f"/o/acme/missions/{found['mission'].pk}/#comment-{comment.pk}"
    assert "on “Recruit community paramedics”" in hit.detail

    comment_edit(comment=comment, body="Could the leaflets go up in the garage?", by=world.lead)
    assert not _titles(search.search(organisation=world.organisation, text="depot"), "comment")
    assert _titles(search.search(organisation=world.organisation, text="garage"), "comment")
    assert search.search(organisation=world.other_organisation, text="garage").found == 0

    comment_remove(comment=comment, by=world.lead)
    assert search.search(organisation=world.organisation, text="garage").found == 0
    assert not SearchEntry.objects.filter(kind="comment", object_id=comment.pk).exists()


def test_the_search_costs_the_same_queries_whatever_it_finds(
    world: Any, found: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        mission = MissionFactory(parent=world.team_mission, title=f"Recruit crew {n}")
        KpiFactory(mission=mission, name=f"Crew {n} recruited")
        TeamFactory(organisation=world.organisation, name=f"Recruiting {n}", parent=world.team)
        KeyTask.objects.create(mission=mission, title=f"Recruit crew {n} first")
    # Six kinds ranked, six read; the session, the member and the page's navigation.
    client = Client()
    client.force_login(world.staff)
    client.get("/o/acme/search/?q=recruit")  # warm the caches of the navigation
    for n in range(12):
        comment_post(on=found["mission"], body=f"Recruit crew {n} by spring?", by=world.lead)
    with django_assert_max_num_queries(22):
        response = client.get("/o/acme/search/?q=recruit")
    assert response.status_code == 200
    results = response.context["results"]
    assert [g.kind for g in results.groups] == list(search.KINDS)
    assert [len(g.hits) for g in results.groups] == [10, 10, 10, 10, 10, 0]
    assert [g.found for g in results.groups][:5] == [13, 13, 13, 12, 12]


def test_each_kind_is_read_through_its_full_text_index(world: Any, found: Any) -> None:
    """Under row-level security the planner could never use the full-text index (``@@`` is
    not leakproof) and read every entry of the organisation: 1 s for the page at 100,000
    missions. Each kind's plan names the index."""
    with connection.cursor() as cursor:
        for kind in ("mission", "kpi", "key_task", "comment", "team"):
            cursor.execute(
                "INSERT INTO reviews_searchentry (organisation_id, kind, object_id, vector) "
                "SELECT %s, %s, 10000000 + n, to_tsvector('english', 'ward ' || n) "
                "FROM generate_series(1, 3000) AS n",
                [world.organisation.pk, kind],
            )
        cursor.execute("ANALYZE reviews_searchentry")
    with transaction.atomic(), connection.cursor() as cursor:
        # No other index may offer the planner a kind's or an organisation's every entry;
        # a sequential scan is priced out, the tables being small here.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for kind in ("mission", "kpi", "key_task", "comment", "team"):
            params = {
                "org": world.organisation.pk,
                "kind": kind,
                "config": search._CONFIG.get(kind, search.ENGLISH),
                "query": "recruit:*",
                "counted": search.COUNTED,
                "shown": search.SHOWN,
            }
            cursor.execute(f"EXPLAIN {search._ENTRY_RANKED}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "reviews_search_vector" in plan, (kind, plan)


def test_the_page_refuses_an_overlong_query_on_its_field(world: Any) -> None:
    client = Client()
    client.force_login(world.staff)
    response = client.get("/o/acme/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()


def test_the_fallback_finds_what_full_text_finds(world: Any, found: Any) -> None:
    """SQLite's way (``make run``), run here on the same rows."""
    comment_post(on=found["kpi"], body="Recruitment fair on Friday", by=world.lead)
    for kind in ("mission", "kpi", "key_task", "comment", "team"):
        words = search.words_of("recruit")
        ids, count = search._ranked_anywhere(world.organisation, kind, words)
        postgres_ids, postgres_count = search._ranked_postgres(world.organisation, kind, words)
        assert (sorted(ids), count) == (sorted(postgres_ids), postgres_count)


@pytest.mark.django_db(transaction=True)
def test_a_generated_organisation_is_searchable_at_once() -> None:
    """The generator loads with the triggers off and writes the entries in one statement per
    kind; the rows of the organisation it replaced are gone with it."""
    call_command("generate_org", missions=60, slug="gen", verbosity=0)
    call_command("generate_org", missions=60, slug="gen", replace=True, verbosity=0)
    organisation = Mission.objects.filter(organisation__slug="gen").first().organisation
    entries = SearchEntry.objects.filter(organisation=organisation)
    assert (
        entries.filter(kind="mission").count()
        == Mission.objects.filter(organisation=organisation).count()
    )
    assert (
        entries.filter(kind="kpi").count() == Kpi.objects.filter(organisation=organisation).count()
    )
    assert SearchEntry.objects.count() == entries.count()
    title = Mission.objects.filter(organisation=organisation).first().title
    word = search.words_of(title)[-1]
    assert search.search(organisation=organisation, text=word).found > 0
