"""Single sign-on's rules, against the real test provider where the protocol is involved
(``tests/accounts/oidc_provider``); the browser flows are in ``test_browser_sso.py``.

Tenancy: each organisation starts at its own provider client, and a callback answers only the
organisation its sign-in was started for. Safety: a provider admits newcomers only with an
invitation or an allowed domain, and never signs in an account that is not already a member of
its organisation (another organisation's people stay out of its reach)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts.models import OrganisationSSO
from accounts.sso.services import SignInRefused, sso_for_login, sso_save, sso_sign_in
from kernel.models import Membership
from tests.accounts.oidc_provider.process import Provider, running_provider
from tests.browser import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()
SITE = "http://testserver"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: Any) -> Iterator[Provider]:
    with running_provider(
        tmp_path_factory.mktemp("provider"),
        redirect_uri=f"{SITE}/accounts/sso/callback/",
        people=["staff:staff@example.org:pw"],
    ) as running:
        yield running


def configure(organisation: Any, by: Any, *, issuer: str, client_id: str, **extra: Any) -> Any:
    data = {
        "issuer": issuer,
        "client_id": client_id,
        "client_secret": f"{client_id}-secret",
        "allowed_domains": "",
        "require_sso": False,
        "enabled": True,
        **extra,
    }
    return sso_save(organisation=organisation, data=data, by=by)


@pytest.fixture
def both(world: Any, provider: Provider, settings: Any) -> tuple[Any, Any]:
    """acme and "other", each with its own client at the same provider."""
    settings.SITE_URL = SITE
    acme = configure(
        world.organisation,
        world.org_admin,
        issuer=provider.issuer,
        client_id="acme-client",
        allowed_domains="acme-health.test",
    )
    other = configure(
        world.other_organisation,
        world.outsider,
        issuer=provider.issuer,
        client_id="other-client",
    )
    return acme, other


def authorize_query(response: Any) -> dict[str, str]:
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}


def test_each_organisation_starts_at_its_own_client(client: Client, both: Any) -> None:
    acme, other = both
    query = authorize_query(client.get("/accounts/sso/acme/"))
    assert query["client_id"] == "acme-client"
    assert query["redirect_uri"] == f"{SITE}/accounts/sso/callback/"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert authorize_query(client.get("/accounts/sso/other/"))["client_id"] == "other-client"


def test_a_callback_answers_only_the_organisation_it_was_started_for(
    client: Client, both: Any
) -> None:
    acme_state = authorize_query(client.get("/accounts/sso/acme/"))["state"]
    client.get("/accounts/sso/other/")  # the session now waits for "other"'s provider
    response = client.get("/accounts/sso/callback/", {"code": "x", "state": acme_state})
    assert response.status_code == 400
    assert b"did not complete" in response.content
    assert "_auth_user_id" not in client.session


def test_a_code_the_provider_did_not_issue_is_refused(client: Client, both: Any) -> None:
    state = authorize_query(client.get("/accounts/sso/acme/"))["state"]
    response = client.get("/accounts/sso/callback/", {"code": "forged", "state": state})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_callback_without_a_started_sign_in_is_refused(client: Client, both: Any) -> None:
    response = client.get("/accounts/sso/callback/", {"code": "x", "state": "y"})
    assert response.status_code == 400
    assert b"not started here" in response.content


def test_the_finder_knows_organisations_by_address_or_allowed_domain(world: Any, both: Any) -> None:
    acme, other = both
    assert sso_for_login("acme") == acme
    assert sso_for_login(" Joiner@ACME-health.test ") == acme
    # A member's address at no allowed domain says nothing of whose member it is.
    with pytest.raises(SignInRefused, match="no organisation"):
        sso_for_login("staff@example.org")
    with pytest.raises(SignInRefused, match="No organisation with this address"):
        sso_for_login("nowhere")
    # Two organisations allowing one domain: the person must say which.
    sso_save(
        organisation=other.organisation,
        data={"allowed_domains": "acme-health.test"},
        by=world.outsider,
    )
    with pytest.raises(SignInRefused, match="Several organisations"):
        sso_for_login("joiner@acme-health.test")
    # A provider that is off is not offered.
    sso_save(organisation=acme.organisation, data={"enabled": False}, by=world.org_admin)
    with pytest.raises(SignInRefused):
        sso_for_login("acme")


def claims(email: str, verified: Any = True, **extra: Any) -> dict[str, Any]:
    return {"sub": "1", "email": email, "email_verified": verified, **extra}


def test_only_a_verified_email_counts(both: Any) -> None:
    acme, _ = both
    for verified in (False, None, "true"):
        with pytest.raises(SignInRefused, match="did not confirm your email"):
            sso_sign_in(config=acme, claims=claims("staff@example.org", verified))


def test_a_deactivated_member_is_refused(world: Any, both: Any) -> None:
    acme, _ = both
    Membership.objects.filter(user=world.staff).update(deactivated_at=timezone.now())
    with pytest.raises(SignInRefused, match="deactivated"):
        sso_sign_in(config=acme, claims=claims("staff@example.org"))


def test_another_organisations_account_is_never_signed_in(world: Any, both: Any) -> None:
    """acme's provider vouches for outsider@example.org at an allowed domain: a new account
    joins acme, and the other organisation's person's account stays out of its reach."""
    acme, _ = both
    sso_save(
        organisation=acme.organisation, data={"allowed_domains": "example.org"}, by=world.org_admin
    )
    user, how = sso_sign_in(
        config=OrganisationSSO.objects.get(pk=acme.pk), claims=claims("outsider@example.org")
    )
    assert how == "domain"
    assert user != world.outsider
    assert not Membership.objects.filter(
        organisation=acme.organisation, user=world.outsider
    ).exists()


def test_members_who_must_use_sso_get_no_api_token_by_password(
    client: Client, world: Any, both: Any
) -> None:
    acme, _ = both
    sso_save(organisation=acme.organisation, data={"require_sso": True}, by=world.org_admin)
    refused = client.post(
        "/api/v1/auth/token/", {"username": "staff", "password": PASSWORD}, "application/json"
    )
    assert refused.status_code == 400
    assert "signs its members in with its own sign-in service" in refused.content.decode()
    # Another organisation's members are not concerned; an admin keeps the password.
    for username in ("outsider", "admin"):
        answer = client.post(
            "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, "application/json"
        )
        assert answer.status_code == 200, answer.content


def test_the_settings_page_never_shows_the_secret(client: Client, world: Any, both: Any) -> None:
    client.force_login(world.org_admin)
    page = client.get("/o/acme/people/sso/")
    assert page.status_code == 200
    assert b"acme-client-secret" not in page.content
    assert b"acme-client" in page.content
    # Saving without typing it keeps it; the history says it changed only when it did.
    form = {
        "issuer": both[0].issuer,
        "client_id": "acme-client",
        "client_secret": "",
        "allowed_domains": "acme-health.test",
        "enabled": "on",
    }
    assert client.post("/o/acme/people/sso/", form).status_code == 302
    stored = OrganisationSSO.objects.get(organisation=world.organisation)
    assert stored.client_secret == "acme-client-secret"
