"""API tokens: they expire, a person may hold several (each with a name and when it was last
used), only a hash of each is stored, a password change revokes them all (and ends the
person's other browser sessions), and their owner can list and revoke them — through the API
and on the security page (/accounts/security/)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from .conftest import last_link_to

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"
PASSWORD = "mission-test"  # tests/missions/factories.py


def obtain(username: str = "lead", name: str | None = None, **headers: Any) -> dict[str, Any]:
    data = {"username": username, "password": PASSWORD}
    if name is not None:
        data["name"] = name
    response = APIClient().post(TOKEN, data, format="json", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = with_token(key).get("/api/v1/missions/").status_code
    assert status in (200, 401), status
    return status == 200


# --- Issuing and using a token -------------------------------------------------------------------


def test_it_answers_a_token_that_expires(world) -> None:
    before = timezone.now()
    answer = obtain()
    assert set(answer) == {"token", "id", "name", "expires_at"}
    expires_at = dt.datetime.fromisoformat(answer["expires_at"])
    assert dt.timedelta(days=30) <= expires_at - before < dt.timedelta(days=30, minutes=1)
    assert works(answer["token"])


def test_it_stores_only_a_hash_of_each_token(world) -> None:
    from django.db import connection

    key = obtain()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert key not in repr(rows)
    assert hashlib.sha256(key.encode()).hexdigest() in repr(rows)
    from rest_framework.authtoken.models import Token

    assert not Token.objects.exists()


def test_an_expired_token_stops_working(world, settings, time_machine) -> None:
    settings.API_TOKEN_DAYS = 2
    time_machine.move_to("2026-03-10 09:00:00+00:00", tick=False)
    key = obtain()["token"]
    time_machine.shift(dt.timedelta(days=2) - dt.timedelta(seconds=1))
    assert works(key)
    time_machine.shift(dt.timedelta(seconds=1))
    response = with_token(key).get("/api/v1/missions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_person_holds_several_named_tokens(world) -> None:
    ci = obtain(name="CI pipeline")
    laptop = obtain(HTTP_USER_AGENT="curl/8.5.0")
    assert ci["name"] == "CI pipeline"
    assert laptop["name"] == "curl/8.5.0"  # no name given: the client that asked
    assert ci["token"] != laptop["token"]
    assert works(ci["token"]) and works(laptop["token"])


def test_it_records_when_a_token_was_last_used_at_most_once_a_minute(
    world, time_machine, django_assert_num_queries
) -> None:
    from accounts.models import ApiToken

    time_machine.move_to("2026-03-10 09:00:00+00:00", tick=False)
    answer = obtain()
    assert ApiToken.objects.get().last_used_at is None
    client = with_token(answer["token"])
    client.get("/api/v1/auth/tokens/")
    assert ApiToken.objects.get().last_used_at == timezone.now()
    time_machine.shift(30)
    with django_assert_num_queries(2):
        # 1. the token and its user; 2. the page of tokens (one row more than it shows: a
        # list of one page needs no count).
        assert client.get(TOKENS).status_code == 200
    time_machine.shift(31)
    client.get(TOKENS)
    assert ApiToken.objects.get().last_used_at == timezone.now()


def test_an_inactive_persons_token_stops_working(world) -> None:
    key = obtain()["token"]
    world.lead.is_active = False
    world.lead.save(update_fields=["is_active"])
    assert not works(key)


def test_the_oldest_unused_token_makes_way_beyond_the_limit(world, settings) -> None:
    settings.API_TOKEN_LIMIT = 3
    first, second, third = (obtain(name=f"token {n}")["token"] for n in range(3))
    assert works(first)  # used: the second is now the least recently used
    fourth = obtain(name="token 3")["token"]
    assert [works(key) for key in (first, second, third, fourth)] == [True, False, True, True]


# --- DRF's own Token model keeps working, as hashed expiring tokens -------------------------------


def test_a_token_made_with_drfs_model_is_kept_as_a_hashed_expiring_one(world) -> None:
    """Scripts (and ``manage.py drf_create_token``) that make ``Token`` rows get a key that
    works; the row with the key in plain text does not stay."""
    from rest_framework.authtoken.models import Token

    from accounts.models import ApiToken

    key = Token.objects.create(user=world.staff).key
    assert works(key)
    assert not Token.objects.exists()
    stored = ApiToken.objects.get(user=world.staff)
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert stored.expires_at > timezone.now() + dt.timedelta(days=29)


def test_the_migration_turns_drf_tokens_into_hashed_ones(world) -> None:
    import importlib

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    from accounts.models import ApiToken

    migration = importlib.import_module("accounts.migrations.0002_apitoken_browsersession")
    key = "0123456789abcdef0123456789abcdef01234567"
    Token.objects.bulk_create([Token(key=key, user=world.lead)])  # no signal: a row from before
    migration.adopt_drf_tokens(apps, None)
    assert not Token.objects.exists()
    assert ApiToken.objects.get(user=world.lead).digest == hashlib.sha256(key.encode()).hexdigest()
    assert works(key)


# --- A password change revokes every token and ends the other sessions ---------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


def test_changing_ones_password_revokes_tokens_and_ends_other_sessions(world) -> None:
    key = obtain("staff")["token"]
    here, elsewhere = signed_in(world.staff), signed_in(world.staff)
    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a fresh long phrase",
            "new_password2": "a fresh long phrase",
        },
    )
    assert response.status_code == 302
    assert not works(key)
    assert not is_signed_in(elsewhere)
    assert is_signed_in(here)  # the browser that changed it stays signed in
    # The page lists this browser only.
    page = here.get("/accounts/security/")
    assert page.content.decode().count(">End session<") == 1


def test_a_password_reset_revokes_tokens(world, client, site_url) -> None:
    key = obtain("staff")["token"]
    elsewhere = signed_in(world.staff)
    client.post("/accounts/password_reset/", {"email": world.staff.email})
    link = last_link_to(world.staff.email, containing="/accounts/reset/")
    form_page = client.get(urlsplit(link).path, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a fresh long phrase", "new_password2": "a fresh long phrase"},
    )
    assert done.status_code == 302 and mail.outbox
    assert not works(key)
    assert not is_signed_in(elsewhere)


def test_a_password_set_anywhere_else_revokes_tokens_too(world) -> None:
    """The admin's password form, a shell, a management command: all call set_password."""
    key = obtain("staff")["token"]
    world.staff.set_password("set by an administrator")
    world.staff.save()
    assert not works(key)


