"""Celery tasks of the reviews app: thin wrappers that take ids and call the services.

Every task is safe to run twice (the services claim their work in the database), acks late so
a worker killed mid-task hands it back, and retries with backoff on database or broker errors
(``kernel.tasks.TASK_OPTIONS``).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from functools import partial

from celery import Task, shared_task
from django.core.cache import cache
from django.db import transaction

from kernel.models import Organisation
from kernel.tasks import TASK_OPTIONS
from kernel.tenancy import tenant_scope
from missionlead.throttling import CACHE_ERRORS
from missions.models import Mission
from missions.services.checks import ALIGNMENT_CHECK_TASK, alignment_check_pending_key

from . import checks, services
from .brief import prepare_briefs
from .inbox import inbox_sweep_organisation
from .services.briefs import BriefEmailedNotRecorded
from .services.digests import DigestEmailedNotRecorded
from .services.reminders import ReminderEmailedNotRecorded, RemindersEmailedNotRecorded

logger = logging.getLogger(__name__)


@shared_task(bind=True, **TASK_OPTIONS)
def review_send_reminder(self: Task, reminder_id: int, with_email: bool = True) -> bool:
    """Send one claimed reminder; a second run sends nothing."""
    try:
        return services.reminder_send(reminder_id=reminder_id, with_email=with_email)
    except ReminderEmailedNotRecorded as exc:
        # The email is out and the database lost its record: the retry stores the claim and
        # the notification, and sends no second email.
        raise self.retry(
            args=(reminder_id,), kwargs={"with_email": False}, exc=exc, countdown=1
        ) from exc


@shared_task(**TASK_OPTIONS)
def review_invitations_send(review_id: int, people: list[int]) -> int:
    """Email a moved or cancelled review's invitation to the people who hold it."""
    return services.review_invitations_send(review_id=review_id, people=people)


@shared_task(bind=True, **TASK_OPTIONS)
def review_send_reminders(self: Task, reminder_ids: list[int], with_email: bool = True) -> int:
    """Send a batch of claimed reminders; returns how many this run sent (a second run of
    the same batch sends none)."""
    try:
        return services.reminders_send(reminder_ids=reminder_ids, with_email=with_email).sent
    except RemindersEmailedNotRecorded as exc:
        # The emails are out and the database lost their records: the retry stores the
        # claims and the notifications, and sends no second email.
        raise self.retry(
            args=(reminder_ids,), kwargs={"with_email": False}, exc=exc, countdown=1
        ) from exc


@shared_task(**TASK_OPTIONS)
def review_reminder_sweep() -> int:
    """Schedule missing reviews, claim today's reminders, and queue one send task per batch.

    Scheduling skips a bad mission itself; should it fail as a whole, the reminders already
    due are still claimed and sent (by batch, each reminder whose email fails put back for
    the next sweep, so one bad reminder stops no other).
    """
    try:
        services.review_schedule_missing()
    except Exception:
        logger.exception("Review reminder sweep: scheduling failed; sending what is due.")
    ids = services.reminders_claim()
    for start in range(0, len(ids), services.REMINDER_BATCH):
        batch = ids[start : start + services.REMINDER_BATCH]
        transaction.on_commit(partial(review_send_reminders.delay, batch))
    return len(ids)


@shared_task(bind=True, **TASK_OPTIONS)
def digest_send(self: Task, claim_id: int, with_email: bool = True) -> bool:
    """Send one claimed digest; a second run sends nothing."""
    try:
        return services.digest_send(claim_id=claim_id, with_email=with_email)
    except DigestEmailedNotRecorded as exc:
        # The email is out and the database lost its record: the retry stores the claim and
        # sends no second email.
        raise self.retry(
            args=(claim_id,), kwargs={"with_email": False}, exc=exc, countdown=1
        ) from exc


@shared_task(**TASK_OPTIONS)
def digest_sweep() -> int:
    """Claim the digests whose hour has come in their people's time zones, and queue one
    ``digest_send`` task for each claim not sent yet (this sweep's, and any an earlier sweep's
    task lost)."""
    ids = services.digests_claim()
    for claim_id in ids:
        transaction.on_commit(partial(digest_send.delay, claim_id))
    return len(ids)


@shared_task(bind=True, **TASK_OPTIONS)
def brief_send(self: Task, claim_id: int, with_email: bool = True) -> bool:
    """Send one claimed weekly brief; a second run sends nothing."""
    try:
        return services.brief_send(claim_id=claim_id, with_email=with_email)
    except BriefEmailedNotRecorded as exc:
        # The email is out and the database lost its record: the retry stores the claim and
        # sends no second email.
        raise self.retry(
            args=(claim_id,), kwargs={"with_email": False}, exc=exc, countdown=1
        ) from exc


@shared_task(**TASK_OPTIONS)
def brief_sweep() -> int:
    """Claim the weekly briefs whose hour has come (Monday, from the digest hour, in each
    leader's time zone), and queue one ``brief_send`` task for each claim not sent yet."""
    ids = services.briefs_claim()
    for claim_id in ids:
        transaction.on_commit(partial(brief_send.delay, claim_id))
    return len(ids)


@shared_task(name=ALIGNMENT_CHECK_TASK, **TASK_OPTIONS)
def alignment_check_organisation(organisation_id: int, root_id: int | None = None) -> dict:
    """Run the alignment checks of one organisation, or of one subtree of it, in a transaction
    that row-level security limits to that organisation (kernel.tenancy). The cascade's
    services ask for a subtree by this task's name (``missions.services.checks``)."""
    if root_id:
        with suppress(*CACHE_ERRORS):
            cache.delete(alignment_check_pending_key(organisation_id, root_id))
    with tenant_scope([organisation_id]):
        organisation = Organisation.objects.get(pk=organisation_id)
        root = Mission.objects.filter(pk=root_id).first() if root_id else None
        result = checks.run_checks(organisation=organisation, root=root)
    # New findings reach their missions' owners, resolved ones leave their inboxes.
    inbox_sweep_organisation(organisation, only=["finding"])
    if root is None:  # the night's check: its snapshots say whose parts are large
        brief_prepare.delay(organisation_id)
    return {"opened": result.opened, "resolved": result.resolved, "open": result.open}


@shared_task(**TASK_OPTIONS)
def brief_prepare(organisation_id: int) -> int:
    """Read the day's briefs of the leaders of the organisation's large parts ahead and keep
    them (``reviews.brief.prepared``), after its checks; returns how many were kept."""
    with tenant_scope([organisation_id]):
        return prepare_briefs(Organisation.objects.get(pk=organisation_id))


@shared_task(**TASK_OPTIONS)
def inbox_sweep_one(organisation_id: int) -> dict[str, tuple[int, int]]:
    """Reconcile one organisation's inbox items with its state (reviews.inbox)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    return inbox_sweep_organisation(organisation)


@shared_task(**TASK_OPTIONS)
def inbox_sweep() -> int:
    """Fan out one inbox sweep per organisation (hourly)."""
    ids = list(Organisation.objects.values_list("id", flat=True))
    for organisation_id in ids:
        inbox_sweep_one.delay(organisation_id)
    return len(ids)


@shared_task(**TASK_OPTIONS)
def alignment_checks_nightly() -> int:
    """Fan out one check per organisation, so several workers share the night's work."""
    ids = list(Organisation.objects.values_list("id", flat=True))
    for organisation_id in ids:
        alignment_check_organisation.delay(organisation_id)
    return len(ids)
