"""Single sign-on, end to end in Chromium against a real OpenID Connect provider (a second
Django process with django-oauth-toolkit, ``tests/accounts/oidc_provider``): a member signs in
with their organisation; an invited newcomer and one at an allowed domain are admitted; a
stranger and an unverified address are refused; "members must sign in with SSO" refuses the
password; an admin sets it all up on the People pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from accounts.models import OrganisationSSO
from accounts.sso.services import sso_save
from kernel.models import AuditEvent, Invitation, Membership
from kernel.services import invitation_create
from tests.accounts.oidc_provider.process import Provider, running_provider
from tests.browser import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

User = get_user_model()
AT_PROVIDER = "provider-pw-1"
PEOPLE = [
    f"staff:staff@example.org:{AT_PROVIDER}",
    f"newbie:newbie@newco.test:{AT_PROVIDER}",
    f"joiner:joiner@acme-health.test:{AT_PROVIDER}",
    f"stranger:stranger@elsewhere.test:{AT_PROVIDER}",
    f"unverified:unverified@acme-health.test:{AT_PROVIDER}",
    f"outsider:outsider@example.org:{AT_PROVIDER}",
]


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: Any) -> Iterator[Provider]:
    with running_provider(
        tmp_path_factory.mktemp("provider"),
        redirect_uri=f"{live_server.url}/accounts/sso/callback/",
        people=PEOPLE,
    ) as running:
        yield running


@pytest.fixture
def acme_sso(world: Any, provider: Provider, settings: Any, live_server: Any) -> OrganisationSSO:
    settings.SITE_URL = live_server.url  # the redirect URI the provider knows
    return sso_save(
        organisation=world.organisation,
        data={
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
            "allowed_domains": "acme-health.test",
            "require_sso": False,
            "enabled": True,
        },
        by=world.org_admin,
    )


def sign_in_with_organisation(page: Page, live_server: Any, typed: str, username: str) -> None:
    """From the log-in page, through the provider's own sign-in, back here."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.get_by_label("Your work email or your organisation's address").fill(typed)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Continue to Acme Health's sign-in").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(AT_PROVIDER)
    page.get_by_role("button", name="Sign in at the provider").click()


def organisations_by_api(page: Page, live_server: Any) -> list[str]:
    answer = page.request.get(f"{live_server.url}/api/v1/organisations/")
    assert answer.status == 200
    body = answer.json()
    rows = body["results"] if isinstance(body, dict) else body
    return [row["slug"] for row in rows]


def sign_ins_of(user: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(actor=user, comment__startswith="Signed in with single sign-on")
    )


def test_a_member_signs_in_with_their_organisation(
    page: Page, live_server: Any, world: Any, acme_sso: OrganisationSSO
) -> None:
    sign_in_with_organisation(page, live_server, "acme", "staff")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    expect(page.get_by_text("Signed in with Acme Health.")).to_be_visible()
    # The same account as the password's: no second one was made.
    assert User.objects.filter(email__iexact="staff@example.org").count() == 1
    [event] = sign_ins_of(world.staff)
    assert event.organisation == world.organisation
    assert acme_sso.issuer in event.comment
    # The session is the member's: the API answers as them.
    assert organisations_by_api(page, live_server) == ["acme"]


def test_an_invited_newcomer_is_admitted(
    page: Page, live_server: Any, world: Any, acme_sso: OrganisationSSO
) -> None:
    invitation_create(
        organisation=world.organisation, email="newbie@newco.test", by=world.org_admin
    )
    sign_in_with_organisation(page, live_server, "acme", "newbie")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    expect(page.get_by_text("Welcome to Acme Health.")).to_be_visible()
    user = User.objects.get(email="newbie@newco.test")
    assert not user.has_usable_password()
    membership = Membership.objects.get(organisation=world.organisation, user=user)
    assert membership.role == Membership.Role.STAFF
    invitation = Invitation.objects.get(email="newbie@newco.test")
    assert invitation.accepted_by == user
    assert sign_ins_of(user)
    assert organisations_by_api(page, live_server) == ["acme"]


def test_a_newcomer_at_an_allowed_domain_joins_as_staff(
    page: Page, live_server: Any, world: Any, acme_sso: OrganisationSSO
) -> None:
    sign_in_with_organisation(page, live_server, "joiner@acme-health.test", "joiner")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    user = User.objects.get(email="joiner@acme-health.test")
    assert Membership.objects.get(organisation=world.organisation, user=user).role == "staff"


