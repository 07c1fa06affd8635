"""The organisation's integrations, kept by its admins: webhook endpoints, Slack and Microsoft
Teams addresses. Every change is audited and rewrites which events the organisation listens for
(``Organisation.webhook_events``); the mechanism that sends lives in ``kernel.webhooks``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from .. import webhooks
from ..audit import apply_changes, audit_record
from ..models import AuditEvent, Organisation, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from ..types import User

ENDPOINT_FIELDS = ("kind", "name", "url", "events", "is_active")


@transaction.atomic
def webhook_endpoint_create(
    *, organisation: Organisation, data: dict[str, Any], by: User | None
) -> WebhookEndpoint:
    """A new endpoint, with a new secret; active unless ``data`` says otherwise."""
    endpoint = WebhookEndpoint(
        organisation=organisation,
        kind=data.get("kind") or WebhookEndpoint.Kind.WEBHOOK,
        name=data["name"],
        url=data["url"],
        events=list(data["events"]),
        is_active=data.get("is_active", True),
        secret=webhooks.new_secret(),
        created_by=by,
    )
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        obj=endpoint,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        changes={"url": [None, endpoint.url], "events": [None, endpoint.events]},
    )
    webhooks.refresh_listening(organisation.pk)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, data: dict[str, Any], by: User | None
) -> WebhookEndpoint:
    """Change an endpoint. Turning it on again clears why it was turned off; turning it off by
    hand says who did."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    was_active = endpoint.is_active
    if "events" in data:
        data = {**data, "events": list(data["events"])}
    changes = apply_changes(endpoint, data, ENDPOINT_FIELDS)
    if not changes:
        return endpoint
    if endpoint.is_active and not was_active:
        endpoint.disabled_reason, endpoint.disabled_at = "", None
    elif was_active and not endpoint.is_active:
        name = (by.get_full_name() or by.get_username()) if by is not None else "An admin"
        endpoint.disabled_reason = f"Turned off by {name}."[:300]
        endpoint.disabled_at = timezone.now()
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        obj=endpoint,
        organisation=endpoint.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes=changes,
    )
    webhooks.refresh_listening(endpoint.organisation_id)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by: User | None) -> None:
    """Remove an endpoint and its delivery log."""
    organisation = endpoint.organisation
    audit_record(
        obj=endpoint,
        organisation=organisation,
        verb=AuditEvent.Verb.REMOVED,
        by=by,
        changes={"url": [endpoint.url, None]},
    )
    endpoint.delete()
    webhooks.refresh_listening(organisation.pk)


@transaction.atomic
def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, by: User | None, grace: dt.timedelta = webhooks.ROTATION_GRACE
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing too (a second signature) for ``grace``, while
    the receiver changes over."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + grace
    endpoint.secret = webhooks.new_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"]
    )
    # The secrets themselves stay out of the log.
    audit_record(
        obj=endpoint,
        organisation=endpoint.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes={"secret": ["", "rotated"]},
    )
    return endpoint


@transaction.atomic
def webhook_send_test(*, endpoint: WebhookEndpoint, by: User | None) -> WebhookDelivery:
    """A test event to this endpoint, sent once this commits."""
    return WebhookDelivery.objects.get(pk=webhooks.send_test(endpoint))


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, by: User | None) -> WebhookDelivery:
    """The delivery's message sent again (same ``webhook-id``), as a new row of the log."""
    return WebhookDelivery.objects.get(pk=webhooks.replay(delivery))
