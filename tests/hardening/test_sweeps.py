"""One bad row never stops a background sweep: every good row of every organisation is still
done, and the bad one is logged with its id (hardening item 1).

The bad rows hold the worst values the API accepted before the date bounds existed; the API
now refuses them, so the tests write them straight to the database, as old rows would be.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import smtplib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from measures.services import kpi_refresh_all
from missions.models import Mission
from reviews import services
from reviews.models import Reminder, Review
from reviews.services import reminders
from reviews.tasks import review_reminder_sweep
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MembershipFactory, MissionFactory, UserFactory, align

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def today(time_machine) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)
    return TODAY


@pytest.fixture
def good_reviews(world, today) -> list[Review]:
    """Three individual missions in each of two organisations, aligned (in play), each with a
    review due today and an owner with an email address."""
    reviews = []
    for organisation, parent in (
        (world.organisation, world.team_mission),
        (world.other_organisation, world.other_mission),
    ):
        for n in range(3):
            person = UserFactory(username=f"{organisation.slug}-owner-{n}")
            MembershipFactory(organisation=organisation, user=person)
            mission = MissionFactory(
                parent=parent, level=Mission.Level.INDIVIDUAL, owner_user=person, aligned=True
            )
            reviews.append(Review.objects.create(mission=mission, due_date=today))
    return reviews


def _bad_mission(world, **fields) -> Mission:
    """A mission of ``acme``, aligned (in play, so the sweeps reach it), with ``fields``
    written straight to the database."""
    mission = MissionFactory(
        parent=world.team_mission,
        level=Mission.Level.INDIVIDUAL,
        owner_user=world.staff,
        aligned=True,
    )
    Mission.objects.filter(pk=mission.pk).update(**fields)
    return mission


def _sent(reviews: list[Review]) -> set[int]:
    return set(
        Reminder.objects.filter(review__in=reviews, sent_at__isnull=False).values_list(
            "review_id", flat=True
        )
    )


def test_it_sends_every_good_reminder_past_a_mission_at_the_end_of_the_calendar(
    world, good_reviews, django_capture_on_commit_callbacks, caplog
) -> None:
    # The worst period the API accepted: 9999-12-30 to 9999-12-31, with no review yet. One
    # cadence after its start is past the last date Python knows.
    bad = _bad_mission(world, period_start=dt.date(9999, 12, 30), period_end=dt.date(9999, 12, 31))
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        review_reminder_sweep.delay()
    assert _sent(good_reviews) == {r.pk for r in good_reviews}
    to = {address for message in mail.outbox for address in message.to}
    assert {r.mission.owner_user.email for r in good_reviews} <= to
    assert any(f"mission {bad.pk}" in record.getMessage() for record in caplog.records)


def test_the_command_sends_every_good_reminder(world, good_reviews) -> None:
    _bad_mission(world, period_start=dt.date(9999, 12, 30), period_end=dt.date(9999, 12, 31))
    call_command("send_review_reminders", stdout=io.StringIO())
    assert _sent(good_reviews) == {r.pk for r in good_reviews}


def test_a_reminder_that_fails_to_send_does_not_stop_the_others(
    world, good_reviews, monkeypatch, caplog
) -> None:
    failing = good_reviews[1].mission.owner_user.email
    real_send = reminders.send_email

    def send_email(*, to, **kwargs):
        if failing in to:
            raise smtplib.SMTPRecipientsRefused({failing: (550, b"No such user")})
        return real_send(to=to, **kwargs)

    monkeypatch.setattr(reminders, "send_email", send_email)
    with caplog.at_level(logging.ERROR):
        result = services.reminders_send_due()
    assert _sent(good_reviews) == {r.pk for r in good_reviews} - {good_reviews[1].pk}
    assert result.failed == 1
    failed = Reminder.objects.get(review=good_reviews[1])
    assert any(f"reminder {failed.pk}" in record.getMessage() for record in caplog.records)
    # Nothing of the failed one was kept, so the next sweep sends it.
    monkeypatch.setattr(reminders, "send_email", real_send)
    services.reminders_send_due()
    assert _sent(good_reviews) == {r.pk for r in good_reviews}


def test_the_command_says_how_many_reminders_failed(world, good_reviews, monkeypatch) -> None:
    def send_email(**kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(reminders, "send_email", send_email)
    out, err = io.StringIO(), io.StringIO()
    call_command("send_review_reminders", stdout=out, stderr=err)
    claimed = re.search(r"(\d+) reminders to send", out.getvalue()).group(1)
    assert int(claimed) >= len(good_reviews)
    assert f"{claimed} reminders failed and were left for the next run" in err.getvalue()


def test_a_title_with_a_line_break_is_reminded_with_a_one_line_subject(world, today) -> None:
    # An old title with CR/LF (the model refuses one now): the header stays one line.
    mission = _bad_mission(world, title="Open two wards\r\nBcc: someone@example.org")
    world.staff.email = "staff@example.org"
    world.staff.save()
    Review.objects.create(mission=mission, due_date=today)
    result = services.reminders_send_due()
    assert result.sent == 1 and result.failed == 0
    (message,) = mail.outbox
    assert message.to == ["staff@example.org"]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Open two wards Bcc: someone@example.org" in message.subject
    assert message.recipients() == ["staff@example.org"]


def test_refreshing_every_kpi_skips_one_whose_forecast_runs_off_the_calendar(world) -> None:
    good = KpiFactory(mission=world.team_mission, baseline=Decimal(0), target=Decimal(100))
    CheckInFactory(kpi=good, author=world.lead, recorded_on=dt.date(2026, 2, 1), value=10)
    CheckInFactory(kpi=good, author=world.lead, recorded_on=dt.date(2026, 3, 1), value=40)
    # Check-ins in December 9999 climbing a point a day: the day the line reaches the target
    # lies after 9999-12-31.
    bad = KpiFactory(mission=world.staff_mission, baseline=Decimal(0), target=Decimal(100))
    CheckInFactory(kpi=bad, author=world.staff, recorded_on=dt.date(9999, 12, 1), value=10)
    CheckInFactory(kpi=bad, author=world.staff, recorded_on=dt.date(9999, 12, 2), value=11)
    assert kpi_refresh_all() == 2
    good.refresh_from_db()
    assert good.latest_value == Decimal(40) and good.forecast_status != "unknown"
    bad.refresh_from_db()
    assert bad.latest_value == Decimal(11) and bad.forecast_reach_date is None


def test_scheduling_skips_the_bad_mission_and_schedules_the_rest(world, today, caplog) -> None:
    align(world.team_mission, world.staff_mission)  # every active mission is in play
    bad = _bad_mission(world, period_start=dt.date(9999, 12, 30), period_end=dt.date(9999, 12, 31))
    with caplog.at_level(logging.ERROR):
        services.review_schedule_missing()
    active = Mission.objects.filter(status="active").exclude(pk=bad.pk)
    assert Review.objects.filter(mission__in=active).count() == active.count()
    assert not Review.objects.filter(mission=bad).exists()
    assert any(f"mission {bad.pk}" in record.getMessage() for record in caplog.records)