@pytest.mark.parametrize(
    ("username", "refusal"),
    [
        ("stranger", "is not a member of Acme Health, and has no invitation to it"),
        ("unverified", "did not confirm your email address"),
        # A member of another organisation is not admitted to this one by its provider.
        ("outsider", "is not a member of Acme Health, and has no invitation to it"),
    ],
)
def test_who_is_not_admitted_is_told_why(
    page: Page,
    live_server: Any,
    world: Any,
    acme_sso: OrganisationSSO,
    username: str,
    refusal: str,
) -> None:
    people_before = User.objects.count()
    sign_in_with_organisation(page, live_server, "acme", username)
    expect(page.get_by_role("heading", name="You cannot sign in this way")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(refusal)
    assert User.objects.count() == people_before
    assert not Membership.objects.filter(
        organisation=world.organisation, user__username=username
    ).exists()
    # Not signed in.
    page.goto(f"{live_server.url}/o/acme/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/o/acme/")


def test_members_who_must_use_sso_cannot_use_their_password(
    page: Page, live_server: Any, world: Any, acme_sso: OrganisationSSO
) -> None:
    sso_save(
        organisation=world.organisation,
        data={"require_sso": True, "allowed_domains": acme_sso.allowed_domains},
        by=world.org_admin,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Acme Health signs its members in with its own sign-in service"
    )
    page.goto(f"{live_server.url}/o/acme/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/o/acme/")
    # The way in that remains: their organisation's.
    sign_in_with_organisation(page, live_server, "acme", "staff")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    # An admin keeps their password, so a broken provider locks no one out.
    page.context.clear_cookies()
    log_in(page, live_server, "admin")


def test_an_admin_sets_up_single_sign_on(
    page: Page, live_server: Any, world: Any, provider: Provider, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.get_by_role("heading", name="Single sign-on", level=1)).to_be_visible()
    expect(page.get_by_text(f"{live_server.url}/accounts/sso/callback/")).to_be_visible()
    page.get_by_label("Issuer URL").fill(provider.issuer)
    page.get_by_label("Client ID").fill(provider.client_id)
    page.get_by_label("Client secret").fill(provider.client_secret)
    page.get_by_label("Allowed email domains").fill("acme-health.test")
    page.get_by_label("Members must sign in with SSO").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Single sign-on is saved.")).to_be_visible()
    assert provider.client_secret not in page.content()

    stored = OrganisationSSO.objects.get(organisation=world.organisation)
    assert (stored.issuer, stored.client_id, stored.client_secret) == (
        provider.issuer,
        provider.client_id,
        provider.client_secret,
    )
    assert stored.require_sso and stored.enabled
    [event] = AuditEvent.objects.filter(object_id=stored.pk, actor=world.org_admin)
    assert event.verb == AuditEvent.Verb.CREATED
    assert event.changes["client_secret"] == [None, "(changed)"]
    assert provider.client_secret not in str(event.changes)

    # Saved again with the secret left empty: the stored one is kept.
    page.get_by_label("Allowed email domains").fill("acme-health.test, example.org")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Single sign-on is saved.")).to_be_visible()
    stored.refresh_from_db()
    assert stored.client_secret == provider.client_secret
    assert stored.domains() == ["acme-health.test", "example.org"]


@pytest.mark.parametrize("path", ["/accounts/sso/", "/o/acme/people/sso/", "refused"])
def test_the_pages_pass_axe(
    live_server: Any, world: Any, acme_sso: OrganisationSSO, new_context: Any, path: str
) -> None:
    from tests.test_browser_walk import AXE

    page = new_context(viewport={"width": 390, "height": 900}, bypass_csp=True).new_page()
    if path == "refused":
        page.goto(f"{live_server.url}/accounts/sso/callback/")
        expect(page.get_by_role("heading", name="You cannot sign in this way")).to_be_visible()
    elif path.startswith("/o/"):
        log_in(page, live_server, "admin")
        page.goto(f"{live_server.url}{path}")
    else:
        page.goto(f"{live_server.url}{path}")
        page.get_by_label("Your work email or your organisation's address").fill("acme")
        page.get_by_role("button", name="Continue").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate(AXE)
    violations = page.evaluate("async () => (await axe.run()).violations")
    assert violations == []
