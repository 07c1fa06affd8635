"""Comments and mentions on missions, KPIs, key tasks and reviews: posted on their pages,
mentions in the inbox of who is named until they answer in the thread, corrected for a while
by their author, removed, never seen from another organisation; the inbox sweep converges on
the same items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kernel.models import AuditEvent, Notification
from missions.models import KeyTask
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Comment, Mention, Review
from reviews.services.comments import comment_post, mentioned_usernames
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _inbox(user: Any) -> list[dict[str, Any]]:
    api = APIClient()
    api.force_authenticate(user)
    return [i for i in api.get("/api/v1/inbox/").json()["results"] if i["kind"] == "mentioned"]


def test_a_mention_reaches_the_inbox_until_they_answer_in_the_thread(world: Any) -> None:
    mission = world.staff_mission
    response = _client(world.staff).post(
        f"/o/acme/missions/{mission.pk}/comments/",
        {"comment-body": "@lead can we start the second ward in May?"},
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/missions/{mission.pk}/#comment-{comment.pk}"
    assert (comment.author, comment.mission, comment.subject) == (world.staff, mission, "mission")
    assert list(Mention.objects.values_list("person__username", flat=True)) == ["lead"]

    [item] = _inbox(world.lead)
    assert item["url"] == f"/o/acme/missions/{mission.pk}/#comment-{comment.pk}"
    assert "mentioned you on “Open two virtual wards”" in item["message"]
    page = _client(world.lead).get(f"/o/acme/missions/{mission.pk}/").content.decode()
    assert "can we start the second ward in May?" in page
    assert AuditEvent.objects.filter(
        mission=mission, verb=AuditEvent.Verb.CREATED, actor=world.staff, object_id=comment.pk
    ).exists()

    reply = _client(world.lead).post(
        f"/o/acme/comments/{comment.pk}/reply/", {"comment-body": "Yes, if estates agree."}
    )
    assert reply.status_code == 302
    assert Comment.objects.get(parent=comment).author == world.lead
    assert _inbox(world.lead) == []  # answered: done


def test_a_person_picked_beside_the_text_is_mentioned_too(world: Any) -> None:
    _client(world.lead).post(
        f"/o/acme/missions/{world.team_mission.pk}/comments/",
        {"comment-body": "Please look at the rota.", "comment-mention": "staff"},
    )
    assert [i["message"][:40] for i in _inbox(world.staff)]
    assert _inbox(world.lead) == []  # never oneself


def test_only_members_are_mentioned_and_an_email_is_no_mention(world: Any) -> None:
    assert mentioned_usernames("mail lead@example.org, @staff and @staff.") == ["staff"]
    comment_post(on=world.staff_mission, body="@outsider @nobody @coach", by=world.staff)
    assert list(Mention.objects.values_list("person__username", flat=True)) == ["coach"]


def test_comments_on_a_kpi_a_key_task_and_a_review_are_on_their_pages(world: Any) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds")
    task = KeyTask.objects.create(mission=world.staff_mission, title="Hire two nurses")
    review = Review.objects.create(mission=world.staff_mission, due_date=dt.date(2026, 12, 31))
    staff = _client(world.staff)
    staff.post(f"/o/acme/kpis/{kpi.pk}/comments/", {"comment-body": "Beds counted weekly?"})
    staff.post(
        f"/o/acme/missions/{world.staff_mission.pk}/comments/",
        {"comment-body": "Adverts are out.", "key_task": str(task.pk)},
    )
    staff.post(f"/o/acme/reviews/{review.pk}/comments/", {"comment-body": "Agenda item: beds."})
    subjects = {c.subject: c for c in Comment.objects.all()}
    assert set(subjects) == {"kpi", "key_task", "review"}
    assert "Beds counted weekly?" in staff.get(f"/o/acme/kpis/{kpi.pk}/").content.decode()
    mission_page = staff.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert "on the key task “Hire two nurses”" in mission_page
    assert "Agenda item: beds." in staff.get(f"/o/acme/reviews/{review.pk}/").content.decode()


def test_an_empty_comment_comes_back_on_its_field_and_nothing_is_stored(world: Any) -> None:
    response = _client(world.staff).post(
        f"/o/acme/missions/{world.staff_mission.pk}/comments/", {"comment-body": "   "}
    )
    assert response.status_code == 400
    assert "body" in response.context["form"].errors
    long = _client(world.staff).post(
        f"/o/acme/missions/{world.staff_mission.pk}/comments/", {"comment-body": "x" * 5001}
    )
    assert long.status_code == 400
    assert not Comment.objects.exists()


def test_another_organisation_neither_reads_nor_writes_a_comment(world: Any) -> None:
    comment = comment_post(on=world.staff_mission, body="Internal only.", by=world.staff)
    outsider = _client(world.outsider)
    assert outsider.post(
        f"/o/acme/missions/{world.staff_mission.pk}/comments/", {"comment-body": "Hi"}
    ).status_code in (403, 404)
    assert (
        outsider.post(
            f"/o/other/missions/{world.staff_mission.pk}/comments/", {"comment-body": "Hi"}
        ).status_code
        == 404
    )
    assert (
        outsider.post(f"/o/other/comments/{comment.pk}/reply/", {"comment-body": "Hi"}).status_code
        == 404
    )
    assert Comment.objects.count() == 1


def test_the_author_corrects_for_fifteen_minutes_then_may_only_remove(
    world: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    comment = comment_post(on=world.staff_mission, body="Ward opens in Mai.", by=world.staff)
    staff = _client(world.staff)
    assert _client(world.lead).get(f"/o/acme/comments/{comment.pk}/edit/").status_code == 403
    saved = staff.post(f"/o/acme/comments/{comment.pk}/edit/", {"body": "Ward opens in May."})
    assert saved.status_code == 302
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at is not None) == ("Ward opens in May.", True)
    event = AuditEvent.objects.get(object_id=comment.pk, verb=AuditEvent.Verb.UPDATED)
    assert event.changes == {"body": ["Ward opens in Mai.", "Ward opens in May."]}

    time_machine.move_to(dt.datetime(2026, 6, 1, 9, 16, tzinfo=dt.UTC), tick=False)
    late = staff.post(f"/o/acme/comments/{comment.pk}/edit/", {"body": "Ward opens in June."})
    assert late.status_code == 409
    assert "corrected for 15 minutes" in late.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Ward opens in May."


def test_removing_keeps_the_replies_and_completes_its_mentions(world: Any) -> None:
    comment = comment_post(on=world.staff_mission, body="@lead a question", by=world.staff)
    comment_post(on=world.staff_mission, parent=comment, body="An answer", by=world.coach)
    assert len(_inbox(world.lead)) == 1
    assert _client(world.lead).post(f"/o/acme/comments/{comment.pk}/remove/").status_code == 403
    assert (
        _client(world.org_admin).post(f"/o/acme/comments/{comment.pk}/remove/").status_code == 302
    )
    comment.refresh_from_db()
    assert comment.removed_at is not None and comment.replies.count() == 1
    assert _inbox(world.lead) == []
    page = _client(world.staff).get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert "Removed." in page and "An answer" in page and "a question" not in page


def test_the_inbox_sweep_asks_for_the_same_mentions(world: Any) -> None:
    comment = comment_post(on=world.staff_mission, body="@lead and @coach, look", by=world.staff)
    Notification.objects.filter(kind=Notification.Kind.MENTIONED).delete()  # lost
    inbox_sweep_organisation(world.organisation, only=["mention"])
    assert len(_inbox(world.lead)) == 1 and len(_inbox(world.coach)) == 1
    # The coach answered in a way the sweep alone sees (no service call).
    Comment.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        parent=comment,
        author=world.coach,
        body="Seen.",
    )
    inbox_sweep_organisation(world.organisation, only=["mention"])
    assert len(_inbox(world.lead)) == 1 and _inbox(world.coach) == []
