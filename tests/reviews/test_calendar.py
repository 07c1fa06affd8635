"""Reviews in calendars: each reminder carries the review's invitation (read back with
``icalendar`` from what reached a real SMTP server), moving a review raises its SEQUENCE under
the same UID, cancelling it sends METHOD:CANCEL; and a person's private feed of reviews and
check-ins due, read back the same way."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from kernel.errors import StateConflict
from kernel.models import AuditEvent
from kernel.permissions import actor_for
from measures.models import Kpi
from missions.models import Mission
from reviews import services
from reviews.calendar_feed import feed_content
from reviews.models import CalendarFeed, Reminder, Review
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory, UserFactory, align

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
HOST = "missions.example.test"  # the mailbox fixture's SITE_URL


@pytest.fixture(autouse=True)
def site(settings) -> None:
    settings.SITE_URL = f"http://{HOST}"


@pytest.fixture
def today(time_machine) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)
    return TODAY


@pytest.fixture
def review(world, today) -> Review:
    """staff's mission, in play, with its review due in three days: the 'before' reminder."""
    world.staff.first_name, world.staff.last_name = "Sam", "Okafor"
    world.staff.save()
    align(world.team_mission, world.staff_mission)
    return Review.objects.create(mission=world.staff_mission, due_date=TODAY + dt.timedelta(3))


def invitation_of(message: EmailMessage) -> tuple[Calendar, Calendar]:
    """The message's calendar part and its .ics file, each parsed."""
    parts = {part.get_content_type(): part for part in message.walk()}
    inline = parts["text/calendar"]
    attached = parts["application/ics"]
    assert attached.get_filename() == "invite.ics"
    return (
        Calendar.from_ical(inline.get_content()),
        Calendar.from_ical(attached.get_payload(decode=True)),
    )


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_it_attaches_the_invitation_to_the_reminder(review, world, mailbox) -> None:
    result = services.reminders_send_due(today=TODAY)
    assert (result.sent, result.failed) == (1, 0)
    (message,) = mailbox.to(world.staff.email)
    parts = {part.get_content_type(): part for part in message.walk()}
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    inline, attached = invitation_of(message)
    assert inline.to_ical() == attached.to_ical()  # one invitation, twice
    assert str(inline["METHOD"]) == "REQUEST"
    event = event_of(inline)
    assert str(event["UID"]) == f"review-{review.pk}@{HOST}"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == review.due_date  # a whole day
    assert event.decoded("DTEND") == review.due_date + dt.timedelta(days=1)
    assert str(event["SUMMARY"]) == f"30-day review: {world.staff_mission.title}"
    assert str(event["URL"]) == f"http://{HOST}/o/acme/reviews/{review.pk}/"
    # staff owns the mission in person: they organise it, and are invited to it.
    assert str(event["ORGANIZER"]) == f"mailto:{world.staff.email}"
    assert event["ORGANIZER"].params["CN"] == "Sam Okafor"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{world.staff.email}"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


def test_a_team_missions_invitation_is_organised_by_its_leader(world, today, mailbox) -> None:
    align(world.team_mission)
    review = Review.objects.create(mission=world.team_mission, due_date=TODAY)
    services.reminders_send_due(today=TODAY)
    (message,) = mailbox.to(world.lead.email)
    event = event_of(invitation_of(message)[0])
    assert str(event["UID"]) == f"review-{review.pk}@{HOST}"
    assert str(event["ORGANIZER"]) == f"mailto:{world.lead.email}"
    assert str(event["ATTENDEE"]) == f"mailto:{world.lead.email}"


def test_moving_a_review_raises_its_sequence_under_the_same_uid(
    review, world, mailbox, django_capture_on_commit_callbacks
) -> None:
    services.reminders_send_due(today=TODAY)
    first = event_of(invitation_of(mailbox.to(world.staff.email)[0])[0])
    mailbox.clear()
    moved_to = TODAY + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_reschedule(review=review, due_date=moved_to, by=world.lead)
    (message,) = mailbox.to(world.staff.email)
    calendar, _ = invitation_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = event_of(calendar)
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1 == 1
    assert event.decoded("DTSTART") == moved_to
    assert (
        str(message["Subject"]).strip()
        == f"Acme Health: review moved — “{world.staff_mission.title}”"
    )
    # Stored, with the mission's next date, and attributed.
    review.refresh_from_db()
    assert (review.due_date, review.sequence) == (moved_to, 1)
    assert Mission.objects.get(pk=review.mission_id).next_review_due == moved_to
    entry = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(Review), object_id=review.pk
    )
    assert (entry.verb, entry.actor, entry.changes) == (
        "updated",
        world.lead,
        {"due_date": [str(TODAY + dt.timedelta(3)), str(moved_to)]},
    )
    # Its reminders start again for the new date: the next sweep's carries sequence 1.
    assert not Reminder.objects.filter(review=review).exists()
    mailbox.clear()
    services.reminders_send_due(today=moved_to - dt.timedelta(days=3))
    again = event_of(invitation_of(mailbox.to(world.staff.email)[0])[0])
    assert (str(again["UID"]), int(again["SEQUENCE"])) == (str(first["UID"]), 1)


