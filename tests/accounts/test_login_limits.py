"""Log-in limits that slow a guesser without locking the real person out (docs/security.md).

- Only attempts that do not succeed count; a successful log-in resets the count of its
  (client address, username) pair.
- Per pair: 5 free attempts, then a wait that doubles with each further one (1 s, 2 s, 4 s …,
  at most ``LOGIN_BACKOFF_MAX`` seconds).
- Per username across all addresses, and per address across all usernames: a much higher
  ceiling (``THROTTLE_LOGIN_USER``, ``THROTTLE_LOGIN_IP``), which does not apply to an address
  the person has logged in from before.
- The username is keyed as authentication normalises it (NFKC), so no spelling of a name
  escapes its count.

The same rules hold on the log-in form, the token endpoint and the admin's log-in page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_the_start_of_an_hour")]

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "mission-test"  # tests/missions/factories.py
ATTACKER = "198.51.100.66"
HOME = "203.0.113.10"


def attempt(kind: str, username: str, password: str = "wrong", ip: str = ATTACKER) -> Any:
    """One log-in attempt; the answer's status is 429 (throttled), or else whether it
    succeeded shows in ``logged_in(response)``."""
    data = {"username": username, "password": password}
    if kind == "token":
        return APIClient().post(TOKEN, data, format="json", REMOTE_ADDR=ip)
    return Client().post(ADMIN_LOGIN if kind == "admin" else LOGIN, data, REMOTE_ADDR=ip)


def logged_in(response: Any) -> bool:
    """The token endpoint answers 200 with a token; the forms redirect (302)."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response.status_code == 200
    return response.status_code == 302


@pytest.fixture
def world(world: Any) -> Any:
    """The personas, with ``admin`` allowed into the Django admin (staff)."""
    world.org_admin.is_staff = True
    world.org_admin.save(update_fields=["is_staff"])
    return world


@pytest.fixture
def rates(settings) -> Any:
    def set_rates(**changes: str) -> None:
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **changes}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rates


KINDS = ["form", "token", "admin"]


# --- 3a: one count per person, whatever the spelling --------------------------------------------

SPELLINGS = ["𝐜𝐞𝐨", "ｃｅｏ", "ⅽｅｏ", " ceo ", "ceo"]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("kind", ["form", "token"])
def test_it_logs_in_every_spelling_that_normalises_to_the_name(
    world, kind: str, spelling: str
) -> None:
    """The form normalises usernames (NFKC, as Django's UsernameField does); the token endpoint
    does the same, so the two agree on who a spelling is."""
    response = attempt(kind, spelling, PASSWORD)
    assert logged_in(response), (response.status_code, response.content[:300])


