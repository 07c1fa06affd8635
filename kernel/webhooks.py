"""Outgoing webhooks: the organisation's events sent to its receivers, Slack and Microsoft Teams.

The domain services call ``emit`` in the transaction of their change. It costs no query when
nobody listens: the organisation row, which the services hold anyway, carries the events its
active endpoints want (``Organisation.webhook_events``, rewritten by ``refresh_listening`` on
every change of its endpoints). With listeners, ``emit`` writes one delivery row per endpoint
in the same transaction (one ``INSERT … SELECT`` over the active endpoints that want the
event) and hands them to the broker once the transaction commits. A change that rolls back
sends nothing; a hand-over lost with the broker is picked up by the periodic catch-up
(``deliveries_due``), as the emails at once are.

Sending (``deliver``) follows the Standard Webhooks specification: the body
``{"type", "timestamp", "data"}`` with the headers ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, keyed by the
base64-decoded part of the ``whsec_`` secret; during a rotation the previous secret signs too,
space-separated). Slack and Teams endpoints get the event formatted for them, unsigned.

Each attempt claims its delivery first (``UPDATE … WHERE claimed_until has passed``), so two
workers never send one attempt twice; a worker that dies mid-send leaves a claim that expires
and the catch-up sends again. So a receiver may, rarely, see one message twice: it tells them
apart by ``webhook-id``, as the specification asks (at least once, never silently lost).

Any 2xx answer is success. Anything else (or no answer within ``TIMEOUT``) is retried after
``RETRY_DELAYS`` (with jitter), about three days in all; once they are spent the delivery
fails and the endpoint is turned off. ``410 Gone`` turns it off at once. Either way the
organisation admins are told in their inbox. Nothing is sent to a private, loopback,
link-local or reserved address unless the setting ``WEBHOOKS_ALLOW_PRIVATE`` allows it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import random
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .models import (
    Membership,
    Notification,
    Organisation,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

Event = WebhookEndpoint.Event
TEST_EVENT = "webhook.test"
EVENT_LABELS: dict[str, str] = {**dict(Event.choices), TEST_EVENT: "Test event"}

TIMEOUT = 15  # seconds, to connect and then to answer
# After the first attempt, the waits before each retry (Standard Webhooks / Svix's schedule,
# lengthened to about three days): eleven attempts over 69 hours and a half.
RETRY_DELAYS: tuple[dt.timedelta, ...] = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
    dt.timedelta(hours=14),
    dt.timedelta(hours=14),
    dt.timedelta(hours=14),
)
JITTER = 0.1  # each wait is stretched or shrunk by up to 10%: retries of many spread out
# How long an attempt holds its delivery: more than the sender's timeouts, so only a sender
# that died lets it go.
CLAIM_FOR = dt.timedelta(seconds=2 * TIMEOUT + 30)
# The catch-up sends what has waited this long past its time: its hand-over was lost.
CATCH_UP_AFTER = dt.timedelta(minutes=1)
ROTATION_GRACE = dt.timedelta(hours=24)  # the old secret signs too, for this long
FINDINGS_LISTED = 100  # a findings event names at most this many, and says whether more
USER_AGENT = "MissionLeadership-Webhooks/1.0"

GONE_REASON = "The receiver answered 410 Gone: it no longer wants these events."
EXHAUSTED_REASON = "Every attempt to deliver an event failed for three days."


class Refused(Exception):
    """The address is not one we send to (a private or reserved one, or no address at all)."""


# Secrets and signatures.


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, *, message_id: str, timestamp: int, body: str) -> str:
    """``v1,<signature>`` of one message with one secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signing_secrets(endpoint: WebhookEndpoint, *, now: dt.datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its grace."""
    found = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until is not None
        and endpoint.previous_secret_until > now
    ):
        found.append(endpoint.previous_secret)
    return found


def signature_headers(
    endpoint: WebhookEndpoint, *, message_id: str, body: str, now: dt.datetime
) -> dict[str, str]:
    timestamp = int(now.timestamp())
    signatures = [
        sign(secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in signing_secrets(endpoint, now=now)
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


# Who listens.


def refresh_listening(organisation_id: int) -> None:
    """After a change of the organisation's endpoints: store on the organisation which events
    its active endpoints want (``Organisation.webhook_events``), so that ``emit`` knows from
    the organisation the service holds anyway, without a query, whether anyone listens.

    The organisation's row is locked first: two admins changing two endpoints at once take
    turns, and the second reads the first's committed change with its own."""
    with transaction.atomic():
        list(Organisation.objects.select_for_update().filter(pk=organisation_id).values("pk"))
        _store_listening(organisation_id)


def _store_listening(organisation_id: int) -> None:
    wanted = WebhookEndpoint.objects.filter(
        organisation_id=organisation_id, is_active=True
    ).values_list("events", flat=True)
    events = sorted({event for events in wanted for event in events})
    Organisation.objects.filter(pk=organisation_id).update(webhook_events=events)


def listens(organisation: Organisation, event: str) -> bool:
    return event in (organisation.webhook_events or ())


# Writing events.


def emit(
    *,
    organisation: Organisation,
    event: str,
    data: Callable[[], Mapping[str, Any]],
    summary: Callable[[], str] | str = "",
) -> int:
    """The event, for each active endpoint of the organisation that wants it, in the caller's
    transaction; sent once it commits. Nobody listening, no query at all. ``data`` and
    ``summary`` (the line a chat client shows) are only built when someone listens. Returns
    how many deliveries it wrote."""
    if not listens(organisation, event):
        return 0
    payload = {"type": event, "timestamp": _iso(timezone.now()), "data": dict(data())}
    text = summary() if callable(summary) else summary
    return len(_write(organisation.pk, event, payload, text, endpoint_ids=None))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _write(
    organisation_id: int,
    event: str,
    payload: Mapping[str, Any],
    summary: str,
    *,
    endpoint_ids: Sequence[int] | None,
    message_id: str | None = None,
) -> list[int]:
    """One delivery per endpoint, in one ``INSERT … SELECT``, queued once the transaction
    commits: to ``endpoint_ids`` (a test, a replay), or to every active endpoint of the
    organisation that wants the event."""
    now = timezone.now()
    ops = connection.ops
    table = WebhookDelivery._meta.db_table
    body = json.dumps(payload, cls=DjangoJSONEncoder)
    postgresql = connection.vendor == "postgresql"
    cast = "::jsonb" if postgresql else ""
    which: list[Any]
    if endpoint_ids is not None:
        chosen = f"id IN ({', '.join(['%s'] * len(endpoint_ids))})"
        which = list(endpoint_ids)
    elif postgresql:
        chosen = "is_active AND events @> %s::jsonb"
        which = [json.dumps([event])]
    else:
        chosen = "is_active AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = %s)"
        which = [event]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (organisation_id, endpoint_id, message_id, event, payload,
                                 summary, status, attempts, created_at, next_attempt_at, error)
            SELECT organisation_id, id, %s, %s, %s{cast}, %s, %s, 0, %s, %s, ''
            FROM {WebhookEndpoint._meta.db_table}
            WHERE organisation_id = %s AND {chosen}
            RETURNING id
            """,
            [
                message_id or _message_id(),
                event,
                body,
                summary[:500],
                WebhookDelivery.Status.PENDING,
                ops.adapt_datetimefield_value(now),
                ops.adapt_datetimefield_value(now),
                organisation_id,
                *which,
            ],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        transaction.on_commit(partial(_queue, ids), robust=True)
    return ids


def _queue(delivery_ids: list[int]) -> None:
    from .tasks import webhook_deliver  # the tasks module imports this one

    for pk in delivery_ids:
        webhook_deliver.delay(pk)


def send_test(endpoint: WebhookEndpoint) -> int:
    """A ``webhook.test`` event to this endpoint alone, whatever it asks for; returns the
    delivery's id."""
    payload = {
        "type": TEST_EVENT,
        "timestamp": _iso(timezone.now()),
        "data": {
            "organisation": endpoint.organisation_id,
            "endpoint": endpoint.pk,
            "message": "A test event from Mission Leadership.",
        },
    }
    summary = f"A test event from Mission Leadership to “{endpoint.name}”."
    (pk,) = _write(
        endpoint.organisation_id, TEST_EVENT, payload, summary, endpoint_ids=[endpoint.pk]
    )
    return pk


def replay(delivery: WebhookDelivery) -> int:
    """The delivery's message sent again, as a new delivery with the same ``webhook-id`` (the
    receiver knows it for the same event); returns the new delivery's id."""
    (pk,) = _write(
        delivery.organisation_id,
        delivery.event,
        delivery.payload,
        delivery.summary,
        endpoint_ids=[delivery.endpoint_id],
        message_id=delivery.message_id,
    )
    return pk


# Sending.


def check_address(url: str) -> None:
    """Refuse an address whose host is, or resolves to, anything but public addresses: every
    address the name resolves to is checked (unless ``WEBHOOKS_ALLOW_PRIVATE``)."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise Refused("The address is not an http(s) address.")
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"The host name {host} does not resolve.") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise Refused(
                f"{host} is a private, loopback, link-local or reserved address ({address}): "
                "events are not sent there."
            )


def deliver(*, delivery_id: int) -> str | None:
    """One attempt of one delivery, if it is due and nobody else holds it: the status it is
    left in, or None when there was nothing to do."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if claimed != 1:
        return None  # not due yet, held by another worker, or done
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active and delivery.event != TEST_EVENT:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=WebhookDelivery.Status.FAILED,
            claimed_until=None,
            error="Not sent: the endpoint is turned off.",
        )
        return WebhookDelivery.Status.FAILED
    status_code, duration_ms, error = _send(endpoint, delivery)
    return _record(delivery, status_code=status_code, duration_ms=duration_ms, error=error)


