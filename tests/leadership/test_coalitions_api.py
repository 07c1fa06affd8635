"""Coalitions through the API: the same services and permission rules as the pages. A leader
forms a coalition and invites another organisation by its address; that one's leader joins;
each offers missions of its own and a leader of the other aligns them. A member reads its
partners' contributions with their KPIs, and a third organisation learns nothing of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kernel.permissions import actor_for
from kernel.tenancy import tenant_scope
from leadership import services
from leadership.models import Coalition, CoalitionMission, Contribution
from missions.models import Mission
from tests.measures.factories import KpiFactory
from tests.missions.factories import (
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PURPOSE = "People in Northvale leave hospital on the day they are ready, into the care they need."


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client: APIClient, url: str, body: dict | None = None):
    return client.post(url, body, format="json") if body is not None else client.post(url)


def formed(world) -> Coalition:
    """Through the services: acme's CEO forms one, other joins, one coalition mission."""
    acme = actor_for(world.leader, world.organisation)
    other = actor_for(world.outsider, world.other_organisation)
    coalition = services.coalition_form(actor=acme, data={"name": "Home first", "purpose": PURPOSE})
    services.coalition_invite(actor=acme, coalition=coalition, address="other")
    services.coalition_answer(actor=other, coalition=coalition, join=True)
    services.coalition_mission_write(
        actor=acme, coalition=coalition, data={"title": "No one waits", "intent": ""}
    )
    return Coalition.objects.get(pk=coalition.pk)


def third_organisation():
    """An organisation outside the coalition, and the person who speaks for it."""
    third = OrganisationFactory(name="Third", slug="third")
    boss = UserFactory(username="boss")
    TeamFactory(organisation=third, name="Board", leader=boss)
    MembershipFactory(organisation=third, user=boss, role="admin")
    return third, boss


def test_the_api_round_trip_from_forming_to_leaving(world) -> None:
    ceo, outsider = api(world.leader), api(world.outsider)
    KpiFactory(mission=world.other_mission, name="Care packages started within 48 hours")
    answer = post(ceo, "/api/v1/coalitions/", {"name": "Home first", "purpose": PURPOSE})
    assert answer.status_code == 201, answer.json()
    formed = answer.json()
    assert formed["convened_by"] == world.organisation.pk
    assert formed["your_organisations"] == [
        {
            "organisation": world.organisation.pk,
            "name": "Acme Health",
            "status": "active",
            "invited_at": formed["your_organisations"][0]["invited_at"],
            "answered_at": formed["your_organisations"][0]["answered_at"],
            "left_at": None,
        }
    ]
    url = f"/api/v1/coalitions/{formed['id']}/"

    bad = post(ceo, f"{url}invite/", {"address": "nowhere"})
    assert bad.status_code == 400
    assert bad.json() == {"address": ["No organisation has that address."]}
    invited = post(ceo, f"{url}invite/", {"address": "Other "})
    assert invited.status_code == 201, invited.json()
    assert invited.json()["name"] == "Other Org" and invited.json()["status"] == "invited"
    again = post(ceo, f"{url}invite/", {"address": "other"})
    assert again.status_code == 400 and "invited already" in again.json()["address"][0]

    # Invited: its leader reads the purpose and the members, and answers once.
    page = outsider.get(url).json()
    assert page["organisation"] == world.other_organisation.pk
    assert page["may_join"] is True and page["may_lead"] is False
    assert [(m["name"], m["status"]) for m in page["members"]] == [
        ("Acme Health", "active"),
        ("Other Org", "invited"),
    ]
    assert post(outsider, f"{url}answer/", {}).json() == {"join": ["This field is required."]}
    joined = post(outsider, f"{url}answer/", {"join": True})
    assert joined.status_code == 200 and joined.json()["status"] == "active"
    second = post(outsider, f"{url}answer/", {"join": False})
    assert second.status_code == 409
    assert second.json() == {"detail": "This invitation has been answered already."}

    mission = post(ceo, f"{url}missions/", {"title": "No one waits in hospital", "intent": ""})
    assert mission.status_code == 201, mission.json()
    target = mission.json()["id"]
    offer = post(
        outsider,
        f"{url}offer/",
        {"coalition_mission": target, "mission": world.other_mission.pk, "how": "Home care"},
    )
    assert offer.status_code == 201, offer.json()
    offered = offer.json()
    assert offered["status"] == "offered" and offered["coalition"] == formed["id"]

    # Acme reads the offer (its KPIs once aligned), and its CEO answers it.
    page = ceo.get(url).json()
    (shown,) = page["missions"][0]["offered"]
    assert shown["member"] == "Other Org" and shown["mission_title"] == world.other_mission.title
    assert shown["how"] == "Home care" and shown["kpis"] == [] and shown["may_answer"] is True
    contribution = f"/api/v1/contributions/{offered['id']}/"
    refused = post(ceo, f"{contribution}answer/", {"align": False, "answer": ""})
    assert refused.status_code == 400
    assert refused.json() == {"answer": ["Say why, so the member can offer a better one."]}
    assert post(api(world.staff), f"{contribution}answer/", {"align": True}).status_code == 403
    assert post(outsider, f"{contribution}answer/", {"align": True}).status_code == 403  # own
    aligned = post(ceo, f"{contribution}answer/", {"align": True, "answer": "Welcome."})
    assert aligned.status_code == 200, aligned.json()
    assert aligned.json()["status"] == "aligned" and aligned.json()["answer"] == "Welcome."
    assert post(ceo, f"{contribution}answer/", {"align": True}).status_code == 409
    page = api(world.staff).get(url).json()
    (shown,) = page["missions"][0]["aligned"]
    assert [k["name"] for k in shown["kpis"]] == ["Care packages started within 48 hours"]
    assert set(shown["kpis"][0]) == {"name", "unit", "latest_value", "progress", "forecast_status"}
    assert "Acme" not in str(outsider.get("/api/v1/contributions/").json())
    assert [c["id"] for c in outsider.get("/api/v1/contributions/").json()["results"]] == [
        offered["id"]
    ]
    # Acme reads other's contribution on the coalition, never as one of its own.
    assert ceo.get(contribution).status_code == 404

    left = post(outsider, f"{url}leave/")
    assert left.status_code == 200 and left.json()["status"] == "left"
    assert post(outsider, f"{url}leave/").status_code == 404  # no longer shared with it
    assert outsider.get(url).status_code == 404
    assert outsider.get("/api/v1/contributions/").json()["results"] == []
    with tenant_scope([world.other_organisation.pk]):
        assert Contribution.objects.get().status == "withdrawn"
    assert ceo.get(url).json()["missions"][0]["aligned"] == []


