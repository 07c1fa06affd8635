"""Coalitions: organisations as peers toward a common purpose. A leader forms one and invites
another organisation by its address; a leader of that one joins; each offers missions of its
own to the coalition's missions and a leader of the other aligns them (consent on both
sides). Each sees the other's contributions with their KPIs and forecasts, and nothing else of
it; a member leaves without losing its own data."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kernel.errors import StateConflict
from kernel.models import AuditEvent, Membership, Notification, Organisation
from kernel.permissions import Action, actor_for, can
from kernel.tenancy import tenant_scope
from leadership import selectors, services
from leadership.models import Coalition, CoalitionMember, Contribution, LearningGroup
from missions.models import Mission
from reviews.inbox import inbox_sweep_organisation
from tests.measures.factories import KpiFactory
from tests.missions.factories import (
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from tests.races.helpers import run_together

pytestmark = pytest.mark.django_db
PURPOSE = "People in Northvale leave hospital on the day they are ready, into the care they need."


def actor(user, organisation):
    return actor_for(user, organisation)


def acme(world, user=None):
    return actor(user or world.leader, world.organisation)


def other(world, user=None):
    return actor(user or world.outsider, world.other_organisation)


def formed(world) -> Coalition:
    """Acme's CEO forms a coalition, invites Other, whose leader joins; one coalition mission."""
    coalition = services.coalition_form(
        actor=acme(world), data={"name": "Home first", "purpose": PURPOSE}
    )
    services.coalition_invite(actor=acme(world), coalition=coalition, address="other")
    services.coalition_answer(actor=other(world), coalition=coalition, join=True)
    services.coalition_mission_write(
        actor=acme(world),
        coalition=coalition,
        data={"title": "No one waits in hospital for care", "intent": "Together."},
    )
    return Coalition.objects.get(pk=coalition.pk)


def offered(world, coalition, who, mission, how="Discharge before noon") -> Contribution:
    return services.contribution_offer(
        actor=who, coalition_mission=coalition.missions.get(), mission=mission, how=how
    )


def both_aligned(world) -> tuple[Coalition, Contribution, Contribution]:
    coalition = formed(world)
    mine = offered(world, coalition, acme(world), world.org_mission)
    theirs = offered(world, coalition, other(world), world.other_mission, how="Home care")
    services.contribution_answer(actor=other(world), contribution=mine, align=True)
    services.contribution_answer(actor=acme(world), contribution=theirs, align=True)
    return coalition, mine, theirs


def open_items(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind, done_at__isnull=True)


def test_an_invitation_waits_in_the_invited_leaders_inbox_until_answered(world) -> None:
    coalition = services.coalition_form(
        actor=acme(world), data={"name": "Home first", "purpose": PURPOSE}
    )
    row = services.coalition_invite(actor=acme(world), coalition=coalition, address="Other ")
    assert row.status == "invited" and row.member == world.other_organisation
    item = open_items(world.outsider, "coalition_invited").get()
    assert item.organisation == world.other_organisation
    assert item.url == f"/o/other/coalitions/{coalition.pk}/"
    assert "Acme Health invites your organisation" in item.message
    # Its leaders read the invitation; nobody else of it may answer.
    assert can(other(world), Action.JOIN_COALITION, coalition)
    with pytest.raises(ValidationError, match="invited already"):
        services.coalition_invite(actor=acme(world), coalition=coalition, address="other")

    services.coalition_answer(actor=other(world), coalition=coalition, join=True)
    assert not open_items(world.outsider, "coalition_invited").exists()
    with pytest.raises(StateConflict):
        services.coalition_answer(actor=other(world), coalition=coalition, join=False)
    assert Coalition.objects.get(pk=coalition.pk).active_member_ids() == sorted(
        [world.organisation.pk, world.other_organisation.pk]
    )
    # Acme's CEO hears of it; the history of each says who did what.
    assert Notification.objects.filter(recipient=world.leader, kind="coalition_news").exists()
    verbs = set(AuditEvent.objects.values_list("organisation__slug", "verb"))
    assert {("acme", "created"), ("acme", "invited"), ("other", "joined")} <= verbs


