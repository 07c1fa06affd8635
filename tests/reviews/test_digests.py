"""The digest: when each person's is due, what it says, and that it goes once per period.

Email goes through a real SMTP server the tests start (``mailbox``). The clock is moved with
time-machine; the organisation's time zone is UTC unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from kernel.audit import audit_record
from kernel.models import AuditEvent, Membership, Notification, NotificationPreference
from kernel.preferences import notification_preferences_set
from reviews import services, tasks
from reviews.models import DigestClaim
from reviews.services import digests
from reviews.services.digests import DigestEmailedNotRecorded, digest_build, digest_period
from tests.faults import lose_the_session_after_sending
from tests.missions.factories import MembershipFactory
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
UTC = dt.UTC
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# Tuesday 10 March 2026 (ISO week 11); the digests of Wednesday 11 March cover from 07:00 on
# the 10th to 07:00 on the 11th.
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
WEDNESDAY_MORNING = dt.datetime(2026, 3, 11, 7, 30, tzinfo=UTC)


def at(when: dt.datetime, time_machine) -> None:
    time_machine.move_to(when, tick=False)


def digests_to(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if str(m["Message-ID"]).strip().startswith("<digest-")]


def item(
    world, user, kind: str = Kind.CHECK_IN_DUE, *, cause: str | None = None, message: str = ""
):
    """An inbox item (or, with ``cause=""``, a notification that only tells), written straight
    to the table: these tests are about the digest, not about email at once. About
    ``staff_mission``, or for the outsider about their organisation's mission."""
    mission = world.other_mission if user == world.outsider else world.staff_mission
    return Notification.objects.create(
        organisation=mission.organisation,
        recipient=user,
        kind=kind,
        message=message or f"{kind} for {user.username}",
        url=mission.get_absolute_url(),
        mission=mission,
        cause=f"{kind}:{user.pk}" if cause is None else cause or None,
    )


# --- When -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "now", "zone", "expected"),
    [
        ("daily", dt.datetime(2026, 3, 11, 6, 59, tzinfo=UTC), UTC, None),
        ("daily", dt.datetime(2026, 3, 11, 7, 0, tzinfo=UTC), UTC, "2026-03-11"),
        ("daily", dt.datetime(2026, 3, 11, 23, 59, tzinfo=UTC), UTC, "2026-03-11"),  # caught up
        # 22:30 UTC on the 10th is 07:30 on the 11th in Tokyo.
        ("daily", dt.datetime(2026, 3, 10, 22, 30, tzinfo=UTC), TOKYO, "2026-03-11"),
        ("daily", dt.datetime(2026, 3, 10, 21, 30, tzinfo=UTC), TOKYO, None),
        ("weekly", dt.datetime(2026, 3, 9, 6, 59, tzinfo=UTC), UTC, None),  # Monday, too early
        ("weekly", dt.datetime(2026, 3, 9, 7, 0, tzinfo=UTC), UTC, "2026-W11"),
        ("weekly", dt.datetime(2026, 3, 15, 23, 0, tzinfo=UTC), UTC, "2026-W11"),  # Sunday
        ("weekly", dt.datetime(2026, 3, 16, 7, 0, tzinfo=UTC), UTC, "2026-W12"),
        ("never", dt.datetime(2026, 3, 11, 12, 0, tzinfo=UTC), UTC, None),
    ],
)
def test_the_period_due_in_a_persons_time_zone(frequency, now, zone, expected) -> None:
    period = digest_period(frequency=frequency, zone=zone, now=now)
    assert (period.key if period else None) == expected


def test_a_period_covers_the_one_before_it_up_to_its_hour() -> None:
    daily = digest_period(frequency="daily", zone=TOKYO, now=WEDNESDAY_MORNING)
    assert daily.starts_at == dt.datetime(2026, 3, 10, 7, 0, tzinfo=TOKYO)
    assert daily.ends_at == dt.datetime(2026, 3, 11, 7, 0, tzinfo=TOKYO)
    weekly = digest_period(frequency="weekly", zone=UTC, now=WEDNESDAY_MORNING)
    assert weekly.starts_at == dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert weekly.ends_at == dt.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)


