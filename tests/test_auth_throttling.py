"""Rate limits: log-in (token endpoint, browser form, admin form) per client address and
username with a doubling wait, ceilings per address and per username, and the API per user and
per anonymous client; the client's address behind trusted proxies. The log-in rules in detail:
tests/accounts/test_login_limits.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_the_start_of_an_hour")]

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"
PASSWORD = "mission-test"  # tests/missions/factories.py
ROOT = Path(__file__).resolve().parent.parent


def token_attempt(client: APIClient, username: str, password: str = "wrong", ip: str = "10.0.0.1"):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_it_limits_token_requests_per_address_and_username(world) -> None:
    client = APIClient()
    for _ in range(5):
        assert token_attempt(client, "lead").status_code == 400
    # The sixth from this address waits, right password or not.
    response = token_attempt(client, "lead", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"]
    # The username is normalised: case and spaces do not make it another one.
    assert token_attempt(client, " LEAD ", PASSWORD).status_code == 429
    # Another person is not affected, nor is lead from another address.
    assert token_attempt(client, "staff", PASSWORD).status_code == 200
    assert token_attempt(client, "lead", PASSWORD, ip="10.9.9.9").status_code == 200


def test_it_limits_failed_token_requests_per_ip(world, settings) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": "10/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
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
    for _ in range(2):
        token_attempt(api, "staff", ip="10.0.0.5")
    assert token_attempt(api, "staff", PASSWORD, ip="10.0.0.5").status_code == 429


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


# --- Client addresses: X-Forwarded-For only from proxies named by address -----------------------

PROXY = "10.9.0.1"  # the TLS proxy of the deployment


@pytest.fixture
def behind_a_proxy(settings) -> None:
    """The deployment docs/deploy.md describes: one TLS proxy, named in TRUSTED_PROXIES. (The
    old setting, NUM_PROXIES=1, is left in too: it must no longer make any header trusted.)"""
    settings.TRUSTED_PROXIES = [PROXY]
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": "10/min"}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": rates,
        "NUM_PROXIES": 1,
    }


def login_post(kind: str, username: str, **extra: str):
    data = {"username": username, "password": "wrong"}
    if kind == "form":
        return Client().post(LOGIN, data, **extra)
    return APIClient().post(TOKEN, data, format="json", **extra)


@pytest.mark.parametrize("kind", ["form", "token"])
def test_a_forged_forwarded_for_from_a_direct_client_changes_nothing(
    world, behind_a_proxy, kind: str
) -> None:
    """gunicorn's port is reachable without the proxy: a client that sends its own
    X-Forwarded-For, a new address each time, is still one address."""
    statuses = [
        login_post(
            kind,
            f"guess{n}",
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(30)
    ]
    assert statuses.count(429) >= 20, statuses


@pytest.mark.parametrize("kind", ["form", "token"])
def test_behind_a_trusted_proxy_each_client_has_its_own_count(
    world, behind_a_proxy, kind: str
) -> None:
    """The proxy appends the address it saw: the right-most entry that is not a trusted proxy.
    What the client wrote to the left of it (a forged first entry) is ignored."""
    for n in range(10):
        forwarded = f"192.0.2.{n}, 203.0.113.1"  # forged, then the real client
        assert (
            login_post(
                kind, f"guess{n}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
            ).status_code
            != 429
        )
    blocked = login_post(kind, "guess", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert blocked.status_code == 429
    # Another client behind the same proxy is not affected.
    other = login_post(kind, "guess", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code != 429


def test_proxies_in_a_chain_are_skipped_when_trusted(settings) -> None:
    from django.test import RequestFactory

    from missionlead.throttling import client_ip

    settings.TRUSTED_PROXIES = ["10.9.0.0/24", "2001:db8::/32"]
    factory = RequestFactory()

    def ip(remote: str, forwarded: str | None = None) -> str:
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_ip(factory.get("/", REMOTE_ADDR=remote, **extra))

    assert ip("198.51.100.7") == "198.51.100.7"
    assert ip("198.51.100.7", "192.0.2.1") == "198.51.100.7"  # not from a proxy: ignored
    assert ip("10.9.0.1") == "10.9.0.1"  # the proxy itself, without a header
    assert ip("10.9.0.1", "192.0.2.1, 203.0.113.1, 10.9.0.2") == "203.0.113.1"
    assert ip("10.9.0.1", "192.0.2.1,203.0.113.1") == "203.0.113.1"
    assert ip("2001:db8::1", "2001:db9::5, 2001:db8::2") == "2001:db9::5"
    assert ip("10.9.0.1", "10.9.0.3, 10.9.0.2") == "10.9.0.3"  # only proxies: the first
    # An entry the proxy would never write ends the walk at the last trusted hop.
    assert ip("10.9.0.1", "203.0.113.1, not-an-address") == "10.9.0.1"
    assert ip("10.9.0.1", "") == "10.9.0.1"


def test_the_api_limit_per_anonymous_client_uses_the_same_address(
    world, behind_a_proxy, settings
) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient()
    direct = [
        client.get(
            "/api/schema/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(3)
    ]
    assert direct == [200, 200, 429]
    proxied = [
        client.get("/api/schema/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(3)
    ]
    assert [response.status_code for response in proxied] == [200, 200, 200]


@pytest.mark.slow  # a subprocess
def test_trusted_proxies_come_from_the_environment_and_typos_fail_at_start(
    tmp_path: Path,
) -> None:
    code = "from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    result = settings_in_subprocess({"TRUSTED_PROXIES": "10.9.0.1, 172.16.0.0/12"}, code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['10.9.0.1', '172.16.0.0/12']"
    result = settings_in_subprocess({"TRUSTED_PROXIES": "10.9.0.300"}, "pass", tmp_path)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "10.9.0.300" in result.stderr
    # The count of proxies it replaces is refused, not silently ignored.
    result = settings_in_subprocess({"NUM_PROXIES": "1"}, "pass", tmp_path)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


def test_a_private_address_that_forwards_without_being_trusted_is_logged_once(
    settings, caplog
) -> None:
    from django.test import RequestFactory

    from missionlead.throttling import client_ip

    settings.TRUSTED_PROXIES = []
    factory = RequestFactory()
    for _ in range(3):
        request = factory.get("/", REMOTE_ADDR="172.18.0.77", HTTP_X_FORWARDED_FOR="192.0.2.1")
        assert client_ip(request) == "172.18.0.77"
    # A public address that sends the header is a client trying its luck: not worth a line.
    client_ip(factory.get("/", REMOTE_ADDR="93.184.216.34", HTTP_X_FORWARDED_FOR="192.0.2.1"))
    warnings = [r.getMessage() for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]
    assert len(warnings) == 1 and "172.18.0.77" in warnings[0]
