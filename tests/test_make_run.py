"""`make run` end to end: scripts/run.sh on its embedded default (SQLite, file-system broker).

It starts the web server, a Celery worker and beat, serves the demo organisation to ``ceo``,
and on SIGINT stops every process it started.
"""

from __future__ import annotations

import contextlib
import html
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120
STOP_TIMEOUT = 30
# Only what a developer's shell would carry: none of the test settings' variables
# (DEBUG=false, SECRET_KEY, DATABASE_URL, ...) may leak into the embedded default.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TERM")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_processes(sid: int) -> dict[int, str]:
    """Every live process of the session ``sid``: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state ppid pgrp session ...
        state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def _kill_session(sid: int) -> None:
    for pid in _session_processes(sid):
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)


def _wait_for_health(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"run.sh exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"/healthz did not answer within {START_TIMEOUT} s:\n{log.read_text()[-4000:]}")


def _log_in(url: str, username: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{url}/accounts/login/", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the log-in form has no CSRF token"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    ).encode()
    with opener.open(f"{url}/accounts/login/", data=data, timeout=10) as response:
        assert "/accounts/login/" not in response.url, "log-in as ceo was refused"
    return opener


def _vision_text(var_dir: Path) -> str | None:
    """The demo organisation's vision, read straight from the SQLite file, if it is there."""
    try:
        with sqlite3.connect(var_dir / "missionlead.sqlite3") as db:
            row = db.execute(
                "SELECT v.vision FROM missions_vision v JOIN missions_organisation o"
                " ON o.id = v.organisation_id WHERE o.slug = 'demo'"
            ).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row and row[0] else None


def test_make_run_serves_the_demo_and_stops_everything_on_sigint(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    var_dir = tmp_path / "var"
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update(PORT=str(port), MISSIONLEAD_VAR_DIR=str(var_dir))
    log = tmp_path / "run.log"

    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own session: every process run.sh starts can be found by the session id.
            # (run.sh restores SIGINT itself should this test run with it ignored.)
            start_new_session=True,
        )
    sid = proc.pid
    try:
        _wait_for_health(url, proc, log)

        running = _session_processes(sid).values()
        assert any("celery" in cmd and " worker" in cmd for cmd in running), running
        assert any("celery" in cmd and " beat" in cmd for cmd in running), running

        opener = _log_in(url, "ceo", "mission-demo")
        with opener.open(f"{url}/o/demo/", timeout=10) as response:
            assert response.status == 200
            page = html.unescape(response.read().decode())
        vision = _vision_text(var_dir)
        assert "CEO" in page or (vision and vision in page), page[:2000]

        # As Ctrl-C does: SIGINT to the foreground process group, here run.sh's own.
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run.sh still running {STOP_TIMEOUT} s after SIGINT")
        deadline = time.monotonic() + 5
        while _session_processes(sid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_processes(sid) == {}, "processes left behind after SIGINT"
    finally:
        _kill_session(sid)
        proc.wait()
