"""The weekly brief by email: on Mondays from the digest hour in each leader's time zone, once
per organisation, person and week, through a real SMTP server (``mailbox``); never to someone
who turned it off or followed its unsubscribe link; every item with its link.

The clock is moved with time-machine: Monday 9 March 2026 (ISO week 11); the organisation's
time zone is UTC."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import Profile
from reviews import services, tasks
from reviews.models import BriefClaim
from tests.reviews.brief_world import build
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.django_db
UTC = dt.UTC
SUNDAY = dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
MONDAY_EARLY = dt.datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # before the digest hour, 07:00
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
TUESDAY = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NEXT_MONDAY = dt.datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def at(when: dt.datetime, time_machine: Any) -> None:
    time_machine.move_to(when, tick=False)


def briefs_to(mailbox: Any, address: str) -> list:
    return [m for m in mailbox.to(address) if str(m["Message-ID"]).strip().startswith("<brief-")]


def _send() -> str:
    out = io.StringIO()
    call_command("send_briefs", stdout=out)
    return out.getvalue()


@pytest.fixture
def week(world: Any, time_machine: Any) -> Any:
    at(SUNDAY, time_machine)
    return build(world)


def test_each_leader_gets_one_brief_a_week_however_often_it_runs(
    week: Any, mailbox: Any, time_machine: Any
) -> None:
    w = week.world
    at(MONDAY_EARLY, time_machine)
    _send()
    assert mailbox.messages == []  # not before Monday at the hour
    at(MONDAY, time_machine)
    first = _send()
    _send()
    at(TUESDAY, time_machine)
    _send()
    for user in (w.leader, w.lead, w.staff):
        assert len(briefs_to(mailbox, user.email)) == 1, user.username
    # Those who own no mission get none; nor does the other organisation's leader's brief go
    # to anyone but them.
    for user in (w.coach, w.org_admin):
        assert briefs_to(mailbox, user.email) == []
    assert "emailed" in first
    assert BriefClaim.objects.filter(organisation=w.organisation).count() == 3
    at(NEXT_MONDAY, time_machine)
    _send()
    assert len(briefs_to(mailbox, w.lead.email)) == 2


def test_the_sweep_task_sends_each_claim_once(
    week: Any, mailbox: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    at(MONDAY, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.brief_sweep.delay()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.brief_sweep.delay()
    assert len(briefs_to(mailbox, week.world.lead.email)) == 1
    claim = BriefClaim.objects.get(user=week.world.lead)
    assert not services.brief_send(claim_id=claim.pk)  # sent already: nothing
    assert len(briefs_to(mailbox, week.world.lead.email)) == 1


def test_the_email_links_every_item_to_its_evidence(
    week: Any, mailbox: Any, time_machine: Any
) -> None:
    at(MONDAY, time_machine)
    _send()
    (message,) = briefs_to(mailbox, week.world.lead.email)
    assert message["Subject"].startswith("Your weekly brief from Acme Health")
    text, html = text_of(message), html_of(message)
    site = "http://missions.example.test"
    assert f"{site}/o/acme/kpis/{week.beds.pk}/#history-heading" in text
    assert f"{site}/o/acme/missions/{week.world.staff_mission.pk}/" in text  # the alignment
    assert f"{site}/o/acme/kpis/{week.visits.pk}/#dial-heading" in text
    assert "The second ward opened on Monday." in text
    assert f'href="{site}/o/acme/kpis/{week.beds.pk}/#history-heading"' in html
    assert f"{site}/o/acme/brief/" in text
    assert str(message["List-Unsubscribe"]).strip().startswith(f"<{site}/unsubscribe/")


def test_no_brief_for_someone_who_turned_it_off(week: Any, mailbox: Any, time_machine: Any) -> None:
    Profile.objects.create(user=week.world.lead, brief=Profile.Brief.OFF)
    at(MONDAY, time_machine)
    _send()
    assert briefs_to(mailbox, week.world.lead.email) == []
    assert len(briefs_to(mailbox, week.world.staff.email)) == 1


def test_someone_who_turns_it_off_after_the_claim_gets_none(
    week: Any, mailbox: Any, time_machine: Any
) -> None:
    at(MONDAY, time_machine)
    ids = services.briefs_claim()
    Profile.objects.create(user=week.world.lead, brief=Profile.Brief.OFF)
    for pk in ids:
        services.brief_send(claim_id=pk)
    assert briefs_to(mailbox, week.world.lead.email) == []
    assert BriefClaim.objects.get(user=week.world.lead).items == 0


def test_the_unsubscribe_link_stops_the_brief_and_nothing_else(
    week: Any, mailbox: Any, time_machine: Any
) -> None:
    at(MONDAY, time_machine)
    _send()
    (message,) = briefs_to(mailbox, week.world.lead.email)
    link = re.search(r"Stop the weekly brief: (\S+)", text_of(message))
    assert link is not None
    path = link.group(1).removeprefix("http://missions.example.test")
    client = Client()
    assert "the weekly brief" in client.get(path).content.decode()
    assert client.post(path).status_code == 200
    profile = Profile.objects.get(user=week.world.lead)
    assert (profile.brief, profile.digest) == (Profile.Brief.OFF, Profile.DEFAULT_DIGEST)
    at(NEXT_MONDAY, time_machine)
    _send()
    assert len(briefs_to(mailbox, week.world.lead.email)) == 1  # last week's only


def test_the_email_settings_page_turns_it_off_and_on(week: Any) -> None:
    client = Client()
    client.force_login(week.world.lead)
    page = client.get("/accounts/email/").content.decode()
    assert "Your weekly brief" in page and 'name="brief"' in page
    from kernel.preferences import DEFAULT_CHANNELS

    form = {**DEFAULT_CHANNELS, "digest": "daily", "brief": "off"}
    assert client.post("/accounts/email/", form).status_code == 302
    assert Profile.objects.get(user=week.world.lead).brief == Profile.Brief.OFF
    form["brief"] = "weekly"
    client.post("/accounts/email/", form)
    assert Profile.objects.get(user=week.world.lead).brief == Profile.Brief.WEEKLY


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_commit_lost_after_the_email_is_retried_without_a_second_email(
    world: Any, mailbox: Any, monkeypatch: Any, time_machine: Any
) -> None:
    from django.db import connection

    from reviews.services import briefs
    from reviews.services.briefs import BriefEmailedNotRecorded
    from tests.faults import lose_the_session_after_sending

    at(SUNDAY, time_machine)
    build(world)
    at(MONDAY, time_machine)
    services.briefs_claim()
    claim_id = BriefClaim.objects.get(user=world.lead).pk
    send_email = briefs.send_email  # put back for the retry
    lose_the_session_after_sending(briefs, monkeypatch)
    with pytest.raises(BriefEmailedNotRecorded):
        services.brief_send(claim_id=claim_id)
    connection.close()
    assert len(briefs_to(mailbox, world.lead.email)) == 1
    assert BriefClaim.objects.get(pk=claim_id).sent_at is None  # out, but not recorded

    monkeypatch.setattr(briefs, "send_email", send_email)
    assert tasks.brief_send.delay(claim_id, with_email=False).get() is True
    assert BriefClaim.objects.get(pk=claim_id).sent_at is not None
    assert services.brief_send(claim_id=claim_id) is False
    assert len(briefs_to(mailbox, world.lead.email)) == 1
