"""Rate limits, kept in the Django cache (Redis in production, shared by every process).

- the API: per user (``THROTTLE_USER``) and per anonymous client (``THROTTLE_ANON``);
- log-ins, through the form, the admin's log-in page and ``POST /api/v1/auth/token/`` alike:
  failed attempts per (client address, username) with a doubling wait, and ceilings per
  username (``THROTTLE_LOGIN_USER``) and per address (``THROTTLE_LOGIN_IP``) that spare an
  address the person logged in from before (the "Log-ins" section below; docs/security.md);
- the client's address is REMOTE_ADDR, or X-Forwarded-For read from the right when the
  request comes from one of ``TRUSTED_PROXIES`` (``client_ip``).

Rates are read from the settings when a throttle is made, not when this module is imported,
so a changed setting (a test, an operator's environment) takes effect.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import logging
import math
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import models
from django.dispatch import receiver
from django.template.defaultfilters import pluralize
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

logger = logging.getLogger(__name__)

LOGIN_THROTTLED_MESSAGE = "Too many attempts to log in. Wait a while, then try again."


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text: str) -> IPAddress | None:
    """An address as a proxy writes it: ``192.0.2.1``, ``2001:db8::1``, or with a port
    (``192.0.2.1:4711``, ``[2001:db8::1]:4711``); None for anything else."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.cache
def _warn_untrusted_proxy(address: IPAddress) -> None:
    """Once per address and process: a private address that sends X-Forwarded-For is most
    likely the operator's own proxy, missing from TRUSTED_PROXIES (then every client shares
    its address in the per-IP limits)."""
    logger.warning(
        "X-Forwarded-For from %s, which is not in TRUSTED_PROXIES: the header is ignored. If "
        "%s is your proxy, add it to TRUSTED_PROXIES (see docs/deploy.md).",
        address,
        address,
    )


def client_ip(request: Any) -> str:
    """The address of the client, for every per-IP limit.

    ``X-Forwarded-For`` is read only when the request comes from one of ``TRUSTED_PROXIES``:
    anyone who reaches gunicorn directly could write anything there. Each trusted proxy
    appends the address it received the request from, so the list is read from the right,
    skipping trusted proxies: the first other address is the client. What a client wrote
    itself stands further left and is never reached. An entry that is not an address ends
    the walk at the last trusted hop.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in networks)

    hop = _address(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not trusted(hop):
        if forwarded and hop is not None and (hop.is_private or hop.is_loopback):
            _warn_untrusted_proxy(hop)
        return str(hop) if hop is not None else remote
    for entry in reversed(forwarded.split(",") if forwarded.strip() else []):
        address = _address(entry)
        if address is None:
            break
        hop = address
        if not trusted(address):
            break
    return str(hop)


# What a cache raises when its server is away (connection refused, a timeout, a full disk).
CACHE_ERRORS: tuple[type[Exception], ...] = (OSError, RedisError)


class FailSafeCounters:
    """The default cache for the counts, or while it fails a cache in this process.

    An outage of Redis must not turn every API request into a 500 (DRF's throttles read the
    cache on each one). Counting in the process keeps every limit in force, only per process
    rather than shared; that is better than no limit for log-ins. After a failure the shared
    cache is tried again ``retry_seconds`` later, not on every request (a black-holed server
    would otherwise cost a connect timeout each time). One warning when it fails, one line when
    it is back.
    """

    retry_seconds = 5.0

    def __init__(self) -> None:
        self._local = LocMemCache("missionlead-throttling-fallback", {"MAX_ENTRIES": 100_000})
        self._retry_at = 0.0
        self._failing = False

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if time.monotonic() >= self._retry_at:
                try:
                    result = getattr(cache, name)(*args, **kwargs)
                except CACHE_ERRORS as error:
                    self._failed(error)
                else:
                    if self._failing:
                        self._failing = False
                        logger.info("The cache answers again: rate limits are shared again.")
                    return result
            return getattr(self._local, name)(*args, **kwargs)

        return call

    def _failed(self, error: Exception) -> None:
        self._retry_at = time.monotonic() + self.retry_seconds
        if not self._failing:
            self._failing = True
            logger.warning(
                "The cache fails (%s: %s): rate limits count in this process until it answers.",
                type(error).__name__,
                error,
            )

    def reset(self) -> None:
        """Forget the outage and the counts kept meanwhile (tests)."""
        self._retry_at = 0.0
        self._failing = False
        self._local.clear()


# Where every count lives: the default cache (Redis in production), failing safe.
counters = FailSafeCounters()


def _rate(scope: str | None) -> str | None:
    """The rate of ``scope`` in DRF's ``DEFAULT_THROTTLE_RATES`` (``"100/hour"``), or None."""
    # djangorestframework-stubs type the rates as numbers; DRF's are text, "number/period".
    rates = cast("dict[str | None, str | None]", api_settings.DEFAULT_THROTTLE_RATES)
    return rates.get(scope)


