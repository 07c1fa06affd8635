"""A coalition in headless Chromium, between two organisations as peers: Acme's CEO forms it
and invites Other by its address; Other's leader finds the invitation among their notifications
and joins; the CEO writes the coalition's mission; each offers a mission of its own and aligns
the other's. Each then reads the other's contribution (its title, its KPIs) and nothing else of
the other: not its other missions, their KPIs or its people. The stored rows (read in each
member's scope: contributions have row-level security) and the history agree. Other leaves:
the coalition's page answers it 404, its missions stay. No axe violation on the coalition's
pages at desktop and phone widths; the offer is sent from the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from kernel.permissions import actor_for
from kernel.tenancy import tenant_scope
from leadership import services
from leadership.models import Coalition, CoalitionLink, CoalitionMember, Contribution
from missions.models import Mission
from tests.browser import PASSWORD
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAME = "Home first"
PURPOSE = "People leave hospital on the day they are ready, into the care they need."
TOGETHER = "No one waits in hospital for care"


def log_in(page: Page, live_server: Any, username: str, org: str) -> None:
    """Log in through the form as ``username``, a persona of ``org``."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/o/{org}/")


def at_both_widths(page: Page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})


def offer(page: Page, mission: str, how: str) -> None:
    """Offer one's mission to the coalition's mission, from the keyboard."""
    section = page.get_by_role("region", name="Offer one of your missions")
    section.get_by_label("To the coalition's mission").select_option(label=TOGETHER)
    picker = section.get_by_role("combobox", name="Your mission")
    picker.fill(mission)
    picker.press("Escape")
    section.get_by_label("How it contributes").fill(how)
    section.get_by_label("How it contributes").press("Tab")
    expect(section.get_by_role("button", name="Offer the mission")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Offered")


def align(page: Page, mission: str) -> None:
    offers = page.get_by_role("list").filter(has=page.locator('[id^="offer-"]'))
    offers.get_by_role("listitem").filter(has_text=mission).get_by_role(
        "button", name="Align"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Aligned.")


def test_two_organisations_form_a_coalition_as_peers(
    page: Page, live_server: Any, world: Any
) -> None:
    acme, other = world.organisation, world.other_organisation
    ours, theirs = world.org_mission, world.other_mission
    Mission.objects.filter(pk=theirs.pk).update(title="Care packages within 48 hours")
    theirs.refresh_from_db()
    KpiFactory(mission=ours, name="Days from ready to leave to home")
    KpiFactory(mission=theirs, name="Care packages started within 48 hours")
    KpiFactory(mission=world.team_mission, name="Virtual ward beds")
    secret = MissionFactory(
        organisation=other,
        parent=theirs,
        level=Mission.Level.TEAM,
        owner_team=theirs.owner_team,
        title="Restructure the home care team",
    )
    KpiFactory(mission=secret, name="Agency spend")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Acme's CEO forms the coalition and invites Other by its address.
    log_in(page, live_server, "ceo", "acme")
    page.get_by_role("link", name="Coalitions").first.click()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Common purpose").fill(PURPOSE)
    at_both_widths(page)
    page.get_by_role("button", name="Form the coalition").click()
    expect(page.get_by_role("status")).to_contain_text("Coalition formed")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    page.get_by_label("The organisation's address").fill("other")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text("Invited: Other Org")
    expect(page.get_by_role("region", name="Members", exact=True)).to_contain_text("Invited")
    coalition = Coalition.objects.get()

    # Other's leader hears of it, reads what joining shares, and joins.
    log_in(page, live_server, "outsider", "other")
    page.goto(f"{live_server.url}/o/other/notifications/")
    page.get_by_role("link", name=re.compile("Acme Health invites your organisation")).click()
    expect(page).to_have_url(f"{live_server.url}/o/other/coalitions/{coalition.pk}/")
    expect(page.get_by_role("region", name="Your organisation is invited")).to_be_visible()
    at_both_widths(page)
    page.get_by_role("button", name="Join the coalition").click()
    expect(page.get_by_role("status")).to_contain_text(f"Your organisation joined “{NAME}”")

    # The CEO writes the coalition's mission and offers Acme's.
    log_in(page, live_server, "ceo", "acme")
    page.goto(f"{live_server.url}/o/acme/coalitions/{coalition.pk}/")
    page.get_by_label("Mission", exact=True).fill(TOGETHER)
    page.get_by_label("Intent").fill("Halve the waits within the year.")
    page.get_by_role("button", name="Add the mission").click()
    expect(page.get_by_role("heading", name=TOGETHER)).to_be_visible()
    offer(page, ours.title, "Patients are assessed at home, not on the ward.")

    # Other offers its own and aligns Acme's.
    log_in(page, live_server, "outsider", "other")
    page.goto(f"{live_server.url}/o/other/coalitions/{coalition.pk}/")
    offer(page, theirs.title, "Care at home within 48 hours of being ready.")
    at_both_widths(page)
    align(page, ours.title)

    # Acme's CEO aligns Other's, and reads it: its title and KPI, nothing else of Other.
    log_in(page, live_server, "ceo", "acme")
    page.goto(f"{live_server.url}/o/acme/coalitions/{coalition.pk}/")
    align(page, theirs.title)
    together = page.get_by_role("region", name=TOGETHER, exact=True)
    theirs_card = together.get_by_role("article", name=re.compile(theirs.title))
    expect(theirs_card).to_contain_text("Care packages started within 48 hours")
    expect(theirs_card).to_contain_text("Other Org")
    expect(together.get_by_role("article")).to_have_count(2)
    at_both_widths(page)
    shown = page.content()
    for hidden in ("Restructure the home care team", "Agency spend", "outsider"):
        assert hidden not in shown, hidden
    assert world.outsider.get_full_name() not in shown

    # And Other reads Acme's: the mission offered and its KPI, not its cascade or people.
    log_in(page, live_server, "outsider", "other")
    page.goto(f"{live_server.url}/o/other/coalitions/{coalition.pk}/")
    ours_card = page.get_by_role("article", name=re.compile(ours.title))
    expect(ours_card).to_contain_text("Days from ready to leave to home")
    expect(ours_card).to_contain_text("Acme Health")
    shown = page.content()
    hidden = [world.team_mission.title, world.staff_mission.title, "Virtual ward beds"]
    hidden += [person.get_full_name() for person in (world.leader, world.lead, world.staff)]
    for text in hidden:
        assert text not in shown, text

    # What is stored: the members, the mission, each contribution in its own member's scope.
    members = dict(CoalitionMember.objects.values_list("member__slug", "status"))
    assert members == {"acme": "active", "other": "active"}
    assert list(coalition.missions.values_list("title", "written_by__slug")) == [(TOGETHER, "acme")]
    fields = ("organisation__slug", "mission_id", "status")
    people = ("offered_by__username", "answered_by__username")
    with tenant_scope([acme.pk]):
        assert list(Contribution.objects.values_list(*fields, *people)) == [
            ("acme", ours.pk, "aligned", "ceo", "outsider")
        ]
    with tenant_scope([other.pk]):
        assert list(Contribution.objects.values_list(*fields, *people)) == [
            ("other", theirs.pk, "aligned", "outsider", "ceo")
        ]
    with tenant_scope([acme.pk]):
        mine = Contribution.objects.get()
    # The history of each member says who did what, the alignment in the mission's own.
    events = set(AuditEvent.objects.values_list("organisation__slug", "verb", "actor__username"))
    assert {
        ("acme", "created", "ceo"),
        ("acme", "invited", "ceo"),
        ("other", "joined", "outsider"),
        ("acme", "offered", "ceo"),
        ("other", "offered", "outsider"),
        ("acme", "aligned", "outsider"),
        ("other", "aligned", "ceo"),
    } <= events
    aligned = AuditEvent.objects.get(verb="aligned", object_id=mine.pk, mission=ours)
    assert aligned.actor == world.outsider and aligned.organisation == acme
    log_in(page, live_server, "ceo", "acme")
    page.goto(f"{live_server.url}/o/acme/missions/{ours.pk}/")
    expect(page.get_by_role("region", name="Contributes to coalitions")).to_contain_text(NAME)
    history = page.get_by_role("region", name="History", exact=True)
    expect(history).to_contain_text(world.outsider.get_full_name())

    # Other leaves: the page is no longer theirs, their missions stay, Acme no longer reads them.
    log_in(page, live_server, "outsider", "other")
    page.goto(f"{live_server.url}/o/other/coalitions/{coalition.pk}/")
    page.get_by_text("Leave the coalition").click()
    page.get_by_role("button", name=f"Leave “{NAME}”").click()
    expect(page.get_by_role("status")).to_contain_text(f"Your organisation left “{NAME}”")
    answer = page.goto(f"{live_server.url}/o/other/coalitions/{coalition.pk}/")
    assert answer is not None and answer.status == 404
    answer = page.goto(f"{live_server.url}/o/other/missions/{theirs.pk}/")
    assert answer is not None and answer.status == 200
    with tenant_scope([other.pk]):
        assert Mission.objects.filter(pk__in=[theirs.pk, secret.pk]).count() == 2
        assert list(Contribution.objects.values_list("status", flat=True)) == ["withdrawn"]
    assert CoalitionMember.objects.get(member=other).status == "left"
    log_in(page, live_server, "ceo", "acme")
    page.goto(f"{live_server.url}/o/acme/coalitions/{coalition.pk}/")
    members = page.get_by_role("region", name="Members", exact=True)
    expect(members).to_contain_text("Other Org")  # who took part stays named
    expect(members).to_contain_text("Left")
    expect(page.get_by_role("main")).not_to_contain_text(theirs.title)


def test_a_member_notes_what_its_contribution_needs_from_another(world: Any) -> None:
    """The interdependency form of the coalition's page, posted as a page would."""
    acme = actor_for(world.leader, world.organisation)
    other = actor_for(world.outsider, world.other_organisation)
    coalition = services.coalition_form(actor=acme, data={"name": NAME, "purpose": PURPOSE})
    services.coalition_invite(actor=acme, coalition=coalition, address="other")
    services.coalition_answer(actor=other, coalition=coalition, join=True)
    together = services.coalition_mission_write(
        actor=acme, coalition=coalition, data={"title": TOGETHER}
    )
    mine = services.contribution_offer(
        actor=acme, coalition_mission=together, mission=world.org_mission
    )
    theirs = services.contribution_offer(
        actor=other, coalition_mission=together, mission=world.other_mission
    )
    services.contribution_answer(actor=other, contribution=mine, align=True)
    services.contribution_answer(actor=acme, contribution=theirs, align=True)
    client = Client()
    client.force_login(world.leader)

    answer = client.post(
        f"/o/acme/coalitions/{coalition.pk}/links/",
        {
            "link-contribution": mine.pk,
            "link-depends_on": theirs.pk,
            "link-description": "Care packages within 48 hours.",
        },
    )

    assert answer.status_code == 302
    assert CoalitionLink.objects.get().depends_on_id == theirs.pk
