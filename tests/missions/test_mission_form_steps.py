"""Writing a mission in steps: what the parent leaves, shown before anything is typed, and a
refused save that keeps everything typed and names the step to correct.

The figures the page shows and the ones the write path refuses beyond come from one rule,
``missions.operating_space``: the parent's budget and headcount less what its other children
that are not archived take, and the parent's deadline (else the end of its period).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Kpi
from missions.models import KeyTask, Mission
from missions.operating_space import space_left, space_refusals
from missions.services import mission_check_parent
from tests.missions.factories import MissionFactory
from tests.roundtrip.helpers import html_form

pytestmark = pytest.mark.django_db

PARENT_DEADLINE = dt.date(2026, 11, 30)


def _space_under(world: Any) -> Mission:
    """The organisation mission with a budget of €10,000, a headcount of 5 and a deadline; of
    its children, one active takes €6,000 and 1 person, one completed €1,000.50 and 1 person
    (a completed mission keeps its share), one archived €3,000 and 2 (it takes nothing)."""
    parent = world.org_mission
    Mission.objects.filter(pk=parent.pk).update(
        budget=Decimal(10000), headcount=5, deadline=PARENT_DEADLINE
    )
    parent.refresh_from_db()
    for status, budget, headcount in (
        (Mission.Status.ACTIVE, "6000", 1),
        (Mission.Status.COMPLETED, "1000.50", 1),
        (Mission.Status.ARCHIVED, "3000", 2),
    ):
        MissionFactory(
            parent=parent,
            owner_team=world.team,
            status=status,
            budget=Decimal(budget),
            headcount=headcount,
        )
    return parent


def _url(parent: Mission) -> str:
    return f"/o/acme/missions/new/?parent={parent.pk}"


# --- The rule ---------------------------------------------------------------------------------


def test_it_works_out_what_the_parent_leaves(world) -> None:
    parent = _space_under(world)
    left = space_left(parent)
    assert left.deadline == PARENT_DEADLINE
    assert (left.budget.limit, left.budget.taken, left.budget.left) == (
        Decimal(10000),
        Decimal("7000.50"),
        Decimal("2999.50"),
    )
    assert (left.headcount.limit, left.headcount.taken, left.headcount.left) == (5, 2, 3)


def test_it_leaves_out_the_mission_being_edited_and_never_goes_below_nothing(world) -> None:
    parent = _space_under(world)
    edited = Mission.objects.get(parent=parent, budget=Decimal(6000))
    assert space_left(parent, excluding=edited.pk).budget.left == Decimal("8999.50")
    Mission.objects.filter(pk=parent.pk).update(budget=Decimal(5000), deadline=None)
    parent.refresh_from_db()
    left = space_left(parent)
    assert left.budget.left == 0
    assert left.deadline == parent.period_end  # no deadline: the end of its period


def test_a_parent_without_a_budget_or_headcount_sets_no_limit(world) -> None:
    left = space_left(world.org_mission)
    assert left.budget.limit is None and left.budget.left is None
    assert left.headcount.left is None
    asked = Mission(organisation=world.organisation, budget=Decimal(10**9), headcount=10**6)
    assert space_refusals(asked, left) == {}


def test_its_refusals_write_money_in_the_organisations_currency(world) -> None:
    parent = _space_under(world)
    asked = Mission(
        organisation=world.organisation,
        budget=Decimal(3000),
        headcount=4,
        deadline=PARENT_DEADLINE + dt.timedelta(days=1),
    )
    assert space_refusals(asked, space_left(parent)) == {
        "budget": "The parent mission's budget is €10,000; its other missions take €7,000.50, "
        "so at most €2,999.50 is left for this one.",
        "headcount": "The parent mission's headcount is 5; its other missions take 2, so at "
        "most 3 is left for this one.",
        "deadline": "The deadline is after the parent mission's (30 Nov 2026).",
    }


def test_the_write_path_refuses_with_the_same_words(world) -> None:
    parent = _space_under(world)
    world.organisation.currency = "GBP"
    world.organisation.save(update_fields=["currency"])
    child = Mission(
        organisation=world.organisation, parent=parent, owner_team=world.team, budget=3000
    )
    with pytest.raises(ValidationError) as refused:
        mission_check_parent(child)
    assert refused.value.message_dict == {
        "budget": [
            "The parent mission's budget is £10,000; its other missions take £7,000.50, so at "
            "most £2,999.50 is left for this one."
        ]
    }


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_what_the_parent_leaves_before_anything_is_typed(world, client) -> None:
    parent = _space_under(world)
    client.force_login(world.lead)
    response = client.get(_url(parent))
    assert response.status_code == 200
    page = response.content.decode()
    space = page[page.index('id="step-space"') : page.index('id="step-first"')]
    assert "What “Care closer to home” leaves for this mission" in space
    assert "<strong>€2,999.50</strong> left of €10,000: its other missions take €7,000.50" in space
    assert "<strong>3</strong> left of 5: its other missions take 2" in space
    assert "a deadline no later than <strong>30 Nov 2026</strong>" in space
    # Beside each field too, where a screen reader reads it with the field.
    assert "At most €2,999.50." in space and "At most 3." in space
    assert "No later than 30 Nov 2026." in space
    assert "field--error" not in page


def test_the_steps_are_listed_the_first_one_current(world, client) -> None:
    client.force_login(world.lead)
    page = client.get(_url(world.org_mission)).content.decode()
    steps = page[
        page.index('<nav class="mission-steps"') : page.index(
            "</nav>", page.index('<nav class="mission-steps"')
        )
    ]
    assert steps.count("<li>") == 3
    assert '<a href="#step-mission" aria-current="step"><span>The mission</span></a>' in steps
    assert '<a href="#step-space"><span>Operating space</span></a>' in steps
    assert '<a href="#step-first"><span>First KPI and key task</span></a>' in steps
    assert 'src="/static/js/mission_steps.js"' in page
    for step in ("step-mission", "step-space", "step-first"):  # all there without the script
        assert f'id="{step}" data-step>' in page


def test_the_edit_page_has_no_first_kpi_step_and_leaves_out_the_missions_own_share(
    world, client
) -> None:
    parent = _space_under(world)
    mission = Mission.objects.get(parent=parent, budget=Decimal(6000))
    client.force_login(world.lead)
    page = client.get(f"/o/acme/missions/{mission.pk}/edit/").content.decode()
    assert 'href="#step-first"' not in page and 'id="step-first"' not in page
    assert "<strong>€8,999.50</strong> left of €10,000: its other missions take €1,000.50" in page


def test_the_page_costs_the_same_however_many_missions_share_the_parent(world, client) -> None:
    parent = _space_under(world)
    client.force_login(world.lead)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(parent)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(25):
        MissionFactory(parent=parent, owner_team=world.team, budget=Decimal(1))
    assert queries() == few


# --- A refused save ---------------------------------------------------------------------------

TYPED = {
    "level": "team",
    "title": "Community nursing at home",
    "statement": "Nurse patients at home.",
    "intent": "Fewer admissions.",
    "period_start": "2026-02-01",
    "period_end": "2026-11-30",
    "deadline": "2026-10-31",
    "budget": "5000",
    "headcount": "2",
    "review_cadence_days": "14",
    "scope": "The north of the county.",
    "constraints": "Within the nursing framework.",
    "free_to_decide": "Rotas\nSuppliers",
    "must_consult": "Finance",
    "must_not": "Close beds",
    "kpi-name": "Patients nursed at home",
    "kpi-unit": "patients",
    "kpi-direction": "range",
    "kpi-baseline": "100",
    "kpi-target": "400",
    "kpi-target_max": "450",
    "kpi-due_date": "2026-11-15",
    "kpi-cadence_days": "7",
    "kpi-weight": "2",
    "task-title": "Hire two nurses",
    "task-owner": "lead",
    "task-due_date": "2026-03-31",
    "task-status": "in_progress",
}


def test_an_over_budget_save_keeps_every_value_and_names_the_operating_space_step(
    world, client
) -> None:
    parent = _space_under(world)
    client.force_login(world.lead)
    # The owner team as a person types it (a picked one is posted as a number, shown by name).
    posted = {**TYPED, "owner_team": world.team.name, "parent": str(parent.pk)}
    before = (Mission.objects.count(), Kpi.objects.count(), KeyTask.objects.count())
    response = client.post(_url(parent), posted)

    assert response.status_code == 400
    assert (Mission.objects.count(), Kpi.objects.count(), KeyTask.objects.count()) == before
    page = response.content.decode()
    message = (
        "The parent mission&#x27;s budget is €10,000; its other missions take €7,000.50, so "
        "at most €2,999.50 is left for this one."
    )
    space = page[page.index('id="step-space"') : page.index('id="step-first"')]
    assert message in space
    assert page.count("field--error") == 1  # only the budget
    # Every field comes back as typed, the first KPI and key task too.
    shown = html_form(response, "").data
    assert {name: shown.get(name) for name in posted} == posted


def test_a_mission_refused_keeps_what_was_typed_in_a_first_kpi_left_unwanted(world, client) -> None:
    """A KPI whose fields keep their defaults but one (its cadence) is not written, and is no
    error; the page still comes back with the value typed."""
    parent = _space_under(world)
    client.force_login(world.lead)
    posted = {
        key: value
        for key, value in TYPED.items()
        if not key.startswith(("kpi-", "task-")) or key in ("kpi-direction", "task-status")
    }
    posted.update({"owner_team": str(world.team.pk), "kpi-cadence_days": "7"})
    response = client.post(_url(parent), posted)
    assert response.status_code == 400
    shown = html_form(response, "").data
    assert shown["kpi-cadence_days"] == "7"
    assert shown["budget"] == "5000"
    assert response.context["kpi_form"].errors == {}


def test_a_first_kpi_typed_without_its_name_is_asked_for_it_not_dropped(world, client) -> None:
    client.force_login(world.lead)
    posted = {
        key: value
        for key, value in TYPED.items()
        if not key.startswith(("kpi-", "task-")) and key not in ("budget", "headcount")
    }
    posted.update(
        {
            "owner_team": str(world.team.pk),
            "kpi-direction": "increase",
            "kpi-baseline": "100",
            "kpi-cadence_days": "30",
            "kpi-weight": "1",
            "task-status": "todo",
        }
    )
    response = client.post(_url(world.org_mission), posted)
    assert response.status_code == 400
    assert "name" in response.context["kpi_form"].errors
    assert not Mission.objects.filter(title=TYPED["title"]).exists()
    assert html_form(response, "").data["kpi-baseline"] == "100"


def test_a_save_within_what_is_left_is_stored(world, client) -> None:
    parent = _space_under(world)
    client.force_login(world.lead)
    posted = {**TYPED, "owner_team": str(world.team.pk), "budget": "2999.50", "headcount": "3"}
    response = client.post(_url(parent), posted)
    assert response.status_code == 302, response.content.decode()[:500]
    mission = Mission.objects.get(title=TYPED["title"])
    assert (mission.budget, mission.headcount) == (Decimal("2999.50"), 3)
    assert Kpi.objects.get(mission=mission).cadence_days == 7
    assert KeyTask.objects.get(mission=mission).owner == world.lead


def test_an_owner_chosen_in_the_picker_comes_back_by_name(world, client) -> None:
    """The picker sends its choice as a number; a page that comes back shows the person, as
    one would type them, not the number."""
    parent = _space_under(world)
    client.force_login(world.lead)
    posted = {**TYPED, "owner_team": str(world.team.pk), "task-owner": str(world.lead.pk)}
    response = client.post(_url(parent), posted)
    assert response.status_code == 400
    assert html_form(response, "").data["task-owner"] == "lead"
