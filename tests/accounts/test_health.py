"""A Redis outage: the API keeps answering (rate limits count in the process meanwhile), and the
deep health check says which dependency is down.

A second, throwaway ``redis-server`` serves as the cache here, so that stopping it leaves the
test run's own Redis (the broker) alone.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import OperationalError
from django.test import Client
from rest_framework.test import APIClient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server here"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A ``redis-server`` subprocess on a free port, without persistence."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def cache_server(settings: Any, tmp_path: Path) -> Iterator[RedisServer]:
    """The default cache (and so every rate limit) on a Redis of this test's own."""
    from missionlead import throttling

    server = RedisServer(tmp_path)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,  # as in production
        }
    }
    try:
        yield server
    finally:
        server.stop()
        throttling.counters.reset()  # back to the shared cache for the tests that follow


def test_the_api_answers_while_the_cache_is_down(world, cache_server, caplog) -> None:
    lead = APIClient()
    lead.force_authenticate(world.lead)
    assert lead.get("/api/v1/missions/").status_code == 200
    cache_server.stop()
    with caplog.at_level(logging.WARNING, logger="missionlead.throttling"):
        started = time.monotonic()
        for _ in range(3):
            assert lead.get("/api/v1/missions/").status_code == 200
        assert time.monotonic() - started < 2  # no long retries against a server that is gone
        assert APIClient().get("/api/schema/").status_code == 200  # anonymous
        token = APIClient().post(
            "/api/v1/auth/token/", {"username": "staff", "password": "mission-test"}
        )
        assert token.status_code == 200
        assert (
            Client()
            .post("/accounts/login/", {"username": "staff", "password": "mission-test"})
            .status_code
            == 302
        )
    # One warning for the outage, not one per request.
    warnings = [r for r in caplog.records if r.name == "missionlead.throttling"]
    assert len(warnings) == 1 and "cache" in warnings[0].getMessage().lower()


def test_the_log_in_limits_hold_in_the_process_while_the_cache_is_down(world, cache_server) -> None:
    cache_server.stop()
    api = APIClient()
    answers = [
        api.post("/api/v1/auth/token/", {"username": "lead", "password": "wrong"}).status_code
        for _ in range(8)
    ]
    assert answers == [400] * 5 + [429] * 3


def test_the_limits_use_the_cache_again_once_it_is_back(
    world, cache_server, monkeypatch, tmp_path
) -> None:
    import redis

    from missionlead import throttling

    monkeypatch.setattr(throttling.counters, "retry_seconds", 0)  # try the cache every time
    lead = APIClient()
    lead.force_authenticate(world.lead)
    cache_server.stop()
    assert lead.get("/api/v1/missions/").status_code == 200
    back = RedisServer(tmp_path, port=cache_server.port)
    try:
        assert lead.get("/api/v1/missions/").status_code == 200
        keys = redis.Redis.from_url(back.url).keys("*")
        assert any(b"throttle_user" in key for key in keys), keys
    finally:
        back.stop()


# --- The health checks ------------------------------------------------------------------------


def test_healthz_stays_a_cheap_liveness_check(world, cache_server) -> None:
    cache_server.stop()
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_deep_check_reports_each_dependency(world, cache_server) -> None:
    response = Client().get("/healthz?deep=1")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok"},
    }
    cache_server.stop()
    response = Client().get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "ok", "cache": "down"},
    }
    # No error text reaches the public answer (it would name hosts and ports).
    assert str(cache_server.port) not in response.content.decode()


def test_the_deep_check_reports_the_broker_down(world, settings) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    response = Client().get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "down", "cache": "ok"}


def test_the_deep_check_reports_the_database_down(world, monkeypatch) -> None:
    from missionlead import health

    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_select_one", refuse)
    response = Client().get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