def _send(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, int, str]:
    """POST the message: (the answer's status or None, milliseconds, what went wrong)."""
    now = timezone.now()
    body = json.dumps(render(endpoint.kind, delivery), cls=DjangoJSONEncoder)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if endpoint.signed:
        headers.update(
            signature_headers(endpoint, message_id=delivery.message_id, body=body, now=now)
        )
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        check_address(endpoint.url)
        # No redirects: a receiver that moved says so by its new address, and a redirect
        # could lead to an address the check above refuses.
        with requests.post(
            endpoint.url,
            data=body.encode(),
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"The receiver answered {status_code}."
    except Refused as refused:
        error = str(refused)
    except requests.Timeout:
        error = f"No answer within {TIMEOUT} seconds."
    except requests.RequestException as failure:
        error = f"Could not reach the receiver ({type(failure).__name__})."
    duration_ms = int((time.monotonic() - started) * 1000)
    return status_code, duration_ms, error[:300]


def _record(
    delivery: WebhookDelivery, *, status_code: int | None, duration_ms: int, error: str
) -> str:
    """Store the attempt and what follows from it: done, a retry, or the end."""
    now = timezone.now()
    Status = WebhookDelivery.Status
    endpoint = delivery.endpoint
    with transaction.atomic():
        WebhookAttempt.objects.create(
            organisation_id=delivery.organisation_id,
            delivery=delivery,
            at=delivery.last_attempt_at or now,
            response_status=status_code,
            duration_ms=duration_ms,
            error=error,
        )
        fields: dict[str, Any] = {
            "claimed_until": None,
            "response_status": status_code,
            "duration_ms": duration_ms,
            "error": error,
        }
        if status_code is not None and 200 <= status_code < 300:
            status = Status.SUCCEEDED
        elif status_code == 410 and delivery.event != TEST_EVENT:
            status = Status.FAILED
            endpoint_disable(endpoint, reason=GONE_REASON)
        elif delivery.attempts <= len(RETRY_DELAYS) and delivery.event != TEST_EVENT:
            status = Status.PENDING
            wait = RETRY_DELAYS[delivery.attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)
            fields["next_attempt_at"] = due = now + wait
            transaction.on_commit(partial(_queue_at, delivery.pk, due), robust=True)
        else:
            # The schedule is spent (a test event is tried once: its sender is watching).
            status = Status.FAILED
            if delivery.event != TEST_EVENT:
                endpoint_disable(endpoint, reason=EXHAUSTED_REASON)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, **fields)
    return status


