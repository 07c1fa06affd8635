"""Production safety: ``check --deploy`` is clean with production settings, every response
carries the security headers, no template needs an inline script, and every form that posts
carries its CSRF token."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_security_matrix import ROUTES, is_api, url_of

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path) -> dict[str, str]:
    """A production-like environment: nothing of the test process but the basics."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="missionlead.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),  # 86 characters, as `check --deploy` wants
        ALLOWED_HOSTS="missions.example.org",
        MISSIONLEAD_VAR_DIR=str(tmp_path),
    )
    return env


@pytest.mark.slow  # a subprocess
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow  # a subprocess
def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_responses_carry_the_security_headers(world) -> None:
    anonymous, staff = Client(), Client()
    staff.force_login(world.staff)
    pages = [(anonymous, "/accounts/login/"), (anonymous, "/api/docs/")]
    pages += [(staff, "/o/acme/"), (staff, "/o/acme/dashboard/"), (staff, "/api/v1/missions/")]
    for client, url in pages:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy.replace("style-src-attr 'unsafe-inline'", "")
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")


TEMPLATES = ROOT / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
# As Django reads them: {# #} on one line only, {% comment %} across lines.
TEMPLATE_COMMENT = re.compile(r"{#[^\n]*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def test_no_template_needs_what_the_content_security_policy_refuses() -> None:
    """No inline <script>, no onclick= handlers, no <style> elements: the policy allows
    scripts and style sheets from this site only (inline style attributes stay allowed)."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = TEMPLATE_COMMENT.sub("", path.read_text())
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ELEMENT):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


class Forms(HTMLParser):
    """The forms of a page that post, and whether each holds a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._current = {
                "action": values.get("action") or "",
                "post": (values.get("method") or "get").lower() == "post",
                "token": False,
            }
            self.forms.append(self._current)
        elif (
            tag == "input"
            and self._current is not None
            and values.get("name") == "csrfmiddlewaretoken"
            and values.get("value")
        ):
            self._current["token"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


WEB_GET_ROUTES = sorted(name for name, row in ROUTES.items() if "GET" in row and not is_api(name))


@pytest.mark.django_db
@pytest.mark.parametrize("name", WEB_GET_ROUTES)
def test_every_form_that_posts_carries_its_csrf_token(name: str, api_world: Any) -> None:
    world = api_world.world
    url = url_of(name, ROUTES[name], api_world)
    users = [world.leader, world.lead, world.staff, world.coach, world.org_admin, world.outsider]
    seen = 0
    missing = []
    for user in [*users, None]:
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form["post"]:
                seen += 1
                if not form["token"]:
                    missing.append(f"{user}: form posting to {form['action'] or url}")
    assert missing == []
    if name in ("missions:edit", "missions:detail", "missions:people", "measures:me"):
        assert seen > 0, "these pages have forms: the parser must have found them"


@pytest.mark.django_db
def test_the_log_in_form_carries_its_csrf_token(world) -> None:
    client = Client(enforce_csrf_checks=True)
    parser = Forms()
    parser.feed(client.get(reverse("login")).content.decode())
    assert [form["token"] for form in parser.forms if form["post"]] == [True]
    # Without the token the form is refused.
    response = client.post(reverse("login"), {"username": "lead", "password": "mission-test"})
    assert response.status_code == 403


def settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# 54 random-looking characters: the keys below are refused for their words or shape only.
RANDOM = "q7VmR2xL9tP4wK8sN1bY6hJ3fD5cG0aZ-uE_oI8rT2wQ7zM4vB9kX3"


@pytest.mark.slow  # a subprocess each
@pytest.mark.parametrize(
    "key",
    [
        "change-me",  # .env.example's placeholder
        "please-change-this-" + RANDOM,
        "django-insecure-" + RANDOM,  # what startproject writes
        "my-secret-key-" + RANDOM,
        "dev-only-" + RANDOM,
        RANDOM[:49],  # too short
        "ab" * 40,  # long, but two characters
    ],
    ids=["placeholder", "change", "insecure", "secret-key", "dev-only", "short", "repetitive"],
)
def test_production_refuses_a_placeholder_or_short_secret_key(tmp_path: Path, key: str) -> None:
    result = settings_import({**production_env(tmp_path), "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert key not in result.stderr  # the error does not print the key it refuses


@pytest.mark.slow  # a subprocess each
def test_a_long_random_secret_key_starts_and_debug_allows_a_placeholder(tmp_path: Path) -> None:
    assert settings_import(production_env(tmp_path)).returncode == 0
    env = {**production_env(tmp_path), "DEBUG": "true", "SECRET_KEY": "change-me"}
    result = settings_import(env)
    assert result.returncode == 0, result.stderr