def test_an_unknown_address_and_people_who_do_not_lead_are_refused(world) -> None:
    coalition = services.coalition_form(
        actor=acme(world), data={"name": "Home first", "purpose": PURPOSE}
    )
    with pytest.raises(ValidationError, match="No organisation has that address"):
        services.coalition_invite(actor=acme(world), coalition=coalition, address="nowhere")
    for user in (world.lead, world.staff, world.coach):
        assert not can(acme(world, user), Action.LEAD_COALITION, coalition)
        with pytest.raises(Exception):  # noqa: B017 - 403 as PermissionDenied
            services.coalition_invite(actor=acme(world, user), coalition=coalition, address="other")
    # Not invited: Other sees nothing of it.
    with pytest.raises(Http404):
        services.coalition_answer(actor=other(world), coalition=coalition, join=True)
    assert not can(other(world), Action.VIEW, coalition)


def test_contributions_are_aligned_by_the_other_member_with_consent_on_both_sides(world) -> None:
    coalition = formed(world)
    mine = offered(world, coalition, acme(world), world.org_mission)
    # Offered: the other member's leader is asked; the offerer cannot align its own.
    assert open_items(world.outsider, "contribution_offered").count() == 1
    assert not can(acme(world), Action.ALIGN, mine)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.contribution_answer(actor=acme(world), contribution=mine, align=True)
    with pytest.raises(ValidationError, match="Say why"):
        services.contribution_answer(actor=other(world), contribution=mine, align=False)
    services.contribution_answer(actor=other(world), contribution=mine, align=True)
    with tenant_scope([world.organisation.pk]):
        stored = Contribution.objects.get(pk=mine.pk)
    assert stored.status == "aligned" and stored.answered_by == world.outsider
    assert not open_items(world.outsider, "contribution_offered").exists()
    # The alignment is in the mission's own history, by whom.
    event = AuditEvent.objects.get(mission=world.org_mission, verb="aligned")
    assert event.actor == world.outsider and event.organisation == world.organisation
    # A mission is offered once at a time; staff may offer only missions they may edit.
    with pytest.raises(ValidationError):
        offered(world, coalition, acme(world), world.org_mission)
    with pytest.raises(ValidationError, match="Choose a mission of yours"):
        offered(world, coalition, acme(world, world.staff), world.team_mission)
    with pytest.raises(ValidationError, match="Choose a mission of yours"):
        offered(world, coalition, acme(world), world.other_mission)


def test_each_member_sees_the_others_contribution_and_nothing_else(world) -> None:
    coalition, mine, theirs = both_aligned(world)
    KpiFactory(mission=world.other_mission, name="Care packages started within 48 hours")
    secret = MissionFactory(
        organisation=world.other_organisation,
        parent=world.other_mission,
        level=Mission.Level.TEAM,
        owner_team=world.other_mission.owner_team,
        title="Restructure the home care team",
    )
    KpiFactory(mission=secret, name="Agency spend")
    url = reverse("leadership:coalition", kwargs={"org": "acme", "pk": coalition.pk})
    for user in (world.leader, world.staff):
        client = Client()
        client.force_login(user)
        page = client.get(url).content.decode()
        assert world.other_mission.title in page
        assert "Care packages started within 48 hours" in page
        assert "Home care" in page  # how it contributes
        assert "Other Org" in page
        # Nothing else of Other: its other missions, their KPIs, its people.
        for hidden in ("Restructure the home care team", "Agency spend", "outsider"):
            assert hidden not in page
    # And the other way round.
    client = Client()
    client.force_login(world.outsider)
    page = client.get(reverse("leadership:coalition", kwargs={"org": "other", "pk": coalition.pk}))
    assert world.org_mission.title in page.content.decode()
    assert world.team_mission.title not in page.content.decode()


