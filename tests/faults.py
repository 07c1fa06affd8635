"""Faults the tests cause on purpose."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import psycopg2
import pytest
from django.db import connection


def lose_the_session_after_sending(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``module.send_email`` send, then end this database session with its transaction
    open, as a PostgreSQL restart does: the email is out, the commit recording it is lost."""
    send_email = module.send_email

    def send_then_lose_the_session(**kwargs: Any) -> Any:
        sent = send_email(**kwargs)
        pid = connection.connection.get_backend_pid()
        with psycopg2.connect(**connection.get_connection_params()) as other:
            other.autocommit = True
            other.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
        return sent

    monkeypatch.setattr(module, "send_email", send_then_lose_the_session)
