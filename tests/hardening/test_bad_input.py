"""Unvalidated input answers 400 (or 404 for an id that names nothing), never 500 (hardening
item 4)."""

from __future__ import annotations

import io
import json

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from kernel.models import Notification, Team
from kernel.services import org_chart_plan
from missions.models import KeyTask, Mission
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db

# What the API's settings will name (missionlead/settings.py): until then the tests set it.
PARSERS = {
    "DEFAULT_PARSER_CLASSES": [
        "missionlead.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ]
}


@pytest.fixture
def parsers(settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **PARSERS}
    # APIView read the setting into a class attribute when it was first imported.
    from rest_framework.settings import api_settings
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "parser_classes", api_settings.DEFAULT_PARSER_CLASSES)


def api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def web(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _post_raw(client: APIClient, url: str, body: bytes | str):
    return client.generic("POST", url, body, content_type="application/json")


# --- API ----------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_choice_answers_400(world, parsers) -> None:
    body = '{"level": "team\\ud800", "title": "Wards"}'
    response = _post_raw(api(world.lead), "/api/v1/missions/", body)
    assert response.status_code == 400
    response.json()


def test_an_error_that_echoes_a_lone_surrogate_still_renders(world) -> None:
    # Whatever reaches the renderer (a parser that lets one through, a service's message),
    # the answer is JSON, with U+FFFD in place of the surrogate.
    from missionlead.api import OrjsonRenderer  # after DRF's settings, which import it

    rendered = OrjsonRenderer().render({"level": ['"team\ud800" is not a valid choice.']})
    assert orjson.loads(rendered) == {"level": ['"team\ufffd" is not a valid choice.']}


def test_deeply_nested_json_answers_400(world, parsers) -> None:
    for depth in (100, 100_000):
        body = "[" * depth + "]" * depth
        response = _post_raw(api(world.lead), "/api/v1/missions/", body)
        assert response.status_code == 400, depth
        assert "nested" in response.json()["detail"] or "depth" in response.json()["detail"]
    nested = {"operating_space": {"decision_rights": {"free": [["x"] * 1]}}}
    response = api(world.lead).patch(
        f"/api/v1/missions/{world.team_mission.pk}/", nested, format="json"
    )
    assert response.status_code == 400  # a list in a list: a shape error, not a depth error


def test_a_body_larger_than_the_limit_is_refused(world, parsers, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "x" * 20_000})
    response = _post_raw(api(world.lead), "/api/v1/missions/", body)
    # 400 when Django read the body first (its own check), 413 from the API's parser.
    assert response.status_code in (400, 413)
    assert not Mission.objects.filter(title__startswith="xxx").exists()
    from missionlead.api import JSONParser, RequestTooLarge

    with pytest.raises(RequestTooLarge):
        JSONParser().parse(io.BytesIO(body.encode()))


def test_marking_all_read_with_a_superscript_digit_answers_400(world) -> None:
    response = api(world.lead).post("/api/v1/notifications/read-all/?organisation=²")
    assert response.status_code == 400
    assert "organisation" in response.json()


# --- Pages --------------------------------------------------------------------------------------


def test_marking_notifications_read_with_odd_ids_changes_nothing(world) -> None:
    notification = Notification.objects.create(
        organisation=world.organisation,
        recipient=world.lead,
        kind=Notification.Kind.ALIGNED,
        message="Aligned.",
        mission=world.team_mission,
    )
    response = web(world.lead).post("/o/acme/notifications/", {"id": ["²", "1.5", "x", "-1"]})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_parent_that_is_not_an_id_answers_404(world) -> None:
    for parent in ("abc", "²", "1.5", "-1", "99999999999999999999999"):
        response = web(world.lead).get(f"/o/acme/missions/new/?parent={parent}")
        assert response.status_code == 404, parent


@pytest.mark.parametrize(
    ("target", "item"),
    [("²", "1"), ("abc", "1"), ("{team}", "²"), ("{team}", "abc"), ("{team}", "")],
)
def test_moving_an_item_with_odd_ids_never_fails(world, target, item) -> None:
    task = KeyTask.objects.create(mission=world.staff_mission, title="Hire")
    response = web(world.lead).post(
        f"/o/acme/missions/{world.staff_mission.pk}/move/",
        {"to_mission": target.format(team=world.team_mission.pk), "item": item, "kind": "task"},
    )
    assert response.status_code in (302, 404)
    task.refresh_from_db()
    assert task.mission_id == world.staff_mission.pk


def test_a_csv_upload_with_a_superscript_digit_names_the_line(world) -> None:
    KpiFactory(mission=world.staff_mission, name="Beds")
    upload = SimpleUploadedFile("values.csv", "kpi,value\n²,5\n".encode(), "text/csv")
    response = web(world.staff).post("/o/acme/me/check-in/upload/", {"file": upload})
    assert response.status_code == 400
    assert "none of your KPIs has the id or name" in response.content.decode()


def test_carrying_over_into_year_9999_is_refused_beside_the_field(world) -> None:
    before = Mission.objects.count()
    response = web(world.lead).post(
        f"/o/acme/missions/{world.team_mission.pk}/carry-over/",
        {"period_start": "2027-01-01", "period_end": "9999-12-31"},
    )
    assert response.status_code == 200
    assert "31 Dec 2100" in response.content.decode()
    assert Mission.objects.count() == before


# --- The org chart import ----------------------------------------------------------------------

HEADER = "email,name,team,parent team,role,manager email\n"


def _plan(world, *lines: str):
    return org_chart_plan(organisation=world.organisation, text=HEADER + "".join(lines))


def test_an_org_chart_line_with_an_extra_cell_is_a_line_error(world) -> None:
    plan = _plan(world, "ann@example.org,Ann Lee,Operations,Board,staff,,surplus\n")
    (row,) = plan.rows
    assert not plan.ok
    assert any("more cells" in e for e in row.errors)


@pytest.mark.parametrize(
    ("line", "what"),
    [
        (f"ann@example.org,{'A' * 151},Operations,Board,staff,\n", "Name"),
        (f"{'a' * 250}@example.org,Ann,Operations,Board,staff,\n", "Email"),
        (f"ann@example.org,Ann,{'T' * 201},Board,staff,\n", "Team"),
        (f"ann@example.org,Ann,Operations,{'P' * 201},staff,\n", "Parent team"),
        ("ann@example.org,Ann\x00Lee,Operations,Board,staff,\n", "Name"),
        ("ann@example.org,Ann,Ops\x1b[31m,Board,staff,\n", "Team"),
    ],
    ids=["long name", "long email", "long team", "long parent", "NUL", "escape"],
)
def test_an_org_chart_cell_too_long_or_with_control_characters_is_a_line_error(
    world, line, what
) -> None:
    plan = _plan(world, line)
    (row,) = plan.rows
    assert not plan.ok
    assert any(e.startswith(what) for e in row.errors), row.errors


def test_an_org_chart_cell_of_131073_characters_is_a_file_error_not_a_crash(world) -> None:
    plan = _plan(world, f"ann@example.org,{'A' * 131_073},Operations,Board,staff,\n")
    assert not plan.ok
    assert plan.file_errors or any(row.errors for row in plan.rows)


def test_the_org_chart_page_answers_400_for_a_bad_file(world) -> None:
    content = HEADER + "ann@example.org,Ann,Operations,Board,staff,,x,y\n"
    response = web(world.org_admin).post("/o/acme/people/import/", {"content": content})
    assert response.status_code == 400
    assert not Team.objects.filter(name="Ann").exists()