def test_outside_the_coalitions_scope_a_partners_rows_stay_hidden(world) -> None:
    coalition, mine, theirs = both_aligned(world)
    with tenant_scope([world.organisation.pk]):
        assert list(Contribution.objects.values_list("pk", flat=True)) == [mine.pk]
        assert not Organisation.objects.filter(pk=world.other_organisation.pk).exists()
        page = selectors.coalition_page(actor=acme(world), coalition=coalition)
        # The page's reads ran in the members' scope; the scope after it is Acme's again.
        assert not Mission.objects.filter(pk=world.other_mission.pk).exists()
    aligned = [c.contribution.pk for m in page.missions for c in m.aligned]
    assert sorted(aligned) == sorted([mine.pk, theirs.pk])


def test_a_third_organisation_gets_404s(world, client) -> None:
    coalition, mine, theirs = both_aligned(world)
    third = OrganisationFactory(name="Third", slug="third")
    boss = UserFactory(username="boss")
    TeamFactory(organisation=third, name="Board", leader=boss)
    MembershipFactory(organisation=third, user=boss, role="admin")
    client.force_login(boss)
    for name, pk in (
        ("coalition", coalition.pk),
        ("coalition-edit", coalition.pk),
        ("coalition-invite", coalition.pk),
        ("coalition-answer", coalition.pk),
        ("coalition-leave", coalition.pk),
        ("coalition-mission", coalition.pk),
        ("contribution-offer", coalition.pk),
        ("coalition-link", coalition.pk),
        ("contribution-answer", mine.pk),
        ("contribution-withdraw", theirs.pk),
    ):
        url = reverse(f"leadership:{name}", kwargs={"org": "third", "pk": pk})
        answer = client.post(url) if name != "coalition" else client.get(url)
        assert answer.status_code == 404, (name, answer.status_code)
    # And through another member's address: not a member of it.
    assert client.get(f"/o/acme/coalitions/{coalition.pk}/").status_code == 404


def test_a_member_leaves_without_losing_its_own_data(world) -> None:
    coalition, mine, theirs = both_aligned(world)
    pending = offered(
        world,
        coalition,
        other(world),
        MissionFactory(
            organisation=world.other_organisation,
            level=Mission.Level.ORGANISATION,
            owner_team=world.other_mission.owner_team,
            title="Reablement at home",
        ),
    )
    assert open_items(world.leader, "contribution_offered").count() == 1
    services.coalition_leave(actor=other(world), coalition=coalition)
    with tenant_scope([world.other_organisation.pk]):
        statuses = set(Contribution.objects.values_list("status", flat=True))
        assert statuses == {"withdrawn"}
        assert Mission.objects.filter(pk=world.other_mission.pk).exists()
    assert not open_items(world.leader, "contribution_offered").exists()
    coalition = Coalition.objects.get(pk=coalition.pk)
    assert coalition.status_of(world.other_organisation.pk) == "left"
    page = selectors.coalition_page(actor=acme(world), coalition=coalition)
    assert [c.contribution.pk for m in page.missions for c in m.aligned] == [mine.pk]
    with pytest.raises(Http404):
        services.coalition_mission_write(actor=other(world), coalition=coalition, data={})
    assert not can(other(world), Action.VIEW, coalition)
    assert pending.pk  # its row stays, withdrawn
    # Its own withdrawn contributions stay its to read.
    with tenant_scope([world.other_organisation.pk]):
        withdrawn = Contribution.objects.get(pk=theirs.pk)
    assert can(other(world), Action.VIEW, withdrawn)
    assert not can(other(world), Action.EDIT, withdrawn) or not withdrawn.state_allows("edit")
    # Invited again, it may come back: the page says so (the organisation, found across
    # organisations, is named).
    ceo = Client()
    ceo.force_login(world.leader)
    again = ceo.post(f"/o/acme/coalitions/{coalition.pk}/invite/", {"address": "other"})
    assert again.status_code == 302
    coalition = Coalition.objects.get(pk=coalition.pk)
    services.coalition_answer(actor=other(world), coalition=coalition, join=False)
    services.coalition_invite(actor=acme(world), coalition=coalition, address="other")
    assert (
        Coalition.objects.get(pk=coalition.pk).status_of(world.other_organisation.pk) == "invited"
    )


