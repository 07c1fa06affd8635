"""Celery tasks of the kernel, and the options every task of the product runs with.

Every task is safe to run twice (the services claim their work in the database), acks late so
a worker killed mid-task hands it back, and retries with backoff on database or broker errors.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import DatabaseError

from . import delivery, webhooks

RETRYABLE = (DatabaseError, ConnectionError, OSError)
TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": RETRYABLE,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**TASK_OPTIONS)
def notifications_email_pending(recipient_ids: list[int] | None = None) -> int:
    """Queue one send per item waiting to be emailed at once: of these recipients (what
    ``notify`` hands over when it commits), or of everyone (the periodic catch-up)."""
    ids = delivery.emails_pending(recipient_ids=recipient_ids)
    for notification_id in ids:
        notification_email_send.delay(notification_id)
    return len(ids)


@shared_task(bind=True, **TASK_OPTIONS)
def notification_email_send(self: Task, notification_id: int, with_email: bool = True) -> bool:
    """Email one item at once; a second run sends nothing."""
    try:
        return delivery.notification_email_send(
            notification_id=notification_id, with_email=with_email
        )
    except delivery.EmailedNotRecorded as exc:
        # The email is out and the database lost its record: the retry stores the claim and
        # sends no second email.
        raise self.retry(
            args=(notification_id,), kwargs={"with_email": False}, exc=exc, countdown=1
        ) from exc


@shared_task(**TASK_OPTIONS)
def webhook_deliver(delivery_id: int) -> str | None:
    """One attempt of a webhook delivery, when it is due and nobody else holds it; a retry is
    queued for its time by the attempt that failed."""
    return webhooks.deliver(delivery_id=delivery_id)


@shared_task(**TASK_OPTIONS)
def webhooks_catch_up() -> int:
    """Queue the webhook deliveries whose time has passed and that nobody holds: hand-overs
    the broker lost, senders that died (the periodic catch-up)."""
    ids = webhooks.deliveries_due()
    for delivery_id in ids:
        webhook_deliver.delay(delivery_id)
    return len(ids)
