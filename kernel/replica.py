"""Read replicas: the read-heavy work (dashboards, the heat map, exports, the brief, the nightly
forecast's and checks' reads) reads from a streaming replica when one is configured
(``DATABASE_REPLICA_URL``); everything else, and every write, stays on the primary.

Reading from the replica is opt-in, around the code that does it (``replica_reads`` or the
view decorator ``reads_from_replica``), never the default for every read: a replica lags its
primary by a moment, and most pages read what their person just changed. For the same reason a
person who has just written reads from the primary for ``PIN_SECONDS`` afterwards
(read-your-writes): ``ReadYourWritesMiddleware`` sets a short-lived cookie after each request
that may write, and a request carrying it never reads from the replica.

Row-level security applies on the replica too: the organisations the current transaction may
see (``kernel.tenancy``) are set, transaction-locally, on the replica's transaction as well.

Without a replica every function here is a no-op; the test settings name the replica a mirror
of the primary (``TEST: {"MIRROR": "default"}``), so the suite stays on one database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import connection, connections, router, transaction
from django.http import HttpRequest, HttpResponseBase

from .tenancy import _SCOPE_ATTRIBUTE, SETTING

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "ml_primary"
PIN_SECONDS = 5

_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)
_pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


def replica_configured() -> bool:
    """A replica, and this router to send reads to it (the test settings name a replica but
    install the router only where a test asks)."""
    return REPLICA in connections.databases and any(
        isinstance(r, ReplicaRouter) for r in router.routers
    )


@contextmanager
def replica_reads() -> Iterator[bool]:
    """Reads of the block go to the replica, in one read-only transaction limited to the
    organisations of the current scope; yields whether they do (no replica, or a person who
    just wrote: the primary)."""
    if not replica_configured() or _pinned_to_primary.get() or _reading_replica.get():
        yield False
        return
    replica = connections[REPLICA]
    scope = getattr(connection, _SCOPE_ATTRIBUTE, None)
    with transaction.atomic(using=REPLICA):
        if replica.vendor == "postgresql":
            with replica.cursor() as cursor:
                value = scope.value if scope is not None else ""
                if value.startswith("user:"):
                    cursor.execute(
                        "SELECT set_config(%s, coalesce((SELECT string_agg(organisation_id::text,"
                        " ',') FROM missions_membership WHERE user_id = %s "
                        "AND deactivated_at IS NULL), '0'), true)",
                        [SETTING, int(value.removeprefix("user:"))],
                    )
                else:
                    cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])
        token = _reading_replica.set(True)
        try:
            yield True
        finally:
            _reading_replica.reset(token)


def reading_connection() -> Any:
    """The connection raw SQL that only reads should use: the replica's inside
    ``replica_reads``, the primary's otherwise (raw SQL does not pass through the router)."""
    return connections[REPLICA] if _reading_replica.get() else connection


def reads_from_replica(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For a read-only view of read-heavy work; put it inside ``org_view`` (which sets the
    organisation the replica's transaction is limited to)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapper


class ReplicaRouter:
    """``DATABASE_ROUTERS`` when a replica is configured: reads inside ``replica_reads`` go
    to it, every other read and every write to the primary; migrations run on the primary
    only (the replica streams them)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return REPLICA if _reading_replica.get() else PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same database, a moment apart

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReadYourWritesMiddleware:
    """A request that may write (any method but GET, HEAD, OPTIONS) pins its person's reads to
    the primary for ``PIN_SECONDS``, so the page they land on next shows what they did."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        writes = request.method not in ("GET", "HEAD", "OPTIONS") and replica_configured()
        token = _pinned_to_primary.set(writes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned_to_primary.reset(token)
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
