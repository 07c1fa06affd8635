"""Rate limits: log-in (token endpoint, browser form, admin form) per IP and per username,
and the API per user and per anonymous client. Defaults: 10/min per IP, 5/min per username."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"
PASSWORD = "mission-test"  # tests/missions/factories.py
ROOT = Path(__file__).resolve().parent.parent


def token_attempt(client: APIClient, username: str, password: str = "wrong", ip: str = "10.0.0.1"):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_it_limits_token_requests_per_username(world) -> None:
    client = APIClient()
    for _ in range(5):
        assert token_attempt(client, "lead").status_code == 400
    # The sixth within the minute is refused, right password or not, from any address.
    response = token_attempt(client, "lead", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"]
    # The username is normalised: case and spaces do not make it another one.
    assert token_attempt(client, " LEAD ", PASSWORD, ip="10.9.9.8").status_code == 429
    # Another person is not affected.
    assert token_attempt(client, "staff", PASSWORD).status_code == 200


def test_it_limits_token_requests_per_ip(world) -> None:
    client = APIClient()
    for n in range(10):
        assert token_attempt(client, f"guess{n}").status_code == 400
    assert token_attempt(client, "staff", PASSWORD).status_code == 429
    # A forged X-Forwarded-For does not make another client (no proxy is trusted by default).
    forged = client.post(
        TOKEN,
        {"username": "staff", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.77",
    )
    assert forged.status_code == 429
    assert token_attempt(client, "staff", PASSWORD, ip="10.0.0.2").status_code == 200


def test_a_throttled_browser_log_in_says_so_and_checks_no_password(world) -> None:
    client = Client()
    for _ in range(5):
        response = client.post(LOGIN, {"username": "lead", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert 'value="lead"' in response.content.decode()  # the username stays filled in
    # The right password did not log in: the form was never bound, the password never checked.
    assert not response.context["form"].is_bound
    assert "_auth_user_id" not in client.session


def test_showing_the_log_in_page_is_not_an_attempt(world) -> None:
    client = Client()
    for _ in range(20):
        assert client.get(LOGIN).status_code == 200
    response = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302


def test_the_browser_and_the_token_endpoint_share_the_counts(world) -> None:
    browser, api = Client(), APIClient()
    for _ in range(3):
        browser.post(LOGIN, {"username": "staff", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
        token_attempt(api, "staff", ip="10.0.0.6")
    assert token_attempt(api, "staff", PASSWORD, ip="10.0.0.7").status_code == 429


def test_the_admin_log_in_page_is_limited_too(world) -> None:
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_the_api_is_limited_per_user_and_per_anonymous_client(world, settings) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min", "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    lead = APIClient()
    lead.force_authenticate(world.lead)
    assert [lead.get("/api/v1/missions/").status_code for _ in range(4)] == [200, 200, 200, 429]
    staff = APIClient()  # another user has their own count
    staff.force_authenticate(world.staff)
    assert staff.get("/api/v1/missions/").status_code == 200
    anonymous = APIClient()
    answers = [anonymous.get("/api/schema/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def settings_in_subprocess(
    env: dict[str, str], code: str, var_dir: Path
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "missionlead.settings",
        "DEBUG": "1",
        "MISSIONLEAD_VAR_DIR": str(var_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow  # a subprocess
def test_the_rates_come_from_the_environment_and_typos_fail_at_start(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings; "
        "print(sorted(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'].items()))"
    )
    env = {
        "THROTTLE_LOGIN_IP": "3/min",
        "THROTTLE_LOGIN_USER": "2/minute",
        "THROTTLE_USER": "100/hour",
        "THROTTLE_ANON": "7/day",
    }
    result = settings_in_subprocess(env, code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('anon', '7/day'), ('login_ip', '3/min'), ('login_user', '2/minute'), "
        "('user', '100/hour')]"
    )
    result = settings_in_subprocess({"THROTTLE_USER": "lots"}, "pass", tmp_path)
    assert result.returncode != 0
    assert "THROTTLE_USER='lots'" in result.stderr
