"""Comments through the API (``/api/v1/comments/``): the same services and rules as the
pages — written on a mission, KPI, key task or review or as a reply, mentions told in the
inbox, corrected by the author for a while (409 after), removed by the author or an admin,
never seen from another organisation; bad input answers field errors and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from missions.models import KeyTask
from reviews.models import Comment, Mention, Review
from reviews.services.comments import comment_post
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_comment_with_a_mention_is_written_told_and_in_the_history(world: Any) -> None:
    mission = world.staff_mission
    response = _api(world.staff).post(
        "/api/v1/comments/",
        {"mission": mission.pk, "body": "@lead can we start in May?", "mention": world.coach.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    comment = Comment.objects.get(pk=body["id"])
    assert (comment.author, comment.mission, comment.body) == (
        world.staff,
        mission,
        "@lead can we start in May?",
    )
    assert body["author"] == world.staff.pk
    assert body["mentioned"] == sorted([world.lead.pk, world.coach.pk])
    assert "mention" not in body
    assert set(Mention.objects.values_list("person__username", flat=True)) == {"lead", "coach"}
    inbox = _api(world.lead).get("/api/v1/inbox/").json()["results"]
    assert [i["kind"] for i in inbox if i["kind"] == "mentioned"] == ["mentioned"]
    assert AuditEvent.objects.filter(
        verb=AuditEvent.Verb.CREATED, actor=world.staff, object_id=comment.pk, mission=mission
    ).exists()

    # The lead answers in the thread: their mention is done, as on the page.
    reply = _api(world.lead).post(
        "/api/v1/comments/", {"parent": comment.pk, "body": "Yes."}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["parent"] == comment.pk
    assert reply.json()["mission"] == mission.pk
    inbox = _api(world.lead).get("/api/v1/inbox/").json()["results"]
    assert [i for i in inbox if i["kind"] == "mentioned"] == []

    thread = _api(world.coach).get(f"/api/v1/comments/?mission={mission.pk}").json()
    assert [c["body"] for c in thread["results"]] == ["@lead can we start in May?", "Yes."]
    replies = _api(world.coach).get(f"/api/v1/comments/?parent={comment.pk}").json()
    assert [c["id"] for c in replies["results"]] == [reply.json()["id"]]


def test_comments_on_a_kpi_a_key_task_and_a_review(world: Any) -> None:
    mission = world.staff_mission
    kpi = KpiFactory(mission=mission)
    task = KeyTask.objects.create(mission=mission, title="Hire two nurses")
    review = Review.objects.create(
        organisation=world.organisation, mission=mission, due_date=dt.date(2026, 12, 30)
    )
    api = _api(world.lead)
    for field, obj in (("kpi", kpi), ("key_task", task), ("review", review)):
        response = api.post(
            "/api/v1/comments/", {field: obj.pk, "body": f"On the {field}"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()[field] == obj.pk
        assert response.json()["mission"] == mission.pk
        listed = api.get(f"/api/v1/comments/?{field}={obj.pk}").json()["results"]
        assert [c["body"] for c in listed] == [f"On the {field}"]
    assert api.get(f"/api/v1/comments/?mission={mission.pk}").json()["count"] == 3


def test_bad_input_answers_field_errors_and_writes_nothing(world: Any) -> None:
    api = _api(world.staff)
    mission, kpi = world.staff_mission, KpiFactory(mission=world.staff_mission)
    theirs = world.other_mission
    cases = [
        ({"body": "On nothing"}, "mission"),
        ({"mission": mission.pk, "kpi": kpi.pk, "body": "On two"}, "mission"),
        ({"mission": mission.pk, "body": "   "}, "body"),
        ({"mission": mission.pk, "body": "x" * 5_001}, "body"),
        ({"mission": 10**12, "body": "On a mission that is not"}, "mission"),
        ({"mission": theirs.pk, "body": "On another organisation's mission"}, "mission"),
        ({"mission": mission.pk, "body": "Hi", "mention": world.outsider.pk}, "mention"),
    ]
    for payload, field in cases:
        response = api.post("/api/v1/comments/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (payload, response.json())
    assert not Comment.objects.exists()
    assert not Mention.objects.exists()


def test_the_author_corrects_for_a_while_then_409(world: Any) -> None:
    comment = comment_post(on=world.staff_mission, body="First thought", by=world.staff)
    url = f"/api/v1/comments/{comment.pk}/"
    response = _api(world.staff).patch(url, {"body": "Second thought @lead"}, format="json")
    assert response.status_code == 200, response.content
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at is not None) == ("Second thought @lead", True)
    assert Mention.objects.filter(comment=comment, person=world.lead).exists()
    assert AuditEvent.objects.filter(
        verb=AuditEvent.Verb.UPDATED, object_id=comment.pk, actor=world.staff
    ).exists()

    # Someone else may not correct it; nobody moves it.
    assert _api(world.org_admin).patch(url, {"body": "Mine now"}, format="json").status_code == 403
    moved = _api(world.staff).patch(url, {"mission": world.team_mission.pk}, format="json")
    assert moved.status_code == 400
    assert "mission" in moved.json()

    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=Comment.EDIT_MINUTES + 1)
    )
    late = _api(world.staff).patch(url, {"body": "Too late"}, format="json")
    assert late.status_code == 409
    assert "15 minutes" in late.json()["detail"]
    comment.refresh_from_db()
    assert comment.body == "Second thought @lead"


def test_removed_by_its_author_or_an_admin_and_read_as_removed(world: Any) -> None:
    comment = comment_post(on=world.staff_mission, body="@lead look", by=world.staff)
    url = f"/api/v1/comments/{comment.pk}/"
    assert _api(world.lead).delete(url).status_code == 403
    assert _api(world.org_admin).delete(url).status_code == 204
    comment.refresh_from_db()
    assert comment.removed_at is not None
    read = _api(world.lead).get(url).json()
    assert (read["body"], read["removed_at"] is not None) == ("", True)
    inbox = _api(world.lead).get("/api/v1/inbox/").json()["results"]
    assert [i for i in inbox if i["kind"] == "mentioned"] == []
    assert AuditEvent.objects.filter(
        verb=AuditEvent.Verb.REMOVED, object_id=comment.pk, actor=world.org_admin
    ).exists()
    reply = _api(world.staff).post(
        "/api/v1/comments/", {"parent": comment.pk, "body": "Still here?"}, format="json"
    )
    assert reply.status_code == 409


def test_another_organisation_neither_reads_nor_writes(world: Any) -> None:
    comment = comment_post(on=world.staff_mission, body="Ours", by=world.staff)
    outsider = _api(world.outsider)
    assert outsider.get("/api/v1/comments/").json()["count"] == 0
    assert outsider.get(f"/api/v1/comments/{comment.pk}/").status_code == 404
    assert outsider.delete(f"/api/v1/comments/{comment.pk}/").status_code == 404
    for payload in (
        {"mission": world.staff_mission.pk, "body": "Theirs"},
        {"parent": comment.pk, "body": "Theirs"},
    ):
        response = outsider.post("/api/v1/comments/", payload, format="json")
        assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_the_list_costs_the_same_for_3_or_30_comments(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    api = _api(world.coach)
    for count in (3, 30):
        while Comment.objects.count() < count:
            comment_post(on=world.staff_mission, body="@lead @staff a word", by=world.coach)
        with django_assert_max_num_queries(8):
            response = api.get(f"/api/v1/comments/?mission={world.staff_mission.pk}")
        assert response.json()["count"] == count