def test_disabling_password_log_in_revokes_tokens(world) -> None:
    key = obtain("staff")["token"]
    world.staff.set_unusable_password()
    world.staff.save()
    assert not works(key)


def test_a_stronger_hash_of_the_same_password_is_not_a_change(world, settings) -> None:
    """Django re-hashes a password at log-in when the hasher's settings change; the password is
    the same, so nothing is revoked."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    key = obtain("staff")["token"]
    world.staff.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    world.staff.save(update_fields=["password"])  # as if stored before the MD5 test hasher
    assert world.staff.check_password(PASSWORD)  # upgrades the hash and saves it
    assert world.staff.password.startswith("md5$")
    assert works(key)


def test_other_saves_of_a_person_revoke_nothing(world) -> None:
    key = obtain("staff")["token"]
    world.staff.first_name = "Sam"
    world.staff.save()
    assert works(key)


# --- Listing and revoking through the API ---------------------------------------------------------


def test_the_list_holds_ones_active_tokens_without_their_keys(world) -> None:
    mine = obtain("lead", name="mine")
    obtain("lead", name="revoked")
    obtain("staff", name="theirs")
    client = with_token(mine["token"])
    revoked_id = next(
        t["id"] for t in client.get(TOKENS).json()["results"] if t["name"] == "revoked"
    )
    assert client.post(f"{TOKENS}{revoked_id}/revoke/").status_code == 204
    page = client.get(TOKENS).json()
    assert page["count"] == 1
    (listed,) = page["results"]
    assert set(listed) == {"id", "name", "created_at", "last_used_at", "expires_at"}
    assert listed["name"] == "mine"
    assert mine["token"] not in str(page)


def test_it_revokes_a_token_by_id(world) -> None:
    keep, drop = obtain(name="keep"), obtain(name="drop")
    client = with_token(keep["token"])
    response = client.post(f"{TOKENS}{drop['id']}/revoke/")
    assert response.status_code == 204
    assert not works(drop["token"]) and works(keep["token"])
    assert client.post(f"{TOKENS}{drop['id']}/revoke/").status_code == 404  # already gone


def test_nobody_revokes_someone_elses_token(world) -> None:
    answer = obtain("staff")
    theirs = f"{TOKENS}{answer['id']}/revoke/"
    assert with_token(obtain("lead")["token"]).post(theirs).status_code == 404
    by_session = APIClient()
    by_session.force_authenticate(world.lead)
    assert by_session.post(theirs).status_code == 404
    assert APIClient().post(theirs).status_code == 401
    assert APIClient().get(TOKENS).status_code == 401
    assert works(answer["token"])


def test_it_revokes_the_token_in_use(world) -> None:
    key = obtain()["token"]
    client = with_token(key)
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert not works(key)
    # Signed in by session there is no token in use to revoke.
    by_session = APIClient()
    by_session.force_login(world.lead)
    response = by_session.post("/api/v1/auth/token/revoke/")
    assert response.status_code == 400
    assert APIClient().post("/api/v1/auth/token/revoke/").status_code == 401


# --- The security page --------------------------------------------------------------------------


def test_the_security_page_lists_sessions_and_tokens_with_buttons(world) -> None:
    obtain("lead", name="CI pipeline")
    obtain("staff", name="someone else's")
    browser = signed_in(world.lead)
    signed_in(world.lead)  # a second browser
    page = browser.get("/accounts/security/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "CI pipeline" in html and "someone else" not in html
    assert html.count(">End session<") == 2
    assert "This browser" in html
    assert html.count(">Revoke<") == 1
    assert Client().get("/accounts/security/").status_code == 302  # to the log-in page


def test_revoking_a_token_on_the_security_page(world) -> None:
    answer = obtain("lead", name="CI pipeline")
    browser = signed_in(world.lead)
    response = browser.post(f"/accounts/security/tokens/{answer['id']}/revoke/")
    assert response.status_code == 302
    assert not works(answer["token"])
    assert "revoked" in browser.get(response["Location"]).content.decode()
    # Someone else's token, or one already revoked: not found.
    theirs = obtain("staff")
    assert browser.post(f"/accounts/security/tokens/{theirs['id']}/revoke/").status_code == 404
    assert browser.post(f"/accounts/security/tokens/{answer['id']}/revoke/").status_code == 404
    assert works(theirs["token"])


def test_ending_a_session_on_the_security_page(world) -> None:
    from accounts.models import BrowserSession

    browser, other = signed_in(world.lead), signed_in(world.lead)
    intruder = signed_in(world.staff)
    browser.get("/accounts/security/")
    sessions = BrowserSession.objects.filter(user=world.lead)
    other_session = sessions.get(session_key=other.session.session_key)
    response = browser.post(f"/accounts/security/sessions/{other_session.pk}/end/")
    assert response.status_code == 302
    assert not is_signed_in(other) and is_signed_in(browser)
    # Not someone else's.
    mine = sessions.get(session_key=browser.session.session_key)
    assert intruder.post(f"/accounts/security/sessions/{mine.pk}/end/").status_code == 404
    assert is_signed_in(browser)
    # Ending one's own session logs out.
    response = browser.post(f"/accounts/security/sessions/{mine.pk}/end/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not is_signed_in(browser)


def test_sessions_that_ended_are_forgotten(world) -> None:
    from django.contrib.sessions.models import Session

    from accounts.models import BrowserSession

    signed_in(world.lead).post("/accounts/logout/")
    assert not BrowserSession.objects.filter(user=world.lead).exists()
    expired = signed_in(world.lead)
    Session.objects.filter(session_key=expired.session.session_key).delete()  # clearsessions
    signed_in(world.lead)  # the next log-in forgets it
    assert BrowserSession.objects.filter(user=world.lead).count() == 1


def test_the_admin_lists_tokens_and_revokes_them(world) -> None:
    from accounts.models import ApiToken

    answer = obtain("lead", name="CI pipeline")
    world.org_admin.is_staff = world.org_admin.is_superuser = True
    world.org_admin.save()
    admin = signed_in(world.org_admin)
    page = admin.get("/admin/accounts/apitoken/")
    assert page.status_code == 200 and "CI pipeline" in page.content.decode()
    assert answer["token"] not in page.content.decode()
    assert admin.get(f"/admin/accounts/apitoken/{answer['id']}/change/").status_code == 200
    response = admin.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [answer["id"]]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert not works(answer["token"])
    assert admin.get("/admin/accounts/browsersession/").status_code == 200