def test_the_digest_hour_is_a_setting(settings) -> None:
    settings.MISSIONLEAD_DIGEST_HOUR = 18
    now = dt.datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
    assert digest_period(frequency="daily", zone=UTC, now=now) is None
    later = digest_period(frequency="daily", zone=UTC, now=now + dt.timedelta(hours=1))
    assert later is not None and later.ends_at.hour == 18


# --- Once per person and period -------------------------------------------------------------------


def test_running_send_digests_twice_sends_one_digest_per_person(
    world, mailbox, time_machine
) -> None:
    at(TUESDAY, time_machine)
    for user in (world.staff, world.lead, world.outsider):
        item(world, user)
    item(world, world.leader, Kind.ALIGNED, cause="")  # told in the span: moved
    at(WEDNESDAY_MORNING, time_machine)
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    call_command("send_digests", stdout=out)

    for user in (world.staff, world.lead, world.outsider, world.leader):
        assert len(digests_to(mailbox, user.email)) == 1, user.username
    for user in (world.coach, world.org_admin):  # nothing to say: no email
        assert digests_to(mailbox, user.email) == []
    assert len(mailbox.messages) == 4
    # Every member got their claim, once: four with lines, two with nothing to say.
    claims = DigestClaim.objects.filter(period="2026-03-11")
    assert claims.count() == 6 and not claims.filter(sent_at__isnull=True).exists()
    assert claims.filter(lines=0).count() == 2
    first, second = out.getvalue().split("Claiming")[1:]
    assert "6 of 6 digests handled" in first
    assert "6 digests to send: 4 emailed, 2 with nothing to say" in first
    assert "0 digests to send" in second


def test_the_sweep_task_sends_each_claim_once(
    world, mailbox, time_machine, django_capture_on_commit_callbacks
) -> None:
    at(TUESDAY, time_machine)
    item(world, world.staff)
    at(WEDNESDAY_MORNING, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.digest_sweep.delay().get() == 6  # a claim for every member
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.digest_sweep.delay().get() == 0  # beat firing again: nothing left
    claim = DigestClaim.objects.get(user=world.staff)
    assert tasks.digest_send.delay(claim.pk).get() is False  # a send delivered twice
    assert len(digests_to(mailbox, world.staff.email)) == 1


def test_no_digest_of_an_organisation_whose_membership_is_deactivated(
    world, mailbox, time_machine
) -> None:
    """Deprovisioned (SCIM): staff's items of acme wait in no digest; the outsider, who also
    belongs to acme and was deactivated there, still gets theirs of their own organisation."""
    at(TUESDAY, time_machine)
    MembershipFactory(organisation=world.organisation, user=world.outsider)
    item(world, world.staff)
    item(world, world.outsider)
    Membership.objects.filter(
        organisation=world.organisation, user__in=[world.staff, world.outsider]
    ).update(deactivated_at=timezone.now())
    at(WEDNESDAY_MORNING, time_machine)
    call_command("send_digests", stdout=io.StringIO())
    assert digests_to(mailbox, world.staff.email) == []
    (theirs,) = digests_to(mailbox, world.outsider.email)
    assert "Acme" not in text_of(theirs)


def test_a_weekly_digest_comes_once_a_week_and_never_never(world, mailbox, time_machine) -> None:
    Profile.objects.create(user=world.staff, digest=Profile.Digest.WEEKLY)
    Profile.objects.create(user=world.lead, digest=Profile.Digest.NEVER)
    at(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC), time_machine)
    item(world, world.staff)
    item(world, world.lead)
    for day in range(9, 17):  # Monday 9 March to Monday 16 March, each morning
        at(dt.datetime(2026, 3, day, 7, 30, tzinfo=UTC), time_machine)
        services.digests_send_due()
    assert len(digests_to(mailbox, world.staff.email)) == 2
    assert set(DigestClaim.objects.filter(user=world.staff).values_list("period", flat=True)) == {
        "2026-W11",
        "2026-W12",
    }
    assert not DigestClaim.objects.filter(user=world.lead).exists()
    assert digests_to(mailbox, world.lead.email) == []