@pytest.mark.parametrize("kind", KINDS)
def test_it_counts_every_spelling_of_a_name_as_that_name(world, kind: str) -> None:
    for spelling in ["𝐜𝐞𝐨", "ｃｅｏ", "ⅽｅｏ", "CEO", " ceo"]:
        assert attempt(kind, spelling).status_code != 429
    # The sixth attempt on ceo from this address waits, right password or not.
    response = attempt(kind, "ceo", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_the_key_is_the_name_as_authentication_normalises_it() -> None:
    from missionlead.throttling import username_key

    keys = {username_key(s) for s in ["𝐜𝐞𝐨", "ｃｅｏ", "ⅽｅｏ", " ceo ", "ceo", "CEO", "\u00a0ceo"]}
    assert len(keys) == 1
    assert username_key("lead") != username_key("ceo")
    assert username_key("   ") == ""
    # Case folding joins names that differ only in case (the database matches them exactly;
    # a shared count is stricter, never looser, and survives a case-insensitive backend).
    assert username_key("Straße") == username_key("STRASSE")


# --- 3c: failures only, per address and name, with back-off ---------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_guesses_from_elsewhere_do_not_lock_the_real_person_out(world, kind: str) -> None:
    user = "admin" if kind == "admin" else "lead"
    answers = [attempt(kind, user).status_code for _ in range(20)]
    assert answers.count(429) >= 14  # the guesser is slowed down…
    response = attempt(kind, user, PASSWORD, ip=HOME)  # …the person at home is not
    assert logged_in(response), response.status_code


@pytest.mark.parametrize("kind", KINDS)
def test_successful_log_ins_do_not_count(world, kind: str) -> None:
    user = "admin" if kind == "admin" else "lead"
    for _ in range(8):
        assert logged_in(attempt(kind, user, PASSWORD, ip=HOME))


@pytest.mark.parametrize("kind", KINDS)
def test_a_successful_log_in_resets_the_count_of_its_address(world, kind: str) -> None:
    user = "admin" if kind == "admin" else "lead"
    for _ in range(3):
        for _ in range(4):
            assert attempt(kind, user, ip=HOME).status_code != 429
        assert logged_in(attempt(kind, user, PASSWORD, ip=HOME))


def test_the_wait_doubles_after_the_free_attempts(world, time_machine, settings) -> None:
    settings.LOGIN_BACKOFF_MAX = 30
    time_machine.move_to("2026-03-10 09:00:00+00:00", tick=False)
    for _ in range(5):
        assert attempt("token", "lead").status_code == 400
    waits = []
    for _ in range(7):
        response = attempt("token", "lead")
        assert response.status_code == 429
        wait = int(response["Retry-After"])
        waits.append(wait)
        time_machine.shift(wait - 0.5)
        assert attempt("token", "lead").status_code == 429  # not yet
        time_machine.shift(0.5)
        assert attempt("token", "lead").status_code == 400  # one more guess, then a longer wait
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    # The right password after the wait: in, and the count starts again.
    time_machine.shift(30)
    assert attempt("token", "lead", PASSWORD).status_code == 200
    for _ in range(5):
        assert attempt("token", "lead").status_code == 400


def test_a_throttled_attempt_does_not_count(world, time_machine) -> None:
    time_machine.move_to("2026-03-10 09:00:00+00:00", tick=False)
    for _ in range(5):
        attempt("token", "lead")
    for _ in range(30):  # hammering during the wait does not make it longer
        assert attempt("token", "lead").status_code == 429
    time_machine.shift(1)
    assert attempt("token", "lead").status_code == 400
    assert int(attempt("token", "lead")["Retry-After"]) == 2


def test_guesses_in_flight_at_once_get_only_the_free_attempts(world) -> None:
    """The count is taken before the password is checked, so twenty guesses sent at the same
    moment get five checked, not twenty."""
    from django.test import RequestFactory

    from missionlead.throttling import login_attempt_begin

    requests = [RequestFactory().post(LOGIN, REMOTE_ADDR=ATTACKER) for _ in range(20)]
    allowed = [login_attempt_begin(request, "lead") is None for request in requests]
    assert allowed.count(True) == 5


def test_a_name_guessed_from_many_addresses_hits_a_ceiling_but_not_at_home(world, rates) -> None:
    rates(login_user="10/hour")
    assert logged_in(attempt("form", "lead", PASSWORD, ip=HOME))  # an address lead used before
    for n in range(10):
        assert attempt("token", "lead", ip=f"198.51.100.{n}").status_code == 400
    assert attempt("token", "lead", PASSWORD, ip="198.51.100.200").status_code == 429
    assert attempt("form", "lead", PASSWORD, ip="198.51.100.201").status_code == 429
    # The person, from where they logged in before, is not held by the ceiling.
    assert logged_in(attempt("token", "lead", PASSWORD, ip=HOME))
    # Another name is not affected.
    assert logged_in(attempt("token", "staff", PASSWORD, ip="198.51.100.202"))


def test_an_address_guessing_many_names_hits_a_ceiling(world, rates) -> None:
    rates(login_ip="10/hour")
    for n in range(10):
        assert attempt("token", f"guess{n}").status_code == 400
    assert attempt("token", "staff", PASSWORD).status_code == 429
    assert logged_in(attempt("token", "staff", PASSWORD, ip=HOME))


def test_form_token_endpoint_and_admin_share_the_counts(world) -> None:
    for kind in ("form", "token", "admin", "form", "token"):
        assert attempt(kind, "admin").status_code != 429
    for kind in KINDS:
        assert attempt(kind, "admin", PASSWORD).status_code == 429
