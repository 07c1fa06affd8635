"""`make run` end to end: scripts/run.sh on its embedded default (SQLite, file-system broker).

It starts the web server, a Celery worker and beat, serves the demo organisation to ``ceo``,
and on SIGINT stops every process it started; started again on the same data, it keeps what
a user changed in the demo.
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
from html.parser import HTMLParser
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


class _FormFields(HTMLParser):
    """The fields of each form of a page, with the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({})
        elif self.forms and tag == "input" and attr.get("name"):
            if attr.get("type") not in ("checkbox", "radio") or "checked" in attr:
                self.forms[-1][attr["name"]] = attr.get("value", "")
        elif self.forms and tag == "textarea":
            self.textarea = attr["name"]
            self.forms[-1][self.textarea] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.forms[-1][self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            # As in a browser: a newline right after <textarea> is not part of the value.
            value = self.forms[-1][self.textarea]
            self.forms[-1][self.textarea] = value[1:] if value.startswith("\n") else value
            self.textarea = None


def _form_with(page: str, field: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    forms = [form for form in parser.forms if field in form]
    assert forms, f"no form with a {field!r} field"
    return forms[0]


def _change_ceo_intent(url: str, opener: urllib.request.OpenerDirector, intent: str) -> None:
    """What the CEO does in a browser: open the vision's form, change the intent, Save."""
    with opener.open(f"{url}/o/demo/vision/?edit", timeout=10) as response:
        form = _form_with(response.read().decode(), "ceo_intent")
    assert {"csrfmiddlewaretoken", "purpose", "vision", "horizon", "success_picture"} <= set(form)
    form["ceo_intent"] = intent
    request = urllib.request.Request(
        f"{url}/o/demo/vision/",
        data=urllib.parse.urlencode(form).encode(),
        # Django's CSRF check wants the origin of a POST, as a browser sends it.
        headers={"Referer": f"{url}/o/demo/vision/?edit", "Origin": url},
    )
    with opener.open(request, timeout=10) as response:
        assert response.url.rstrip("/").endswith("/o/demo/vision"), response.url
        assert intent in html.unescape(response.read().decode())


def _vision_page(url: str, opener: urllib.request.OpenerDirector) -> str:
    with opener.open(f"{url}/o/demo/vision/", timeout=10) as response:
        assert response.status == 200
        return html.unescape(response.read().decode())


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
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


def _stop_with_sigint(proc: subprocess.Popen) -> None:
    """As Ctrl-C does: SIGINT to the foreground process group, here run.sh's own; then no
    process of its session may be left."""
    sid = proc.pid
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"run.sh still running {STOP_TIMEOUT} s after SIGINT")
    deadline = time.monotonic() + 5
    while _session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(sid) == {}, "processes left behind after SIGINT"


def _environment_of(pid: int) -> dict[str, str]:
    raw = (Path("/proc") / str(pid) / "environ").read_bytes()
    pairs = (item.decode().partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _eq, value in pairs}


def test_make_run_serves_the_demo_stops_on_sigint_and_keeps_the_data(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    var_dir = tmp_path / "var"
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update(PORT=str(port), MISSIONLEAD_VAR_DIR=str(var_dir))
    log = tmp_path / "run.log"
    intent = "Changed through the browser: this must survive a second make run."

    proc = _start(env, log)
    try:
        _wait_for_health(url, proc, log)

        running = _session_processes(proc.pid)
        assert any("celery" in cmd and " worker" in cmd for cmd in running.values()), running
        assert any("celery" in cmd and " beat" in cmd for cmd in running.values()), running
        server = next(pid for pid, cmd in running.items() if "runserver" in cmd)
        assert _environment_of(server).get("SITE_URL") == url

        opener = _log_in(url, "ceo", "mission-demo")
        with opener.open(f"{url}/o/demo/", timeout=10) as response:
            assert response.status == 200
            page = html.unescape(response.read().decode())
        vision = _vision_text(var_dir)
        assert "CEO" in page or (vision and vision in page), page[:2000]

        _change_ceo_intent(url, opener, intent)
        _stop_with_sigint(proc)
    finally:
        _kill_session(proc.pid)
        proc.wait()

    # A second `make run` on the same data: the demo is there as the CEO left it.
    proc = _start(env, log)
    try:
        _wait_for_health(url, proc, log)
        assert "left as it is" in log.read_text()
        assert intent in _vision_page(url, _log_in(url, "ceo", "mission-demo"))
        _stop_with_sigint(proc)
    finally:
        _kill_session(proc.pid)
        proc.wait()
