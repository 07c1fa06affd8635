"""Health checks.

- ``/healthz``: liveness for load balancers and compose: the process answers and so does the
  database (``missions.views.healthz``). It stays cheap and does not depend on Redis: the
  application keeps serving through a cache outage (rate limits fail safe), so restarting it
  for one would only make things worse.
- ``/healthz?deep=1``: each dependency on its own (the database, the Celery broker, the cache),
  503 when one is down. For monitoring and readiness probes. The answer names no host, port
  or error (the endpoint is public); the log has them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from missions.views import healthz as liveness

from .celery import app as celery_app

logger = logging.getLogger(__name__)

# Seconds each dependency gets to answer.
TIMEOUT = 2


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write(
        url=settings.CELERY_BROKER_URL, connect_timeout=TIMEOUT
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT)


def _cache() -> None:
    cache = caches["default"]
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise OSError("the cache did not keep a value")
    cache.delete(key)


def _status(name: str, check: Callable[[], None]) -> str:
    started = time.monotonic()
    try:
        check()
    except Exception as error:  # whatever a dependency raises, it is down
        logger.warning("Health check: the %s is down (%s: %s)", name, type(error).__name__, error)
        return "down"
    elapsed = time.monotonic() - started
    if elapsed > TIMEOUT:
        logger.warning("Health check: the %s took %.1f s", name, elapsed)
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness by default; every dependency with ``?deep=1``."""
    if request.GET.get("deep") not in ("1", "true", "yes"):
        return liveness(request)
    checks = {
        "database": _status("database", _select_one),
        "broker": _status("broker", _broker),
        "cache": _status("cache", _cache),
    }
    healthy = all(status == "ok" for status in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
