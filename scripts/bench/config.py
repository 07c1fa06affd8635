"""What a benchmark run measures, and where: the project's root, the environment of this
process and of the servers and commands it starts, and the size of the organisation. Read
before Django starts (``scripts/bench.py`` puts ``BENCH_ENV`` into its environment first)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "missionlead.settings",
    "DEBUG": "false",
    # Production settings refuse placeholders and short keys: a fresh one per run.
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "*",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "EMAIL_URL": "dummymail://",
    "CHECKS_AFTER_CHANGES": "false",
    "LOG_LEVEL": "WARNING",
    # The load tests send thousands of requests a minute from one user: lift the API's
    # per-user rate limit, which would otherwise answer 429 (the point is the server's speed).
    "THROTTLE_USER": "100000000/hour",
}

MISSIONS = int(os.environ.get("BENCH_MISSIONS", "100000"))
SLUG = f"bench{MISSIONS}"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "8"))