def test_moving_refuses_the_past_and_a_day_taken(review, world) -> None:
    with pytest.raises(ValidationError) as past:
        services.review_reschedule(review=review, due_date=TODAY - dt.timedelta(1), by=world.lead)
    assert "due_date" in past.value.message_dict
    Review.objects.create(mission=world.staff_mission, due_date=TODAY + dt.timedelta(20))
    with pytest.raises(ValidationError) as taken:
        services.review_reschedule(review=review, due_date=TODAY + dt.timedelta(20), by=world.lead)
    assert "due_date" in taken.value.message_dict
    review.refresh_from_db()
    assert review.sequence == 0


def test_cancelling_a_review_sends_method_cancel(
    review, world, mailbox, django_capture_on_commit_callbacks
) -> None:
    services.reminders_send_due(today=TODAY)
    first = event_of(invitation_of(mailbox.to(world.staff.email)[0])[0])
    mailbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_cancel(review=review, by=world.lead)
    (message,) = mailbox.to(world.staff.email)
    parts = {part.get_content_type(): part for part in message.walk()}
    assert parts["text/calendar"].get_param("method") == "CANCEL"
    calendar, attached = invitation_of(message)
    assert str(calendar["METHOD"]) == str(attached["METHOD"]) == "CANCEL"
    event = event_of(calendar)
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"
    review.refresh_from_db()
    assert (review.status, review.sequence) == ("cancelled", 1)
    # The mission's next review: a cadence (30 days) after the cancelled one's date.
    following = Review.objects.get(mission=world.staff_mission, status="scheduled")
    assert following.due_date == review.due_date + dt.timedelta(days=30)
    assert Mission.objects.get(pk=world.staff_mission.pk).next_review_due == following.due_date
    with pytest.raises(StateConflict):
        services.review_cancel(review=review, by=world.lead)


