"""Digests and emails at once through two real Celery workers at the same time, into a real
SMTP server: whatever is delivered twice, to whichever worker, each person gets one digest per
period and each item one email.

The workers run the production settings against this test run's database and Redis
(``tests/reviews/test_celery_worker.py`` starts them), and send their mail to an SMTP server
this test starts; what is counted is what that server received.
"""

from __future__ import annotations

from collections import Counter

import pytest

from kernel.models import Notification
from missionlead.celery import app
from reviews.models import DigestClaim
from tests.reviews.test_celery_worker import (  # noqa: F401  (broker: a fixture, used below)
    BROKER_URL,
    WAIT,
    broker,
    running_worker,
    wait_until,
)
from tests.smtp import Mailbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("broker"),  # publish for real, into an empty queue
    pytest.mark.skipif(
        not BROKER_URL.startswith("redis"),
        reason="needs the Redis broker that `make test` starts (REDIS_URL / CELERY_BROKER_URL)",
    ),
]
Kind = Notification.Kind


def send(task: str, *args) -> object:
    return app.send_task(task, args=list(args))


def item(world, user, kind: str, cause: str) -> Notification:
    """An item written straight to the table (no commit hand-over): the test publishes the
    tasks itself, as many times as it likes."""
    return Notification.objects.create(
        organisation=world.organisation,
        recipient=user,
        kind=kind,
        message=f"{kind} for {user.username}",
        url=world.staff_mission.get_absolute_url(),
        mission=world.staff_mission,
        cause=cause,
    )


def by_recipient(mailbox: Mailbox, prefix: str) -> Counter[str]:
    return Counter(
        str(m["To"]).strip()
        for m in mailbox.messages
        if str(m["Message-ID"]).strip().startswith(f"<{prefix}")
    )


def test_two_workers_send_one_digest_per_person(world, tmp_path) -> None:
    readers = (world.leader, world.lead, world.staff)
    for user in readers:
        item(world, user, Kind.CHECK_IN_DUE, f"check_in:{user.pk}")
    # From midnight: whatever the hour of this run, today's digest is due for everyone.
    env = {"DIGEST_HOUR": "0", "CELERY_VISIBILITY_TIMEOUT": "10"}
    with Mailbox() as mailbox:
        env["EMAIL_URL"] = mailbox.url
        with (
            running_worker(tmp_path / "one.log", pool="prefork", concurrency=2, **env) as one,
            running_worker(tmp_path / "two.log", pool="prefork", concurrency=2, **env),
        ):
            # Beat firing twice at once: both sweeps claim, and both queue every unsent claim.
            sweeps = [send("reviews.tasks.digest_sweep") for _ in range(2)]
            for sweep in sweeps:
                sweep.get(timeout=WAIT)
            members = 6  # acme's five and the outsider: a claim each, sent or with nothing to say
            wait_until(
                lambda: DigestClaim.objects.filter(sent_at__isnull=False).count() == members,
                "every claim sent",
                one,
            )
            # Every send delivered twice more, to either worker.
            claims = list(DigestClaim.objects.values_list("pk", flat=True))
            repeats = [send("reviews.tasks.digest_send", pk) for pk in claims * 2]
            assert [r.get(timeout=WAIT) for r in repeats] == [False] * len(repeats)
            wait_until(lambda: sum(by_recipient(mailbox, "digest-").values()) >= 3, "3 digests")
        assert by_recipient(mailbox, "digest-") == Counter(u.email for u in readers)
    assert DigestClaim.objects.count() == members
    assert DigestClaim.objects.filter(lines__gt=0).count() == 3


def test_two_workers_email_each_item_at_once_once(world, tmp_path) -> None:
    notes = [
        item(world, world.lead, Kind.ALIGNMENT_REQUESTED, "alignment:1"),
        item(world, world.lead, Kind.SUPPORT_REQUESTED, "support:1"),
        item(world, world.staff, Kind.SENT_BACK, "sent_back:1"),
        item(world, world.staff, Kind.FINDING, "finding:1"),  # a digest kind: not at once
    ]
    with Mailbox() as mailbox:
        env = {"EMAIL_URL": mailbox.url}
        with (
            running_worker(tmp_path / "one.log", pool="prefork", concurrency=2, **env) as one,
            running_worker(tmp_path / "two.log", pool="prefork", concurrency=2, **env),
        ):
            # The commit's hand-over delivered twice, the catch-up, and each send three times.
            listings = [
                send("kernel.tasks.notifications_email_pending", [world.lead.pk, world.staff.pk]),
                send("kernel.tasks.notifications_email_pending", [world.lead.pk, world.staff.pk]),
                send("kernel.tasks.notifications_email_pending"),
            ]
            sends = [send("kernel.tasks.notification_email_send", n.pk) for n in notes * 3]
            results = [r.get(timeout=WAIT) for r in sends]
            for listing in listings:
                listing.get(timeout=WAIT)
            wait_until(
                lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 3,
                "three items emailed",
                one,
            )
            wait_until(lambda: sum(by_recipient(mailbox, "notification-").values()) >= 3, "mail")
        assert results.count(True) <= 3  # the listings' own sends may have won some
    assert by_recipient(mailbox, "notification-") == Counter(
        {world.lead.email: 2, world.staff.email: 1}
    )
    assert Notification.objects.get(kind=Kind.FINDING).emailed_at is None