def _queue_at(delivery_id: int, due: dt.datetime) -> None:
    from .tasks import webhook_deliver

    webhook_deliver.apply_async((delivery_id,), eta=due)


def endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> bool:
    """Turn the endpoint off, fail what still waits for it, and tell the organisation admins;
    False if it was off already."""
    now = timezone.now()
    turned_off = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_reason=reason[:300], disabled_at=now, updated_at=now
    )
    if not turned_off:
        return False
    endpoint.is_active, endpoint.disabled_reason, endpoint.disabled_at = False, reason, now
    WebhookDelivery.objects.filter(
        endpoint=endpoint, status=WebhookDelivery.Status.PENDING, claimed_until__isnull=True
    ).update(status=WebhookDelivery.Status.FAILED, error="Not sent: the endpoint was turned off.")
    refresh_listening(endpoint.organisation_id)
    _tell_admins(endpoint, reason)
    return True


def _tell_admins(endpoint: WebhookEndpoint, reason: str) -> None:
    from .notifications import Ask, notify_each  # it imports the tasks, which import this

    admins = Membership.objects.filter(
        organisation_id=endpoint.organisation_id, role=Membership.Role.ADMIN
    ).values_list("user_id", flat=True)
    organisation = endpoint.organisation
    url = reverse("missions:integration", kwargs={"org": organisation.slug, "pk": endpoint.pk})
    notify_each(
        [
            Ask(
                recipient_id=user_id,
                kind=Notification.Kind.WEBHOOK_DISABLED,
                message=f"The integration “{endpoint.name}” is turned off: {reason} "
                "Mend the receiver, then turn it on again.",
                mission_id=None,
                organisation_id=endpoint.organisation_id,
                url=url,
            )
            for user_id in admins
        ]
    )


