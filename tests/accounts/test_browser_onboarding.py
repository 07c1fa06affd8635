"""A new organisation's first hour, walked in headless Chromium: sign up, the first steps,
an invitation taken up from its email, a password reset, a revoked invitation refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

from kernel.models import Invitation, Membership, Organisation, Team
from missions.models import Mission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results"
LINK = re.compile(r"https?://\S+")
User = get_user_model()


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def _link_to(address: str, containing: str) -> str:
    for message in reversed(mail.outbox):
        if address in message.to:
            for link in LINK.findall(message.body):
                if containing in link:
                    return link
    raise AssertionError(f"no email to {address} with {containing}")


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def _log_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    settings.SIGNUP_OPEN = True
    settings.SITE_URL = live_server.url  # links in emails lead back to this server
    mail.outbox = []
    return str(live_server.url)


def test_a_new_organisation_signs_up_onboards_and_a_colleague_joins(page: Page, site: str) -> None:
    # --- Ada starts the organisation -----------------------------------------------------
    page.goto(f"{site}/accounts/login/")
    page.get_by_role("link", name="Start an organisation").click()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Mensah")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill("a long and unusual phrase")
    page.get_by_label("Password again").fill("a long and unusual phrase")
    page.get_by_label("Organisation name").fill("Riverside Care")
    page.get_by_label("Top team").fill("Executive team")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Create the organisation").click()
    expect(page).to_have_url(f"{site}/o/riverside-care/welcome/")
    expect(page.get_by_text("0 of 4 done")).to_be_visible()
    _shot(page, "onboarding-welcome.png")

    # --- The first steps ---------------------------------------------------------------
    vision = page.locator("#vision")
    vision.get_by_label("CEO's intent").fill("Care at home first, hospital when it must be.")
    vision.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The CEO's intent is saved.")).to_be_visible()
    teams = page.locator("#teams")
    teams.get_by_label("Team names").fill("Nursing\nPharmacy")
    teams.get_by_role("button", name="Add teams").click()
    expect(page.get_by_text("The teams are added.")).to_be_visible()
    invite = page.locator("#invite")
    invite.get_by_label("Email addresses").fill("lee@example.org")
    invite.get_by_label("Role").select_option(label="Leader")
    team = invite.get_by_role("combobox", name="Team")
    team.press_sequentially("nurs", delay=30)
    expect(invite.get_by_role("option", name="Nursing")).to_be_visible()
    team.press("ArrowDown")
    team.press("Enter")
    expect(team).to_have_value("Nursing")
    invite.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("The invitations are sent.")).to_be_visible()
    expect(page.get_by_text("3 of 4 done")).to_be_visible()
    page.get_by_role("link", name="Write an organisation mission").click()
    mission = page.get_by_role("group", name="Mission", exact=True)
    mission.get_by_label("Title").fill("Care closer to home")
    mission.get_by_label("Intent").fill("Fewer admissions, better recovery.")
    mission.get_by_label("Owner team").fill("Executive team")  # a picker: typed
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("heading", name="Care closer to home", level=1)).to_be_visible()
    page.goto(f"{site}/o/riverside-care/")
    expect(page.get_by_role("heading", name="Getting started")).to_have_count(0)
    _shot(page, "onboarding-home-done.png")

    organisation = Organisation.objects.get(slug="riverside-care")
    assert organisation.vision.ceo_intent.startswith("Care at home first")
    assert Mission.objects.get(organisation=organisation).title == "Care closer to home"
    assert Invitation.objects.get(organisation=organisation).email == "lee@example.org"
    _log_out(page)

    # --- Lee opens the link from the email ----------------------------------------------
    link = _link_to("lee@example.org", "/invitations/")
    assert link.startswith(site)
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Riverside Care")).to_be_visible()
    page.get_by_label("First name").fill("Lee")
    page.get_by_label("Last name").fill("Chan")
    page.get_by_label("Username").fill("lee")
    page.get_by_label("Password", exact=True).fill("another long phrase here")
    page.get_by_label("Password again").fill("another long phrase here")
    page.get_by_role("button", name="Join Riverside Care").click()
    expect(page).to_have_url(f"{site}/o/riverside-care/")
    expect(page.get_by_text("Care at home first")).to_be_visible()
    lee = User.objects.get(username="lee")
    membership = Membership.objects.get(organisation=organisation, user=lee)
    assert (membership.role, membership.team.name) == ("leader", "Nursing")
    assert Team.objects.get(organisation=organisation, name="Nursing").leader == lee
    _log_out(page)

    # --- The link works once; Lee logs in with the password set ---------------------------
    page.goto(link)
    expect(page.get_by_text("This invitation has been used already.")).to_be_visible()
    _log_in(page, site, "lee", "another long phrase here")
    expect(page).to_have_url(f"{site}/o/riverside-care/")


def test_a_password_reset_round_trip_in_the_browser(page: Page, site: str, world: Any) -> None:
    world.staff.email = "staff@example.org"
    world.staff.save()
    page.goto(f"{site}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("staff@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(_link_to("staff@example.org", "/accounts/reset/"))
    page.get_by_label("New password", exact=True).fill("a brand new phrase")
    page.get_by_label("New password confirmation").fill("a brand new phrase")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
    _log_out(page)
    _log_in(page, site, "staff", "a brand new phrase")
    expect(page).to_have_url(f"{site}/o/acme/")


def test_a_revoked_invitation_is_refused(page: Page, site: str, world: Any) -> None:
    _log_in(page, site, "admin", "mission-test")
    page.goto(f"{site}/o/acme/people/")
    invite = page.locator("#invite")
    invite.get_by_label("Email addresses").fill("kim@example.org")
    invite.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("1 invitation sent.")).to_be_visible()
    page.get_by_role("button", name="Revoke the invitation to kim@example.org").click()
    expect(page.get_by_text("The invitation to kim@example.org is revoked.")).to_be_visible()
    _log_out(page)
    page.goto(_link_to("kim@example.org", "/invitations/"))
    expect(page.get_by_text("This invitation was withdrawn.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Join"))).to_have_count(0)
    assert not User.objects.filter(email="kim@example.org").exists()