def test_the_inbox_sweep_keeps_invitations_and_offers_true(world) -> None:
    coalition = services.coalition_form(
        actor=acme(world), data={"name": "Home first", "purpose": PURPOSE}
    )
    services.coalition_invite(actor=acme(world), coalition=coalition, address="other")
    Notification.objects.all().delete()  # lost: the sweep writes it again
    inbox_sweep_organisation(world.other_organisation)
    assert open_items(world.outsider, "coalition_invited").count() == 1
    services.coalition_answer(actor=other(world), coalition=coalition, join=True)
    services.coalition_mission_write(
        actor=acme(world), coalition=coalition, data={"title": "No one waits", "intent": ""}
    )
    coalition = Coalition.objects.get(pk=coalition.pk)
    contribution = offered(world, coalition, other(world), world.other_mission)
    Notification.objects.all().delete()
    assert inbox_sweep_organisation(world.organisation)["contribution"] == (2, 0)
    assert open_items(world.leader, "contribution_offered").count() == 1
    assert open_items(world.org_admin, "contribution_offered").count() == 1
    # Withdrawn behind the inbox's back: the next sweep completes the items.
    with tenant_scope([world.other_organisation.pk]):
        Contribution.objects.filter(pk=contribution.pk).update(status="withdrawn")
    assert inbox_sweep_organisation(world.organisation)["contribution"] == (0, 2)


@pytest.mark.django_db(transaction=True)
def test_two_leaders_answering_one_offer_at_once_one_wins(world) -> None:
    coalition = formed(world)
    # A second leader of Other (its admin).
    admin = UserFactory(username="other-admin")
    MembershipFactory(organisation=world.other_organisation, user=admin, role="admin")
    contribution = offered(world, coalition, acme(world), world.org_mission)
    for _ in range(3):
        with tenant_scope([world.organisation.pk]):
            Contribution.objects.filter(pk=contribution.pk).update(status="offered")
        results = run_together(
            partial(
                services.contribution_answer,
                actor=other(world),
                contribution=contribution,
                align=True,
            ),
            partial(
                services.contribution_answer,
                actor=other(world, admin),
                contribution=contribution,
                align=False,
                comment="Not this one",
            ),
        )
        refused = [r for r in results if isinstance(r, StateConflict)]
        assert len(refused) == 1, results


def test_the_pages_round_trip(world) -> None:
    ceo, outsider = Client(), Client()
    ceo.force_login(world.leader)
    outsider.force_login(world.outsider)
    answer = ceo.post("/o/acme/coalitions/", {"name": "", "purpose": PURPOSE})
    assert answer.status_code == 400
    answer = ceo.post("/o/acme/coalitions/", {"name": "Home first", "purpose": PURPOSE})
    coalition = Coalition.objects.get()
    assert answer.status_code == 302 and answer.url == f"/o/acme/coalitions/{coalition.pk}/"
    bad = ceo.post(f"/o/acme/coalitions/{coalition.pk}/invite/", {"address": "nowhere"})
    assert bad.status_code == 400 and "No organisation has that address" in bad.content.decode()
    ceo.post(f"/o/acme/coalitions/{coalition.pk}/invite/", {"address": "other"})
    invitation = outsider.get(f"/o/other/coalitions/{coalition.pk}/").content.decode()
    assert "Your organisation is invited" in invitation
    outsider.post(f"/o/other/coalitions/{coalition.pk}/answer/", {"join": "1"})
    again = outsider.post(f"/o/other/coalitions/{coalition.pk}/answer/", {"join": "1"})
    assert again.status_code == 409
    ceo.post(
        f"/o/acme/coalitions/{coalition.pk}/missions/",
        {"title": "No one waits in hospital for care", "intent": ""},
    )
    target = coalition.missions.get()
    answer = outsider.post(
        f"/o/other/coalitions/{coalition.pk}/offer/",
        {
            "offer-coalition_mission": target.pk,
            "offer-mission": str(world.other_mission.pk),
            "offer-how": "Home care within 48 hours",
        },
    )
    assert answer.status_code == 302
    with tenant_scope([world.other_organisation.pk]):
        contribution = Contribution.objects.get()
    page = ceo.get(f"/o/acme/coalitions/{coalition.pk}/").content.decode()
    assert "Offered, waiting for another member to align" in page
    refused = ceo.post(
        f"/o/acme/contributions/{contribution.pk}/answer/", {"align": "0", "answer": ""}
    )
    assert refused.status_code == 400
    ceo.post(f"/o/acme/contributions/{contribution.pk}/answer/", {"align": "1", "answer": ""})
    with tenant_scope([world.other_organisation.pk]):
        assert Contribution.objects.get().status == "aligned"
    mission_page = outsider.get(f"/o/other/missions/{world.other_mission.pk}/").content.decode()
    assert "Contributes to coalitions" in mission_page and "Aligned" in mission_page
    left = outsider.post(f"/o/other/coalitions/{coalition.pk}/leave/")
    assert left.status_code == 302 and left.url == "/o/other/coalitions/"
    assert outsider.get(f"/o/other/coalitions/{coalition.pk}/").status_code == 404
    assert "Left" in outsider.get("/o/other/coalitions/").content.decode()


