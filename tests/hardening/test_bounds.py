"""What the product stores is bounded once per field, on the model: the API, the forms and the
services refuse the same values, and pages and exports never break on a row stored before the
bounds existed (hardening items 1 and 9)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.validators import DecisionRightsValidator
from measures.api.serializers import CheckInSerializer
from measures.forms import CheckInForm, KpiForm
from measures.models import CheckIn, Kpi
from missions.api.serializers import MissionSerializer
from missions.models import KeyTask, Mission, Vision
from reviews import svg
from reviews.models import Review
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = pytest.mark.django_db
MEGABYTE = "x" * 1_000_000


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def kpi(world) -> Kpi:
    return KpiFactory(mission=world.staff_mission)


@pytest.fixture
def review(world) -> Review:
    return Review.objects.create(mission=world.staff_mission, due_date=dt.date(2026, 11, 30))


def _child(world, **overrides):
    payload = {
        "level": "individual",
        "title": "Open a third ward",
        "parent": world.team_mission.pk,
        "owner_user": world.staff.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    return {**payload, **overrides}


def _write(world, kpi, review, case: str, value):
    """One write of the API that puts ``value`` into the field ``case`` names: (user, method,
    url, body, the key its error comes under)."""
    model, field = case.split(".")
    team, staff = world.team_mission.pk, world.staff_mission.pk
    mission = f"/api/v1/missions/{team}/"
    vision = f"/api/v1/visions/{world.organisation.vision.pk}/"
    review_url = f"/api/v1/reviews/{review.pk}/complete/"
    user, method, url, body = {
        "mission": (world.lead, "patch", mission, {}),
        "vision": (world.leader, "patch", vision, {}),
        "key_task": (world.lead, "post", "/api/v1/key-tasks/", {"mission": team, "title": "Hire"}),
        "link": (
            world.staff,
            "post",
            "/api/v1/interdependencies/",
            {"from_mission": staff, "to_mission": team, "kind": "depends_on"},
        ),
        "check_in": (world.staff, "post", f"/api/v1/kpis/{kpi.pk}/check-ins/", {"value": "12"}),
        "review": (world.staff, "post", review_url, {"still_aligned": True}),
        "alignment": (world.staff, "post", f"/api/v1/missions/{staff}/propose/", {}),
    }[model]
    if field in ("scope", "constraints"):
        return user, method, url, {"operating_space": {field: value}}, "operating_space"
    return user, method, url, {**body, field: value}, field


TEXT_FIELDS = [
    "mission.statement",
    "mission.intent",
    "mission.scope",
    "mission.constraints",
    "vision.purpose",
    "vision.vision",
    "vision.success_picture",
    "vision.ceo_intent",
    "key_task.description",
    "link.description",
    "check_in.comment",
    "review.summary",
    "review.not_working",
    "alignment.comment",
]


@pytest.mark.parametrize("case", TEXT_FIELDS)
def test_it_refuses_a_megabyte_of_text(world, kpi, review, case) -> None:
    user, method, url, body, key = _write(world, kpi, review, case, MEGABYTE)
    response = getattr(client_for(user), method)(url, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert key in response.json()
    assert not CheckIn.objects.exists() and not KeyTask.objects.exists()
    assert not Mission.objects.filter(statement=MEGABYTE).exists()


@pytest.mark.parametrize("case", [*TEXT_FIELDS, "mission.title"])
def test_it_refuses_control_characters(world, kpi, review, case) -> None:
    user, method, url, body, key = _write(world, kpi, review, case, "Beds\x1b[31m at home\x0b")
    response = getattr(client_for(user), method)(url, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert key in response.json()


def test_it_keeps_tabs_and_line_breaks_in_text_but_not_in_a_title(world) -> None:
    client = client_for(world.lead)
    url = f"/api/v1/missions/{world.team_mission.pk}/"
    text = "First line\r\n\tand the second."
    assert client.patch(url, {"statement": text}, format="json").status_code == 200
    world.team_mission.refresh_from_db()
    assert world.team_mission.statement == text
    response = client.patch(url, {"title": "Two\r\nlines"}, format="json")
    assert response.status_code == 400 and "title" in response.json()


@pytest.mark.parametrize("worst", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_it_refuses_dates_out_of_range_everywhere(world, kpi, review, worst) -> None:
    lead, staff, leader = (
        client_for(world.lead),
        client_for(world.staff),
        client_for(world.leader),
    )
    team, vision = world.team_mission, world.organisation.vision
    writes = [
        (staff.post, "/api/v1/missions/", _child(world, period_start=worst), "period_start"),
        (staff.post, "/api/v1/missions/", _child(world, period_end=worst), "period_end"),
        (
            lead.patch,
            f"/api/v1/missions/{team.pk}/",
            {"operating_space": {"deadline": worst}},
            "operating_space",
        ),
        (
            lead.post,
            "/api/v1/kpis/",
            {"mission": team.pk, "name": "Beds", "baseline": 0, "target": 5, "due_date": worst},
            "due_date",
        ),
        (
            lead.post,
            "/api/v1/key-tasks/",
            {"mission": team.pk, "title": "Hire", "due_date": worst},
            "due_date",
        ),
        (leader.patch, f"/api/v1/visions/{vision.pk}/", {"horizon": worst}, "horizon"),
    ]
    if worst < "2000":  # later dates are refused as in the future, as before
        writes += [
            (
                staff.post,
                f"/api/v1/kpis/{kpi.pk}/check-ins/",
                {"value": 3, "recorded_on": worst},
                "recorded_on",
            ),
            (
                staff.post,
                f"/api/v1/reviews/{review.pk}/complete/",
                {"still_aligned": True, "held_on": worst},
                "held_on",
            ),
        ]
    for send, url, body, key in writes:
        response = send(url, body, format="json")
        assert response.status_code == 400, (url, body, response.content[:300])
        assert key in response.json(), (url, response.json())
    assert not Mission.objects.filter(title="Open a third ward").exists()
    assert Vision.objects.get(pk=vision.pk).horizon is None


def test_the_model_is_where_the_bounds_live(world) -> None:
    mission = Mission.objects.get(pk=world.staff_mission.pk)
    mission.period_start = dt.date(9999, 12, 30)
    mission.statement = MEGABYTE
    mission.title = "Line\nbreak"
    mission.decision_rights = {"free": ["rota"] * 31}
    with pytest.raises(ValidationError) as error:
        mission.full_clean()
    assert {"period_start", "statement", "title", "decision_rights"} <= set(error.value.error_dict)
    check_in = CheckIn(recorded_on=dt.date(1999, 12, 31), comment="x" * 2001)
    with pytest.raises(ValidationError) as error:
        check_in.full_clean()
    assert {"recorded_on", "comment"} <= set(error.value.error_dict)


def test_serializers_and_forms_read_the_models_bounds(world) -> None:
    space = MissionSerializer().fields["operating_space"].fields
    for name in ("scope", "constraints"):
        assert space[name].max_length == Mission._meta.get_field(name).max_length
    (rights,) = (
        v
        for v in Mission._meta.get_field("decision_rights").validators
        if isinstance(v, DecisionRightsValidator)
    )
    free = space["decision_rights"].fields["free"]
    assert free.max_length == rights.max_items
    assert free.child.max_length == rights.max_length
    comment = CheckInSerializer().fields["comment"]
    assert comment.max_length == CheckIn._meta.get_field("comment").max_length
    form = KpiForm(
        data={
            "name": "Beds",
            "direction": "increase",
            "baseline": 0,
            "target": 5,
            "due_date": "9999-12-31",
            "cadence_days": 30,
            "weight": 1,
        },
        mission=None,
    )
    assert not form.is_valid() and "due_date" in form.errors
    form = CheckInForm(data={"value": 3, "confidence": 70, "recorded_on": "1999-12-31"})
    assert not form.is_valid() and "recorded_on" in form.errors


def test_decision_rights_hold_at_most_thirty_lines_of_500_characters(world) -> None:
    client = client_for(world.lead)
    url = f"/api/v1/missions/{world.team_mission.pk}/"

    def rights(**lists):
        return client.patch(url, {"operating_space": {"decision_rights": lists}}, format="json")

    assert rights(free=["rota"] * 30).status_code == 200
    assert rights(free=["rota"] * 31).status_code == 400
    assert rights(free=["rota"] * 100_000).status_code == 400
    assert rights(consult=["x" * 501]).status_code == 400
    assert rights(must_not=["close\nbeds"]).status_code == 400
    world.team_mission.refresh_from_db()
    assert world.team_mission.decision_rights == {"free": ["rota"] * 30}


@pytest.mark.parametrize(
    "written",
    [lambda pk: pk + 0.5, lambda pk: True, lambda pk: "²", lambda pk: f"{pk}.0"],
    ids=["a half", "true", "a superscript two", "a decimal in text"],
)
def test_an_id_is_an_integer(world, written) -> None:
    # 1.5 used to be read as 1 and true as 1: next to a real id, they passed.
    client = client_for(world.lead)
    guess = written(world.team_mission.pk)
    response = client.post("/api/v1/key-tasks/", {"mission": guess, "title": "Hire"}, format="json")
    assert response.status_code == 400 and "mission" in response.json()
    response = client.patch(
        f"/api/v1/missions/{world.staff_mission.pk}/", {"parent": guess}, format="json"
    )
    assert response.status_code == 400 and "parent" in response.json()
    assert not KeyTask.objects.exists()


def test_a_whole_json_number_is_the_integer(world) -> None:
    """JSON Schema counts 12.0 as the integer 12, so the API does too."""
    client = client_for(world.lead)
    response = client.post(
        "/api/v1/key-tasks/",
        {"mission": float(world.team_mission.pk), "title": "Hire"},
        format="json",
    )
    assert response.status_code == 201
    assert KeyTask.objects.get().mission == world.team_mission


# --- Rows stored before the bounds: pages and exports still work ------------------------------


def test_the_chart_of_an_old_kpi_is_valid_xml(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission, due_date=dt.date(9999, 12, 31))
    Kpi.objects.filter(pk=kpi.pk).update(name="Beds\x0b at\x1b home", unit="\x07%")
    CheckInFactory(kpi=kpi, author=world.staff, recorded_on=dt.date(9999, 12, 31), value=3)
    client = Client()
    client.force_login(world.staff)
    response = client.get(f"/o/acme/kpis/{kpi.pk}/chart.svg")
    assert response.status_code == 200
    ElementTree.fromstring(response.content)
    assert client.get(f"/o/acme/kpis/{kpi.pk}/").status_code == 200


def test_the_dashboards_charts_are_valid_xml_whatever_a_label_holds() -> None:
    for chart in (
        svg.bar_chart([("Ops\x0b team\x00", 3)], uid="a", title="By team\x1b"),
        svg.distribution_bar([("On\x01 track", 2, "#000")], uid="b", title="KPIs"),
        svg.trend_chart([(timezone.localdate(), 50.0)], uid="c", title="Score\x02"),
    ):
        ElementTree.fromstring(str(chart))


def test_a_mission_page_with_an_old_megabyte_of_text_still_opens(world) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(
        statement=MEGABYTE, decision_rights={"free": ["x"] * 1000}
    )
    client = Client()
    client.force_login(world.staff)
    assert client.get(f"/o/acme/missions/{world.staff_mission.pk}/").status_code == 200
    assert client.get(f"/api/v1/missions/{world.staff_mission.pk}/").status_code == 200


def test_the_carry_over_page_of_a_mission_stored_ending_in_9999_opens(world) -> None:
    """A row stored before the bounds: the page used to add a year to 31 Dec 9999 (a 500)."""
    Mission.objects.filter(pk=world.team_mission.pk).update(
        period_start=dt.date(2026, 1, 1), period_end=dt.date(9999, 12, 31)
    )
    client = Client()
    client.force_login(world.lead)
    url = f"/o/acme/missions/{world.team_mission.pk}/carry-over/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="10000' not in page.content.decode()
    refused = client.post(url, {"period_start": "9999-01-01", "period_end": "9999-12-31"})
    assert refused.status_code == 200
    assert "Give a date up to 31 Dec 2100." in refused.content.decode()
    assert not Mission.objects.filter(carried_over_from=world.team_mission).exists()


def test_a_suggested_next_period_stays_within_the_bounds(world) -> None:
    from missions.services import mission_next_period

    mission = world.team_mission
    mission.period_start, mission.period_end = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
    assert mission_next_period(mission) == (dt.date(2100, 1, 1), dt.date(2100, 12, 31))
    mission.period_start, mission.period_end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert mission_next_period(mission) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))


def test_a_comment_sent_with_an_alignment_decision_in_the_browser_is_bounded(world) -> None:
    world.staff_mission.alignment_status = "proposed"
    world.staff_mission.save(update_fields=["alignment_status"])
    client = Client()
    client.force_login(world.lead)
    url = f"/o/acme/missions/{world.staff_mission.pk}/send-back/"
    for comment in ("x" * 2_001, "bell\x07"):
        client.post(url, {"comment": comment})
        world.staff_mission.refresh_from_db()
        assert world.staff_mission.alignment_status == "proposed", comment
