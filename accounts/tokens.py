"""A person's credentials besides their password: API tokens and browser sessions.

Tokens: made by ``POST /api/v1/auth/token/`` (``api_token_create``), sent as
``Authorization: Token <key>`` (``TokenAuthentication``), listed and revoked by their owner
(``/api/v1/auth/tokens/``, the security page) and revoked all at once when the password
changes (``credentials_revoke_all``, from ``accounts.models``). Only the SHA-256 of a key is
stored: keys are 160 random bits, so a fast hash is enough to make a stolen table useless.

Browser sessions: each log-in is remembered (``browser_session_record``) so that the person
can see where they are signed in and end a session; the session itself stays in Django's
session store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from rest_framework import authentication, exceptions

from missionlead.throttling import client_ip

from .models import ApiToken, BrowserSession

# How often ``last_used_at`` is written: not on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- Tokens: selectors --------------------------------------------------------------------------


def api_tokens_active_for(*, user: Any) -> QuerySet[ApiToken]:
    """The person's tokens that still work, newest first (none for an anonymous user)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.active().filter(user=user).order_by("-created_at", "-id")


# --- Tokens: services -----------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which is never stored and cannot be shown again.

    Beyond ``API_TOKEN_LIMIT`` working tokens the least recently used one is revoked: a script
    that asks for a token on every run does not pile them up.
    """
    key = secrets.token_hex(20)  # 160 bits, 40 characters: the shape of DRF's keys
    token = _token_create(user=user, name=name, key=key)
    return token, key


def api_token_adopt(*, key: str, user: Any) -> ApiToken:
    """Keep a key made elsewhere (DRF's ``Token`` model) as a hashed, expiring token."""
    return _token_create(user=user, name="Made with DRF's token model", key=key)


def _token_create(*, user: Any, name: str, key: str) -> ApiToken:
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name[:100] or "API token",
        digest=token_digest(key),
        expires_at=now + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    token.full_clean()
    token.save()
    active = api_tokens_active_for(user=user)
    surplus = active.count() - settings.API_TOKEN_LIMIT
    if surplus > 0:
        oldest = active.order_by(F("last_used_at").asc(nulls_first=True), "created_at", "id")
        ApiToken.objects.filter(pk__in=list(oldest.values_list("pk", flat=True)[:surplus])).update(
            revoked_at=now
        )
    return token


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """The token stops working now."""
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The working token with this key, its user loaded; records when it was last used."""
    now = timezone.now()
    token = (
        ApiToken.objects.active().select_related("user").filter(digest=token_digest(key)).first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken``: expired, revoked and unknown keys
    answer 401 alike. ``request.auth`` is the ``ApiToken``."""

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token


# --- Browser sessions ---------------------------------------------------------------------------


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def browser_session_record(*, request: Any, user: Any) -> BrowserSession | None:
    """Remember the request's session as one of the person's (at log-in, and when they look
    at their sessions: changing the password gives the session a new key)."""
    session_key = request.session.session_key
    if not session_key:
        return None
    session, created = BrowserSession.objects.get_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request) or None,
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
    )
    if created:  # forget the person's sessions that expired or ended meanwhile
        remembered = BrowserSession.objects.filter(user=user).exclude(pk=session.pk)
        open_keys = _open_session_keys(remembered)
        remembered.exclude(session_key__in=open_keys).delete()
    return session


def _open_session_keys(sessions: QuerySet[BrowserSession]) -> set[str]:
    keys = [session.session_key for session in sessions]
    store = _session_store()
    if issubclass(store, DatabaseSessionStore):  # one query for all of them
        return set(
            store.get_model_class()
            .objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
            .values_list("session_key", flat=True)
        )
    return {key for key in keys if store().exists(key)}


def browser_sessions_active_for(*, user: Any) -> list[BrowserSession]:
    """The person's sessions that are still open, newest first."""
    remembered = BrowserSession.objects.filter(user=user).order_by("-created_at", "-id")
    open_keys = _open_session_keys(remembered)
    return [session for session in remembered if session.session_key in open_keys]


def browser_session_forget(*, session_key: str) -> None:
    """The browser logged out: its session is gone already."""
    BrowserSession.objects.filter(session_key=session_key).delete()


def browser_session_end(*, session: BrowserSession) -> None:
    """Log that browser out: its session is deleted from the store."""
    _session_store()(session_key=session.session_key).delete()
    session.delete()


@transaction.atomic
def credentials_revoke_all(*, user: Any) -> None:
    """Every token of the person stops working and every browser session they have is ended
    (after a password change, the browser that changed it gets a new session, which Django
    keeps signed in)."""
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    for session in BrowserSession.objects.filter(user=user):
        browser_session_end(session=session)