def test_the_api_refuses_bad_input_with_field_errors(world) -> None:
    coalition = formed(world)
    ceo, staff = api(world.leader), api(world.staff)
    url = f"/api/v1/coalitions/{coalition.pk}/"
    answer = post(ceo, "/api/v1/coalitions/", {"purpose": PURPOSE})
    assert answer.status_code == 400 and set(answer.json()) == {"name"}
    # Someone in several organisations says which forms it.
    MembershipFactory(organisation=world.other_organisation, user=world.leader, role="staff")
    answer = post(ceo, "/api/v1/coalitions/", {"name": "Two", "purpose": PURPOSE})
    assert answer.status_code == 400 and set(answer.json()) == {"organisation"}
    assert post(ceo, f"{url}invite/", {}).json() == {"address": ["This field is required."]}
    assert set(post(ceo, f"{url}missions/", {"title": ""}).json()) == {"title"}
    elsewhere = CoalitionMission.objects.create(
        coalition=Coalition.objects.create(name="Elsewhere", purpose="Another."), title="Not ours"
    )
    answer = post(
        staff,
        f"{url}offer/",
        {"coalition_mission": elsewhere.pk, "mission": world.staff_mission.pk},
    )
    assert answer.status_code == 400 and set(answer.json()) == {"coalition_mission"}
    target = coalition.missions.get().pk
    # Staff offer only a mission they may edit.
    answer = post(
        staff, f"{url}offer/", {"coalition_mission": target, "mission": world.team_mission.pk}
    )
    assert answer.json() == {"mission": ["Choose a mission of yours."]}
    answer = post(
        staff, f"{url}offer/", {"coalition_mission": target, "mission": world.staff_mission.pk}
    )
    assert answer.status_code == 201
    answer = post(
        staff, f"{url}offer/", {"coalition_mission": target, "mission": world.staff_mission.pk}
    )
    assert answer.status_code == 400
    # Leading it is for those who speak for the organisation.
    assert api(world.lead).patch(url, {"name": "Ours"}, format="json").status_code == 403
    assert post(staff, f"{url}invite/", {"address": "other"}).status_code == 403
    changed = ceo.patch(url, {"name": "Home first, together"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "Home first, together"


def test_someone_in_two_members_says_which_one_acts(world) -> None:
    coalition = formed(world)
    MembershipFactory(organisation=world.other_organisation, user=world.leader, role="staff")
    ceo = api(world.leader)
    url = f"/api/v1/coalitions/{coalition.pk}/"
    assert ceo.get(url).json()["organisation"] == world.organisation.pk
    as_other = ceo.get(f"{url}?organisation={world.other_organisation.pk}").json()
    assert as_other["organisation"] == world.other_organisation.pk
    assert as_other["may_lead"] is False
    # Staff of other: may not lead it there.
    answer = post(ceo, f"{url}leave/?organisation={world.other_organisation.pk}")
    assert answer.status_code == 403
    third, _ = third_organisation()
    assert ceo.get(f"{url}?organisation={third.pk}").status_code == 404
    listed = ceo.get("/api/v1/coalitions/").json()["results"]
    assert [o["organisation"] for o in listed[0]["your_organisations"]] == sorted(
        [world.organisation.pk, world.other_organisation.pk]
    )


def test_a_third_organisation_gets_404s_and_sees_nothing(world) -> None:
    coalition = formed(world)
    acme = actor_for(world.leader, world.organisation)
    other = actor_for(world.outsider, world.other_organisation)
    target = coalition.missions.get()
    mine = services.contribution_offer(
        actor=acme, coalition_mission=target, mission=world.org_mission
    )
    theirs = services.contribution_offer(
        actor=other, coalition_mission=target, mission=world.other_mission
    )
    _, boss = third_organisation()
    client = api(boss)
    url = f"/api/v1/coalitions/{coalition.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "x"}, format="json").status_code == 404
    for action in ("invite", "answer", "leave", "missions", "offer"):
        assert post(client, f"{url}{action}/", {}).status_code == 404, action
    for contribution in (mine, theirs):
        for action in ("answer", "withdraw"):
            answer = post(client, f"/api/v1/contributions/{contribution.pk}/{action}/", {})
            assert answer.status_code == 404, action
        assert client.get(f"/api/v1/contributions/{contribution.pk}/").status_code == 404
    assert client.get("/api/v1/coalitions/").json()["results"] == []
    assert client.get("/api/v1/contributions/").json()["results"] == []


def test_the_coalition_costs_the_same_queries_for_2_or_8_contributions(
    world, django_assert_max_num_queries
) -> None:
    coalition = formed(world)
    acme = actor_for(world.leader, world.organisation)
    other = actor_for(world.outsider, world.other_organisation)
    target = coalition.missions.get()
    for who, mission in ((acme, world.org_mission), (other, world.other_mission)):
        KpiFactory(mission=mission, baseline=Decimal(0))
        offered = services.contribution_offer(actor=who, coalition_mission=target, mission=mission)
        answerer = other if who is acme else acme
        services.contribution_answer(actor=answerer, contribution=offered, align=True)
    client = api(world.leader)
    url = f"/api/v1/coalitions/{coalition.pk}/"
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        answer = client.get(url)
    assert answer.status_code == 200
    assert sum(len(m["aligned"]) for m in answer.json()["missions"]) == 2
    for n in range(6):
        mission = MissionFactory(
            organisation=world.other_organisation,
            level=Mission.Level.ORGANISATION,
            owner_team=world.other_mission.owner_team,
            title=f"More {n}",
        )
        KpiFactory(mission=mission, baseline=Decimal(0))
        KpiFactory(mission=mission, baseline=Decimal(0))
        offered = services.contribution_offer(
            actor=other, coalition_mission=target, mission=mission
        )
        if n % 2:
            services.contribution_answer(actor=acme, contribution=offered, align=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = client.get(url)
    missions = answer.json()["missions"]
    assert sum(len(m["aligned"]) + len(m["offered"]) for m in missions) == 8
    assert sum(len(c["kpis"]) for m in missions for c in m["aligned"]) == 2 + 3 * 2
