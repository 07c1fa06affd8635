"""A command's peak memory is its own, not that of the process that started it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = (
    "import django; django.setup(); "
    "from kernel.commands import peak_memory_mib; print(round(peak_memory_mib()))"
)


def test_a_command_started_by_a_large_process_reports_its_own_peak() -> None:
    held = bytearray(400 * 1024 * 1024)  # the starting process holds 400 MiB
    held[::4096] = b"x" * len(held[::4096])  # touched, so resident
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "missionlead.settings_test"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    peak = int(out.stdout.strip().splitlines()[-1])
    assert 0 < peak < 300, peak  # Django's start-up, not the 400 MiB above
    del held