def deliveries_due(*, now: dt.datetime | None = None) -> list[int]:
    """What waits past its time by more than ``CATCH_UP_AFTER`` and nobody holds: hand-overs
    the broker lost, or senders that died (the catch-up queues them again)."""
    moment = (now or timezone.now()) - CATCH_UP_AFTER
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=moment
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now or timezone.now()))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:5000]
    )


# How each client reads a message.


def render(kind: str, delivery: WebhookDelivery) -> Mapping[str, Any]:
    """The body for this kind of endpoint: the Standard Webhooks payload as stored, or a Slack
    or Teams message made from it."""
    if kind == WebhookEndpoint.Kind.SLACK:
        return slack_message(delivery.event, delivery.summary, _link(delivery.payload))
    if kind == WebhookEndpoint.Kind.TEAMS:
        return teams_message(delivery.event, delivery.summary, _link(delivery.payload))
    return delivery.payload


def _link(payload: Mapping[str, Any]) -> str:
    data = payload.get("data") or {}
    return str(data.get("url") or "") if isinstance(data, Mapping) else ""


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(event: str, summary: str, url: str) -> dict[str, Any]:
    """An incoming-webhook message: ``text`` (the notification's line) and Block Kit blocks."""
    label = EVENT_LABELS.get(event, event)
    text = summary or label
    context = f"*{_slack_escape(label)}* · Mission Leadership"
    if url:
        context += f" · <{url}|Open>"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(text)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


def teams_message(event: str, summary: str, url: str) -> dict[str, Any]:
    """A Teams Workflows message: one Adaptive Card attachment."""
    label = EVENT_LABELS.get(event, event)
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": label, "weight": "Bolder", "size": "Medium"},
            {"type": "TextBlock", "text": summary or label, "wrap": True},
        ],
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
