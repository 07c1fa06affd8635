"""An organisation's SCIM tokens: made and revoked by its admins, read on every SCIM request.

Only the SHA-256 of a key is stored (as ``accounts.tokens`` does for API tokens): keys are 256
random bits, so a fast hash is enough to make a stolen table useless. Revoking a token takes
effect on the next request: each request looks its token up again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kernel.audit import audit_record
from kernel.models import AuditEvent, Organisation

from ..models import ScimToken
from .protocol import ScimError

if TYPE_CHECKING:
    from kernel.types import User

# How often ``last_used_at`` is written: not on every request of a sync of thousands.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
# Shown in front of every key, so that a leaked one is recognised (and found by secret scanners).
KEY_PREFIX = "scim_"


def scim_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def scim_tokens_of(*, organisation: Organisation) -> QuerySet[ScimToken]:
    """The organisation's tokens that still work, newest first."""
    return (
        ScimToken.objects.active()
        .filter(organisation=organisation)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def scim_token_create(*, organisation: Organisation, name: str, by: User) -> tuple[ScimToken, str]:
    """A new token for the organisation and its key, which is never stored and cannot be
    shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken(
        organisation=organisation,
        name=name.strip()[:100] or "Identity provider",
        digest=scim_token_digest(key),
        created_by=by,
    )
    token.full_clean()
    token.save()
    audit_record(
        obj=token,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        changes={"name": [None, token.name]},
    )
    return token, key


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, by: User | None) -> ScimToken:
    """The token stops working now; revoking it twice changes nothing."""
    now = timezone.now()
    if ScimToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now):
        token.revoked_at = now
        audit_record(
            obj=token,
            organisation=token.organisation,
            verb=AuditEvent.Verb.REMOVED,
            by=by,
            changes={"revoked_at": [None, now.isoformat()]},
        )
    return token


def scim_token_authenticate(header: str) -> ScimToken:
    """The working token of an ``Authorization: Bearer <key>`` header, with its organisation;
    a 401 in SCIM's error shape for anything else. One query, and a write a minute at most."""
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ScimError(401, "Send the organisation's SCIM token as “Authorization: Bearer …”.")
    token = (
        ScimToken.objects.active()
        .select_related("organisation")
        .filter(digest=scim_token_digest(key))
        .first()
    )
    if token is None:
        raise ScimError(401, "The token is not valid, or it has been revoked.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
