"""Rate limits, kept in the Django cache (Redis in production, shared by every process).

- the API: per user (``THROTTLE_USER``) and per anonymous client (``THROTTLE_ANON``);
- log-ins, through ``POST /api/v1/auth/token/`` and the browser form alike: per client IP
  (``THROTTLE_LOGIN_IP``) and per username tried (``THROTTLE_LOGIN_USER``), so neither one
  address guessing many passwords nor many addresses guessing one person's password get far.

Rates are read from the settings when a throttle is made, not when this module is imported,
so a changed setting (a test, an operator's environment) takes effect.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
from typing import Any

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

LOGIN_THROTTLED_MESSAGE = "Too many attempts to log in. Wait a minute, then try again."


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


class _SettingsRate:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[no-any-return]

    def get_ident(self, request: Any) -> str:
        """The client's address by ``TRUSTED_PROXIES`` (DRF's own reads ``NUM_PROXIES``)."""
        return client_ip(request)


class ApiUserThrottle(_SettingsRate, UserRateThrottle):
    """Every API request of a signed-in user."""


class ApiAnonThrottle(_SettingsRate, AnonRateThrottle):
    """Every API request without credentials, per client IP."""


def submitted_username(request: Any) -> str:
    """The username a log-in request tries, normalised ("" when there is none)."""
    data = getattr(request, "data", None)
    if data is None:  # a Django HttpRequest: the browser form
        data = request.POST
    value = data.get("username", "") if hasattr(data, "get") else ""
    return value.strip().casefold() if isinstance(value, str) else ""


class LoginIpThrottle(_SettingsRate, SimpleRateThrottle):
    """Log-in attempts (POST) from one client IP."""

    scope = "login_ip"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(_SettingsRate, SimpleRateThrottle):
    """Log-in attempts (POST) for one username, from anywhere."""

    scope = "login_user"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        username = submitted_username(request) if request.method == "POST" else ""
        if not username:
            return None
        # Hashed: any text may be a username, and cache keys must stay short and plain.
        ident = hashlib.sha256(username.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


LOGIN_THROTTLES = (LoginIpThrottle, LoginUsernameThrottle)


def login_wait(request: Any, view: Any = None) -> float | None:
    """Record a log-in attempt; None when it may go ahead, else the seconds to wait.

    Every throttle sees the attempt, as DRF's ``check_throttles`` does, so the per-IP and the
    per-username counts both grow.
    """
    waits = []
    for throttle_class in LOGIN_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, view):
            waits.append(throttle.wait() or 60.0)
    return max(waits) if waits else None
