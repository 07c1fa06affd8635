"""The exports' part of ``make bench`` alone (scripts/bench/exports.py), against the bench
organisation that ``make bench`` generated: it reads, and writes nothing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench.config import BENCH_ENV, SLUG  # noqa: E402

os.environ.update(BENCH_ENV)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from kernel.models import Organisation  # noqa: E402
from scripts.bench.exports import measure_exports  # noqa: E402

if __name__ == "__main__":
    organisation = Organisation.objects.get(slug=SLUG)
    admin = get_user_model().objects.get(username=f"{SLUG}-admin")
    measure_exports({"organisation": organisation, "admin": admin})