def test_the_sweep_that_withdraws_a_review_sends_its_cancellation(
    review, world, mailbox, django_capture_on_commit_callbacks
) -> None:
    services.reminders_send_due(today=TODAY)  # staff holds the invitation
    mailbox.clear()
    other = Review.objects.create(mission=world.team_mission, due_date=TODAY + dt.timedelta(20))
    for mission in (world.staff_mission, world.team_mission):
        Mission.objects.filter(pk=mission.pk).update(status=Mission.Status.ARCHIVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_schedule_missing(organisation_id=world.organisation.pk)
    review.refresh_from_db()
    other.refresh_from_db()
    assert (review.status, review.sequence) == ("cancelled", 1)
    assert (other.status, other.sequence) == ("cancelled", 1)
    # Only staff held an invitation (lead was never reminded of theirs): one cancellation.
    (message,) = mailbox.messages
    assert str(message["To"]).strip() == world.staff.email
    calendar, _ = invitation_of(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = event_of(calendar)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (f"review-{review.pk}@{HOST}", 1)


# --- The feed -----------------------------------------------------------------------------


def feed_url(token: str) -> str:
    return reverse("calendar:feed", kwargs={"token": token})


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, dt.date]:
    return {str(e["UID"]): e.decoded("DTSTART") for e in calendar.walk("VEVENT")}


def test_the_feed_shows_the_persons_reviews_and_check_ins_due(client, world, today) -> None:
    align(world.team_mission, world.staff_mission)
    mine = Review.objects.create(mission=world.staff_mission, due_date=TODAY + dt.timedelta(5))
    led = MissionFactory(
        parent=world.team_mission,
        aligned=True,
        owner_team=TeamFactory(organisation=world.organisation, leader=world.staff),
    )
    team_review = Review.objects.create(mission=led, due_date=TODAY + dt.timedelta(40))
    # Not theirs, too far ahead, held, or of a mission not in play: not in the feed.
    boss_review = Review.objects.create(mission=world.team_mission, due_date=TODAY)
    Review.objects.create(mission=world.staff_mission, due_date=TODAY + dt.timedelta(400))
    Review.objects.create(
        mission=world.staff_mission,
        due_date=TODAY - dt.timedelta(3),
        status="done",
        held_on=TODAY - dt.timedelta(3),
    )
    kpi = KpiFactory(mission=world.staff_mission, cadence_days=7)
    Kpi.objects.filter(pk=kpi.pk).update(latest_on=TODAY - dt.timedelta(2))
    archived = KpiFactory(mission=world.staff_mission, status=Kpi.Status.ARCHIVED)
    # Another organisation's review owned by the same person: never in acme's feed.
    other = MissionFactory(
        organisation=world.other_organisation,
        level=Mission.Level.INDIVIDUAL,
        owner_user=world.staff,
        owner_team=None,
    )
    Review.objects.create(mission=other, due_date=TODAY)

    actor = actor_for(world.staff, world.organisation)
    _, token = services.calendar_feed_create(actor=actor)
    calendar = parse(client.get(feed_url(token)))
    assert events(calendar) == {
        f"review-{mine.pk}@{HOST}": mine.due_date,
        f"review-{team_review.pk}@{HOST}": team_review.due_date,
        f"check-in-{kpi.pk}@{HOST}": TODAY + dt.timedelta(days=6),
    }
    assert f"review-{boss_review.pk}@{HOST}" not in events(calendar)
    assert f"check-in-{archived.pk}@{HOST}" not in events(calendar)
    assert not calendar.get("METHOD")  # a feed, not an invitation
    # The boss's feed has the boss's review, not staff's.
    _, lead_token = services.calendar_feed_create(actor=actor_for(world.lead, world.organisation))
    assert events(parse(client.get(feed_url(lead_token)))) == {
        f"review-{boss_review.pk}@{HOST}": TODAY
    }


def test_a_revoked_or_replaced_feed_answers_404(client, world, today) -> None:
    actor = actor_for(world.staff, world.organisation)
    feed, token = services.calendar_feed_create(actor=actor)
    assert client.get(feed_url(token)).status_code == 200
    _, new_token = services.calendar_feed_create(actor=actor)  # a new address
    assert client.get(feed_url(token)).status_code == 404
    assert client.get(feed_url(new_token)).status_code == 200
    services.calendar_feed_revoke(actor=actor)
    assert client.get(feed_url(new_token)).status_code == 404
    assert client.get(feed_url("nothing-like-it")).status_code == 404
    # Only hashes are kept; every change is in the history.
    assert token not in {f.digest for f in CalendarFeed.objects.all()}
    verbs = list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(CalendarFeed)
        ).values_list("verb", "actor__username")
    )
    assert sorted(verbs) == sorted(
        [("created", "staff"), ("removed", "staff"), ("created", "staff"), ("removed", "staff")]
    )
    assert feed.pk in set(
        CalendarFeed.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True)
    )


def test_a_feed_stops_when_its_person_leaves_the_organisation(client, world, today) -> None:
    _, token = services.calendar_feed_create(actor=actor_for(world.staff, world.organisation))
    world.staff.memberships.filter(organisation=world.organisation).delete()
    assert client.get(feed_url(token)).status_code == 404


def test_the_feed_costs_the_same_queries_whatever_the_organisation(
    client, world, today, django_assert_max_num_queries
) -> None:
    align(world.team_mission, world.staff_mission)
    Review.objects.create(mission=world.staff_mission, due_date=TODAY)
    KpiFactory(mission=world.staff_mission)
    _, token = services.calendar_feed_create(actor=actor_for(world.staff, world.organisation))
    # The feed, the person's membership and led teams, their reviews, their KPIs; and the
    # tenant scope around the reads.
    with django_assert_max_num_queries(5 + TENANT_SCOPE_QUERIES) as few:
        parse(client.get(feed_url(token)))
    small = len(few.captured_queries)
    for n in range(30):
        mission = MissionFactory(
            parent=world.team_mission,
            aligned=True,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.staff if n % 2 else UserFactory(),
            owner_team=None,
        )
        Review.objects.create(mission=mission, due_date=TODAY + dt.timedelta(n))
        KpiFactory(mission=mission)
    with django_assert_max_num_queries(small):
        calendar = parse(client.get(feed_url(token)))
    assert len(calendar.walk("VEVENT")) == 2 + 2 * 15
    actor = actor_for(world.staff, world.organisation)
    assert len(feed_content(actor=actor).reviews) == 16
