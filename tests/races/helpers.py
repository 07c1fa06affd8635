"""Requests that really overlap: each runs in its own thread with its own database connection,
and all of them start at the same moment (a barrier)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

TRIALS = 10


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Call each function in a thread of its own, all released by one barrier; return what
    each returned (or the exception it raised), in order. Every thread closes its database
    connections when it ends, as a server's worker would."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as exc:  # the caller asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a request never finished (a lock held forever?)"
    return results


def api_client(user: Any) -> Callable[..., Any]:
    """``call(method, url, body=None, **headers)`` as ``user`` with a token, as an outside
    client would: a 500 comes back as a response, not as an exception."""
    token, _ = Token.objects.get_or_create(user=user)

    def call(method: str, url: str, body: Any = None, **headers: str) -> Any:
        client = Client(raise_request_exception=False)
        return getattr(client, method)(
            url,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
            **headers,
        )

    return call


def browser(user: Any) -> Client:
    """A signed-in browser session of ``user``; a 500 comes back as a response."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client