class _SettingsRate(SimpleRateThrottle):
    # FailSafeCounters answers every method of a cache (through ``__getattr__``).
    cache = cast(BaseCache, counters)

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_ident(self, request: Any) -> str:
        """The client's address by ``TRUSTED_PROXIES`` (DRF's own reads ``NUM_PROXIES``)."""
        return client_ip(request)


class ApiUserThrottle(_SettingsRate, UserRateThrottle):
    """Every API request of a signed-in user."""


class ApiAnonThrottle(_SettingsRate, AnonRateThrottle):
    """Every API request without credentials, per client IP."""


# --- Log-ins ------------------------------------------------------------------------------------
# The log-in form, the admin's log-in page and the token endpoint share these counts (cache
# keys hold hashes: any text may be a username, and keys must stay short and plain).
#
# * Per (client address, username) pair: LOGIN_FREE_ATTEMPTS attempts, then a wait that doubles
#   with each further one (1 s, 2 s, 4 s …, at most LOGIN_BACKOFF_MAX). A success resets it, and
#   the pair's failures are forgotten a day after the last.
# * Per username across addresses (``login_user``) and per address across usernames
#   (``login_ip``): a ceiling per fixed window. It does not apply to a pair that logged in
#   successfully within KNOWN_PAIR_SECONDS, so guessers elsewhere cannot lock a person out from
#   where they usually log in.
#
# An attempt is counted before the password is checked and uncounted when it succeeds: twenty
# guesses sent at the same moment get the free attempts, not twenty checks.

FORGET_FAILURES_SECONDS = 24 * 60 * 60
KNOWN_PAIR_SECONDS = 30 * 24 * 60 * 60
_PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def normalised_username(username: str) -> str:
    """The username as the log-in form hands it to the backend: stripped, then NFKC (Django's
    ``UsernameField``, which leaves an over-long value as it is)."""
    model = get_user_model()
    field = model._meta.get_field(model.USERNAME_FIELD)
    max_length = (field.max_length if isinstance(field, models.Field) else None) or 254
    return str(UsernameField(max_length=max_length).to_python(username))


def username_key(username: str) -> str:
    """The username as authentication sees it, case-folded: the key of its counts.

    The log-in form strips the value and applies NFKC (Django's ``UsernameField``), so ``𝐜𝐞𝐨``
    and ``ｃｅｏ`` log in as ``ceo``; the token endpoint does the same. The backend then matches
    case-sensitively, so case folding joins names that are different accounts (``Ceo`` and
    ``ceo``): that only makes a count stricter, and it stays right under a case-insensitive
    backend or collation. Folding can leave a string that is not NFKC, hence NFKC again.
    """
    return unicodedata.normalize("NFKC", normalised_username(username).casefold())


