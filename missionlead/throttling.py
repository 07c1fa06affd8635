"""Rate limits, kept in the Django cache (Redis in production, shared by every process).

- the API: per user (``THROTTLE_USER``) and per anonymous client (``THROTTLE_ANON``);
- log-ins, through ``POST /api/v1/auth/token/`` and the browser form alike: per client IP
  (``THROTTLE_LOGIN_IP``) and per username tried (``THROTTLE_LOGIN_USER``), so neither one
  address guessing many passwords nor many addresses guessing one person's password get far.

Rates are read from the settings when a throttle is made, not when this module is imported,
so a changed setting (a test, an operator's environment) takes effect.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

LOGIN_THROTTLED_MESSAGE = "Too many attempts to log in. Wait a minute, then try again."


class _SettingsRate:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[no-any-return]


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