def test_the_coalition_page_costs_the_same_queries_for_2_or_8_contributions(
    world, django_assert_max_num_queries
) -> None:
    coalition, mine, theirs = both_aligned(world)
    client = Client()
    client.force_login(world.leader)
    url = f"/o/acme/coalitions/{coalition.pk}/"
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        mission = MissionFactory(
            organisation=world.other_organisation,
            level=Mission.Level.ORGANISATION,
            owner_team=world.other_mission.owner_team,
            title=f"More {n}",
        )
        KpiFactory(mission=mission, baseline=Decimal(0))
        c = offered(world, coalition, other(world), mission)
        if n % 2:
            services.contribution_answer(actor=acme(world), contribution=c, align=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    assert timezone.now()  # the page rendered both times
    assert Membership.objects.filter(organisation=world.other_organisation).count() == 1
    assert CoalitionMember.objects.count() == 2


# --- Action learning across the coalition -----------------------------------------------------


def open_group(world, coalition):
    """Acme's coach facilitates a group open to the coalition, with staff: two people."""
    from leadership.services import learning_group_create

    return learning_group_create(
        actor=acme(world, world.staff),
        data={
            "name": "Discharge peers",
            "purpose": "What stops a discharge on the day",
            "facilitator": world.coach,
            "members": [world.staff],
            "coalition": coalition,
        },
    )


def test_a_partners_people_join_a_group_open_to_the_coalition_and_write_in_it(world) -> None:
    from leadership.models import LearningSession, SessionNote

    coalition, mine, theirs = both_aligned(world)
    group = open_group(world, coalition)
    # Listed on the coalition's page for the partner: name, purpose, count; no names.
    listed = selectors.coalition_learning_groups(actor=other(world), coalition=coalition)
    assert [(g.group.pk, g.people, g.may_join) for g in listed] == [(group.pk, 2, True)]
    services.learning_group_join(actor=other(world), group=group)
    outsider = Client()
    outsider.force_login(world.outsider)
    page = outsider.get(f"/o/other/learning/{group.pk}/")
    assert page.status_code == 200 and "Discharge peers" in page.content.decode()
    # The facilitator plans a session; the partner's member keeps a note in it, through
    # their own organisation's pages; the rows are the group's organisation's.
    services.learning_session_create(
        actor=acme(world, world.coach),
        group=group,
        data={"held_on": timezone.localdate(), "topic": "Saying no"},
    )
    with tenant_scope([world.organisation.pk]):
        session = LearningSession.objects.get(group=group)
    answer = outsider.post(
        f"/o/other/learning/sessions/{session.pk}/notes/",
        {f"note-{session.pk}-body": "We wait for transport."},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    with tenant_scope([world.organisation.pk]):
        note = SessionNote.objects.get()
    assert note.author == world.outsider and note.organisation == world.organisation
    assert (
        "We wait for transport." in outsider.get(f"/o/other/learning/{group.pk}/").content.decode()
    )
    # Still a safe space: Acme's CEO and Other's people outside it get 404.
    ceo = Client()
    ceo.force_login(world.leader)
    assert ceo.get(f"/o/acme/learning/{group.pk}/").status_code == 404
    # The facilitator's edit keeps the partner's member, who is not picked on Acme's form.
    services.learning_group_update(
        actor=acme(world, world.coach),
        group=group,
        data={"name": "Discharge peers", "facilitator": world.coach, "members": [world.staff]},
    )
    assert world.outsider.pk in LearningGroup.objects.get(pk=group.pk).member_ids
    # Its organisation leaving the coalition takes the group out of the partner's reach
    # (the partner's member is still in it, and back in it should Other return).
    services.coalition_leave(actor=other(world), coalition=coalition)
    assert outsider.get(f"/o/other/learning/{group.pk}/").status_code == 404
    assert outsider.get("/o/other/learning/").status_code == 200


def test_a_group_not_open_to_the_coalition_is_not_listed_or_joined(world) -> None:
    from leadership.services import learning_group_create

    coalition, mine, theirs = both_aligned(world)
    group = learning_group_create(
        actor=acme(world, world.staff),
        data={
            "name": "Acme only",
            "facilitator": world.coach,
            "members": [world.staff, world.lead, world.leader],
        },
    )
    assert selectors.coalition_learning_groups(actor=other(world), coalition=coalition) == []
    client = Client()
    client.force_login(world.outsider)
    assert client.post(f"/o/other/learning/{group.pk}/join/").status_code == 404
    assert client.get(f"/o/other/learning/{group.pk}/").status_code == 404


def test_a_member_leaves_a_coalition_group_but_its_facilitator_hands_it_over_first(world) -> None:
    coalition, mine, theirs = both_aligned(world)
    group = open_group(world, coalition)
    services.learning_group_join(actor=other(world), group=group)
    group = LearningGroup.objects.get(pk=group.pk)
    with pytest.raises(ValidationError, match="Hand the group"):
        services.learning_group_leave(actor=acme(world, world.coach), group=group)
    services.learning_group_leave(actor=other(world), group=group)
    assert world.outsider.pk not in LearningGroup.objects.get(pk=group.pk).member_ids


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_a_groups_last_place_at_once_one_gets_it(world) -> None:
    coalition, mine, theirs = both_aligned(world)
    group = open_group(world, coalition)
    others = []
    for n in range(7):
        user = UserFactory(username=f"peer{n}")
        MembershipFactory(organisation=world.other_organisation, user=user, role="staff")
        others.append(user)
    for user in others[:5]:  # 2 + 5: one place left
        services.learning_group_join(actor=other(world, user), group=group)
    last = [other(world, user) for user in others[5:]]
    group = LearningGroup.objects.get(pk=group.pk)
    results = run_together(
        *(partial(services.learning_group_join, actor=a, group=group) for a in last)
    )
    refused = [r for r in results if isinstance(r, StateConflict)]
    assert len(refused) == 1, results
    assert len(LearningGroup.objects.get(pk=group.pk).member_ids) == 8


def test_a_member_notes_what_its_contribution_needs_from_anothers(world) -> None:
    coalition, mine, theirs = both_aligned(world)
    client = Client()
    client.force_login(world.outsider)
    answer = client.post(
        f"/o/other/coalitions/{coalition.pk}/links/",
        {
            "link-contribution": theirs.pk,
            "link-depends_on": mine.pk,
            "link-description": "Discharge dates known two days ahead",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:300]
    page = Client()
    page.force_login(world.leader)
    text = page.get(f"/o/acme/coalitions/{coalition.pk}/").content.decode()
    assert "Discharge dates known two days ahead" in text


def test_removing_an_organisation_takes_the_partners_links_to_it_too(world) -> None:
    from django.db import connection

    from leadership.models import CoalitionLink
    from missions.generate.purge import purge

    coalition, mine, theirs = both_aligned(world)
    services.coalition_link(
        actor=other(world),
        contribution=selectors.contribution_for(actor=other(world), pk=theirs.pk),
        depends_on=selectors.contribution_for(actor=other(world), pk=mine.pk),
        description="Dates",
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as at the commit
    purge(Organisation, Organisation.objects.filter(pk=world.organisation.pk))
    assert not CoalitionLink.objects.exists()
    assert Contribution.objects.filter(pk=theirs.pk).exists()