def test_each_person_gets_theirs_at_the_hour_of_their_time_zone(
    world, mailbox, time_machine
) -> None:
    """The person's own time zone, else their organisation's."""
    Profile.objects.create(user=world.staff, time_zone="Asia/Tokyo")
    world.organisation.time_zone = "America/New_York"
    world.organisation.save()
    at(dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC), time_machine)
    for user in (world.staff, world.lead):
        item(world, user)
    at(dt.datetime(2026, 3, 10, 10, 30, tzinfo=UTC), time_machine)  # 19:30 Tokyo, 06:30 New York
    services.digests_send_due()
    claims = dict(DigestClaim.objects.values_list("user__username", "period"))
    assert claims["staff"] == "2026-03-10" and claims["outsider"] == "2026-03-10"  # UTC
    assert "lead" not in claims
    at(dt.datetime(2026, 3, 10, 11, 30, tzinfo=UTC), time_machine)  # 07:30 in New York
    services.digests_send_due()
    assert DigestClaim.objects.get(user=world.lead).period == "2026-03-10"
    assert len(digests_to(mailbox, world.staff.email)) == 1
    assert len(digests_to(mailbox, world.lead.email)) == 1


def test_someone_who_stops_their_digest_after_the_claim_gets_none(
    world, mailbox, time_machine
) -> None:
    at(WEDNESDAY_MORNING, time_machine)
    item(world, world.staff)
    services.digests_claim()
    claim_id = DigestClaim.objects.get(user=world.staff).pk
    Profile.objects.create(user=world.staff, digest=Profile.Digest.NEVER)
    assert services.digest_send(claim_id=claim_id) is True
    assert DigestClaim.objects.get(pk=claim_id).lines == 0
    assert mailbox.messages == []


# --- What it says ---------------------------------------------------------------------------------


