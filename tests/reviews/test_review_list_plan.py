"""The reviews list and My work read "my missions" by index: the actor's missions by their owner
(in person, or the teams they lead), the missions under them by their parent, then the reviews
of those missions; both lists counted in one query. No query scans every mission of the
organisation, so the pages cost the same whatever its size."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from kernel.models import Organisation
from kernel.permissions import Actor, actor_for
from missions import selectors as mission_selectors
from missions.models import Mission
from reviews import selectors
from reviews.models import Review
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.missions.factories import MissionFactory, UserFactory, align

pytestmark = pytest.mark.django_db
User = get_user_model()
LIST = "/o/acme/reviews/"


def _plan(queryset) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return cursor.fetchone()[0][0]["Plan"]


def _nodes(node: dict) -> list[dict]:
    return [node] + [n for child in node.get("Plans", []) for n in _nodes(child)]


def _assert_no_mission_scan(plan: dict) -> None:
    """No read of every mission of the organisation: neither a sequential scan of the
    missions nor an index scan whose only condition is the organisation. Which index the
    planner prefers depends on statistics, so it is not asserted."""
    for node in _nodes(plan):
        on_missions = node.get("Relation Name") == "missions_mission" or node.get(
            "Index Name", ""
        ).startswith("missions_mission_")
        if not on_missions or node["Node Type"] not in (
            "Seq Scan",
            "Index Scan",
            "Index Only Scan",
            "Bitmap Index Scan",
        ):
            continue
        condition = node.get("Index Cond", "")
        assert node["Node Type"] != "Seq Scan", plan
        assert condition and not re.fullmatch(r"\(+organisation_id = \d+\)+", condition), plan


@pytest.fixture
def cascade(world):
    """The world's three missions (all in play) with a review each, and missions of others
    around them."""
    align(world.team_mission, world.staff_mission)
    for mission in (world.org_mission, world.team_mission, world.staff_mission):
        Review.objects.create(mission=mission, due_date="2030-01-01")
    for i in range(5):
        other = MissionFactory(
            parent=world.org_mission, level="individual", owner_user=UserFactory(), aligned=True
        )
        Review.objects.create(mission=other, due_date="2030-01-01")
        MissionFactory(
            parent=other, level="individual", owner_user=UserFactory(), title=f"Below {i}"
        )
    return world


@pytest.fixture
def generated():
    """A generated organisation of a few thousand missions (no KPIs: only the cascade
    matters here), its statistics up to date, as the planner sees a real one."""
    out = {"stdout": StringIO(), "stderr": StringIO()}
    call_command(
        "generate_org",
        *("--missions", "3000", "--slug", "plan", "--no-progress"),
        *("--kpis-per-mission", "0", "--tasks-per-mission", "0"),
        **out,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Organisation.objects.get(slug="plan")


def _actors(organisation: Organisation) -> list[Actor]:
    """The chief executive, the leader of the team owning the most missions, and the person
    owning the most missions in person."""
    missions = Mission.objects.filter(organisation=organisation)
    by_team = missions.filter(owner_team__isnull=False).values("owner_team__leader_id")
    by_person = missions.filter(owner_user__isnull=False).values("owner_user_id")
    ids = [
        missions.filter(parent=None).values_list("owner_team__leader_id", flat=True)[0],
        by_team.annotate(n=Count("pk")).order_by("-n")[0]["owner_team__leader_id"],
        by_person.annotate(n=Count("pk")).order_by("-n")[0]["owner_user_id"],
    ]
    actors = [actor_for(User.objects.get(pk=pk), organisation) for pk in ids]
    assert all(actors)
    return actors  # type: ignore[return-value]


def test_the_reviews_lists_and_my_work_read_missions_by_index(generated) -> None:
    for actor in _actors(generated):
        ids = selectors.reviewed_mission_ids(actor=actor)
        assert ids  # every one of them holds or oversees some review
        _assert_no_mission_scan(_plan(selectors.reviewed_missions(actor=actor)))
        _assert_no_mission_scan(_plan(selectors.reviews_to_hold(actor=actor, mission_ids=ids)))
        _assert_no_mission_scan(_plan(selectors.reviews_held(actor=actor, mission_ids=ids)))
        _assert_no_mission_scan(_plan(mission_selectors.missions_owned_by(actor=actor)))


def test_the_lists_hold_my_missions_and_those_right_under_them(cascade) -> None:
    def listed(user) -> set[int]:
        lists = selectors.review_lists(actor=actor_for(user, cascade.organisation))
        assert lists.to_hold_count == len(list(lists.to_hold))
        assert lists.held_count == len(list(lists.held)) == 0
        return {review.mission_id for review in lists.to_hold}

    w = cascade
    under_org = set(w.org_mission.children.values_list("pk", flat=True))
    assert listed(w.leader) == {w.org_mission.pk} | under_org  # the board's, and right under
    assert listed(w.lead) == {w.team_mission.pk, w.staff_mission.pk}  # the team's, the staff's
    assert listed(w.staff) == {w.staff_mission.pk}  # in person


def test_the_page_counts_both_lists_in_one_query(cascade, client, django_assert_max_num_queries):
    client.force_login(cascade.leader)
    # session; user; organisation; membership; teams led; unread count (navigation);
    # the actor's missions; one count of both lists; a page of each
    with django_assert_max_num_queries(10 + TENANT_SCOPE_QUERIES) as captured:
        html = client.get(LIST).content.decode()
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"] and 'FROM "reviews_review"' in q["sql"]
    ]
    assert len(counts) == 1, counts
    assert '<span class="count">7</span>' in html  # the board's, the team's and five others'
