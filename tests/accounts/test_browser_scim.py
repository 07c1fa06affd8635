"""An organisation admin connects an identity provider in the browser: makes a SCIM token on
the People pages, copies it from the one page that shows it, and the token works against
``/scim/v2/Users``; revoking it there makes the next request a 401."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import APIResponse, Page, expect

from accounts.scim.tokens import scim_token_create
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def users(page: Page, live_server: Any, key: str) -> APIResponse:
    """What an identity provider asks: is there a user "staff"? (No cookies: only the token.)"""
    return page.context.request.get(
        f"{live_server.url}/scim/v2/Users",
        params={"filter": 'userName eq "staff"'},
        headers={
            "Authorization": f"Bearer {key}",
            "Accept": "application/scim+json",
            "Cookie": "",
        },
    )


def test_an_admin_makes_and_revokes_a_scim_token(page: Page, live_server: Any, world: Any) -> None:
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Provisioning (SCIM)").click()
    expect(page.get_by_role("heading", name="Provisioning (SCIM)", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Okta")
    page.get_by_role("button", name="Make a token").click()

    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    key = page.get_by_label("Token", exact=True).input_value()
    assert key.startswith("scim_")

    response = users(page, live_server, key)
    assert response.status == 200
    assert response.headers["content-type"] == "application/scim+json"
    assert [u["userName"] for u in response.json()["Resources"]] == ["staff"]

    # Shown once: the page, opened again, lists the token but no longer shows its key.
    page.goto(f"{live_server.url}/o/acme/people/provisioning/")
    expect(page.get_by_role("cell", name="Okta", exact=True)).to_be_visible()
    assert key not in page.content()

    page.get_by_role("button", name="Revoke the token Okta").click()
    expect(page.get_by_text("The token “Okta” is revoked")).to_be_visible()
    response = users(page, live_server, key)
    assert response.status == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_passes_axe_and_fits_a_phone(
    live_server: Any, world: Any, new_context: Any, width: int
) -> None:
    """The page as the walk (tests/test_browser_walk.py) checks every page, with a token listed
    and a new one shown."""
    from tests.test_browser_walk import AXE, WIDE_TABLES

    scim_token_create(organisation=world.organisation, name="Entra ID", by=world.org_admin)
    # bypass_csp: axe is injected into a page whose policy allows only our scripts.
    page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/provisioning/")
    page.get_by_label("Name").fill("Okta")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(WIDE_TABLES) == []
    page.evaluate(AXE)
    violations = page.evaluate(
        "async () => (await axe.run()).violations"
        ".map(v => `${v.id} (${v.impact}, ${v.nodes.length})`)"
    )
    assert violations == []
    page.context.close()