def submitted_username(request: Any) -> str:
    """The username a log-in request tries, as sent ("" when there is none)."""
    data = getattr(request, "data", None)
    if data is None:  # a Django HttpRequest: the browser form
        data = request.POST
    value = data.get("username", "") if hasattr(data, "get") else ""
    return value if isinstance(value, str) else ""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _window(scope: str, ident: str, now: float) -> tuple[str, int, float] | None:
    """The fixed-window counter of ``scope`` for ``ident``: its key, its limit and the time
    the window ends; None when the scope has no rate."""
    rate = _rate(scope)
    if rate is None:
        return None
    number, period = rate.split("/")
    seconds = _PERIODS[period[0]]
    index = int(now // seconds)
    return f"login:{scope}:{_digest(ident)}:{index}", int(number), (index + 1) * seconds


def _incr(store: Any, key: str, timeout: float) -> int:
    """Add one to a counter, made with ``timeout`` if missing; atomic in Redis."""
    timeout = max(1, math.ceil(timeout))
    if store.add(key, 1, timeout):
        return 1
    try:
        return int(store.incr(key))
    except ValueError:  # it expired between the two calls
        store.set(key, 1, timeout)
        return 1


def _uncount(store: Any, keys: list[str]) -> None:
    for key in keys:
        with contextlib.suppress(ValueError):  # expired: nothing to take back
            store.decr(key)


@dataclass
class _Attempt:
    """A counted attempt, kept on the request until it succeeds."""

    ip: str
    username: str
    windows: list[str]


def login_attempt_begin(request: Any, username: str) -> float | None:
    """Count a log-in attempt before its password is checked: None when it may go ahead (it
    stays counted unless ``login_attempt_succeeded`` follows), else the seconds to wait (it
    is not counted: hammering during a wait does not lengthen it)."""
    now = time.time()
    ip = client_ip(request)
    name = username_key(username)
    pair = f"login:pair:{_digest(ip, name)}" if name else ""
    if pair:
        until = counters.get(f"{pair}:wait")
        if until is not None:
            return max(until - now, 1.0)
    counted: list[str] = []
    if not (pair and counters.get(f"{pair}:known")):
        for scope, ident in (("login_ip", ip), ("login_user", name)):
            window = _window(scope, ident, now) if ident else None
            if window is None:
                continue
            key, limit, ends = window
            counted.append(key)
            if _incr(counters, key, ends - now) > limit:
                _uncount(counters, counted)
                return max(ends - now, 1.0)
    if pair:
        failures = _incr(counters, f"{pair}:n", FORGET_FAILURES_SECONDS)
        counters.touch(f"{pair}:n", FORGET_FAILURES_SECONDS)
        free = settings.LOGIN_FREE_ATTEMPTS
        if failures >= free:
            # This attempt may go ahead; the next one waits, whatever this one's outcome. The
            # wait is claimed atomically: of attempts in flight together, one gets through.
            wait = min(settings.LOGIN_BACKOFF_MAX, 2 ** min(failures - free, 30))
            if not counters.add(f"{pair}:wait", now + wait, wait):
                _uncount(counters, [*counted, f"{pair}:n"])
                until = counters.get(f"{pair}:wait")
                return max((until or now + 1) - now, 1.0)
    request._login_attempt = _Attempt(ip=ip, username=name, windows=counted)
    return None


def login_attempt_succeeded(request: Any, user: Any) -> None:
    """The person logged in from this address: their pair starts again and is known (the
    ceilings no longer hold it), and the attempt is taken back from the ceilings."""
    ip = client_ip(request)
    name = username_key(user.get_username())
    pair = f"login:pair:{_digest(ip, name)}"
    counters.delete_many([f"{pair}:n", f"{pair}:wait"])
    counters.set(f"{pair}:known", 1, KNOWN_PAIR_SECONDS)
    attempt = getattr(request, "_login_attempt", None)
    if isinstance(attempt, _Attempt) and (attempt.ip, attempt.username) == (ip, name):
        _uncount(counters, attempt.windows)
        request._login_attempt = None


@receiver(user_logged_in)
def _login_succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A log-in through the form or the admin (and sign-up, invitations, password reset)."""
    if request is not None:
        login_attempt_succeeded(request, user)


class LoginThrottle(BaseThrottle):
    """The log-in limits on an API view that logs in (``POST /api/v1/auth/token/``); the view
    calls ``login_attempt_succeeded`` when the password was right."""

    _wait: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method != "POST":
            return True
        self._wait = login_attempt_begin(request, submitted_username(request))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


def login_throttled_message(wait: float) -> str:
    seconds = math.ceil(wait)
    if seconds < 90:
        return f"Too many attempts to log in. Try again in {seconds} second{pluralize(seconds)}."
    minutes = math.ceil(seconds / 60)
    return f"Too many attempts to log in. Try again in {minutes} minute{pluralize(minutes)}."


def login_wait(request: Any, view: Any = None) -> float | None:
    """For forms that are not log-ins but must not be hammered (sign-up, taking up an
    invitation, password reset): every POST counts against ``THROTTLE_LOGIN_IP`` per client
    address. None when it may go ahead, else the seconds to wait."""
    now = time.time()
    window = _window("login_ip", f"forms:{client_ip(request)}", now)
    if window is None:
        return None
    key, limit, ends = window
    if _incr(counters, key, ends - now) > limit:
        return max(ends - now, 1.0)
    return None