def test_the_digest_tells_what_needs_me_and_what_moved_below_my_missions(
    world, mailbox, time_machine
) -> None:
    at(dt.datetime(2026, 3, 10, 6, 0, tzinfo=UTC), time_machine)  # before the span
    item(world, world.lead, Kind.ALIGNED, cause="", message="Aligned too early to tell.")
    audit_record(
        obj=world.staff_mission,
        organisation=world.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=world.staff,
        mission=world.staff_mission,
    )
    at(TUESDAY, time_machine)
    # What waits for lead, of two kinds; one they see in the app only.
    item(world, world.lead, Kind.ALIGNMENT_REQUESTED, cause="alignment:1", message="Align A.")
    item(world, world.lead, Kind.ALIGNMENT_REQUESTED, cause="alignment:2", message="Align B.")
    item(world, world.lead, Kind.CHECK_IN_DUE, cause="check_in:1", message="Check in on C.")
    item(world, world.lead, Kind.KEY_TASK_OVERDUE, cause="key_task:1", message="Hidden task.")
    notification_preferences_set(
        user=world.lead, channels={Kind.KEY_TASK_OVERDUE: NotificationPreference.Channel.IN_APP}
    )
    # What moved: told in the span (a digest kind), and others' changes below lead's mission.
    item(world, world.lead, Kind.SUPPORT_ANSWERED, cause="", message="Support was answered.")
    item(world, world.lead, Kind.SENT_BACK, cause="", message="Emailed at once, not here.")
    audit_record(
        obj=world.staff_mission,
        organisation=world.organisation,
        verb=AuditEvent.Verb.PROPOSED,
        by=world.staff,
        mission=world.staff_mission,
    )
    audit_record(  # lead's own change: not news to lead
        obj=world.team_mission,
        organisation=world.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=world.lead,
        mission=world.team_mission,
    )
    audit_record(  # above lead's part of the cascade
        obj=world.org_mission,
        organisation=world.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=world.leader,
        mission=world.org_mission,
    )
    at(WEDNESDAY_MORNING, time_machine)
    services.digests_send_due()

    (email,) = digests_to(mailbox, world.lead.email)
    text, html = text_of(email), html_of(email)
    subject = str(email["Subject"]).strip()
    assert subject == (
        "Your daily digest from Acme Health: 3 waiting for you, 2 new in your missions"
    )
    needs, moved = text.split("WHAT MOVED IN YOUR PART OF THE CASCADE")
    assert needs.index("Alignment requested") < needs.index("Align B.")
    assert needs.index("Align A.") < needs.index("Check-in due") < needs.index("Check in on C.")
    assert "Hidden task." not in text  # in the app only
    assert "Support was answered." in moved
    assert f"{world.staff.get_full_name()} proposed “Open two virtual wards”" in moved
    for absent in ("Emailed at once", "too early", "updated “Community wards”", "Care closer"):
        assert absent not in text
    link = f"http://missions.example.test/o/acme/missions/{world.staff_mission.pk}/"
    assert link in text and link in html
    assert "Your daily digest, Wednesday 11 March 2026" in text
    assert "Tue 10 Mar, 10:00 · Open two virtual wards: Support was answered." in moved
    # The digest's own one-click unsubscribe.
    assert "/unsubscribe/" in str(email["List-Unsubscribe"])
    assert str(email["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"


def test_a_long_digest_says_how_many_more(world, mailbox, time_machine) -> None:
    at(TUESDAY, time_machine)
    for n in range(digests.LIMIT + 5):
        item(world, world.staff, Kind.FINDING, cause=f"finding:{n}", message=f"Finding {n}.")
        item(world, world.staff, Kind.ALIGNED, cause="", message=f"Aligned {n}.")
    at(WEDNESDAY_MORNING, time_machine)
    services.digests_send_due()
    (email,) = digests_to(mailbox, world.staff.email)
    text = text_of(email)
    assert text.count("Finding ") == digests.LIMIT
    assert "…and 5 more: http://missions.example.test/o/acme/notifications/" in text
    assert text.count("Aligned ") == digests.LIMIT
    assert "…and 5 more." in text


def test_building_a_digest_costs_the_same_queries_however_long_it_is(world, time_machine) -> None:
    def queries_for(lines: int) -> int:
        Notification.objects.all().delete()
        AuditEvent.objects.all().delete()
        for n in range(lines):
            item(world, world.lead, Kind.FINDING, cause=f"finding:{n}")
            item(world, world.lead, Kind.ALIGNED, cause="")
            audit_record(
                obj=world.staff_mission,
                organisation=world.organisation,
                verb=AuditEvent.Verb.UPDATED,
                by=world.staff,
                mission=world.staff_mission,
            )
        with CaptureQueriesContext(connection) as captured:
            digest = digest_build(
                user=world.lead,
                starts_at=timezone.now() - dt.timedelta(days=1),
                ends_at=timezone.now() + dt.timedelta(seconds=1),
            )
        assert digest.lines == 3 * lines
        return len(captured.captured_queries)

    at(TUESDAY, time_machine)
    # Memberships, the open items (count, page), told and changes (counts, pages), the
    # person's missions.
    assert queries_for(2) == queries_for(30) == 8


# --- Exactly once under a lost commit ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_commit_lost_after_the_email_is_retried_without_a_second_email(
    world, mailbox, monkeypatch, time_machine
) -> None:
    at(WEDNESDAY_MORNING, time_machine)
    item(world, world.staff)
    services.digests_claim()
    claim_id = DigestClaim.objects.get(user=world.staff).pk
    send_email = digests.send_email  # put back for the retry
    lose_the_session_after_sending(digests, monkeypatch)
    with pytest.raises(DigestEmailedNotRecorded):
        services.digest_send(claim_id=claim_id)
    connection.close()
    assert len(mailbox.messages) == 1
    assert DigestClaim.objects.get(pk=claim_id).sent_at is None  # out, but not recorded

    monkeypatch.setattr(digests, "send_email", send_email)
    assert tasks.digest_send.delay(claim_id, with_email=False).get() is True
    assert DigestClaim.objects.get(pk=claim_id).sent_at is not None
    assert services.digest_send(claim_id=claim_id) is False
    assert len(mailbox.messages) == 1
