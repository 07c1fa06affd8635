"""Mission templates: the product's examples and an organisation's own, offered when a mission
is written; a mission written from one with its KPIs and key tasks; a mission saved as one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.models import AuditEvent
from measures.missions import mission_save_as_template
from measures.models import Kpi
from missions import selectors
from missions.models import KPI_DIRECTIONS, KeyTask, Mission, MissionTemplate
from missions.services import mission_template_create, mission_template_delete
from missions.template_library import SHIPPED, shipped_templates
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db

NEW = "/o/acme/missions/new/"
GROWTH = "shipped-growth"


def _own(world: Any, name: str = "Open a ward", by: Any = None, **data: Any) -> MissionTemplate:
    return mission_template_create(
        organisation=world.organisation,
        data={
            "name": name,
            "title": "Open a virtual ward",
            "intent": "Patients nursed at home.",
            "kpis": [
                {
                    "name": "Beds",
                    "unit": "beds",
                    "direction": "increase",
                    "baseline": "0",
                    "target": "20",
                    "cadence_days": 7,
                },
            ],
            "key_tasks": ["Hire two nurses"],
            **data,
        },
        by=by or world.lead,
    )


# --- The product's templates -----------------------------------------------------------------


def test_it_ships_a_few_good_examples_each_with_kpis_space_and_tasks(world: Any) -> None:
    shipped = shipped_templates()
    assert 4 <= len(shipped) <= 6
    assert len({t.key for t in shipped}) == len(shipped)
    for template in shipped:
        template.organisation = world.organisation
        template.full_clean()  # as a stored one would be
        assert template.kpis and template.key_tasks and template.intent
        assert template.scope and template.constraints and template.decision_rights


def test_it_knows_the_directions_of_a_kpi() -> None:
    assert set(KPI_DIRECTIONS) == set(Kpi.Direction.values)


def test_it_offers_the_shipped_then_the_organisations_own_but_never_anothers(
    world: Any,
) -> None:
    ours = _own(world)
    theirs = mission_template_create(
        organisation=world.other_organisation,
        data={"name": "Theirs", "title": "Their mission"},
        by=world.outsider,
    )
    offered = selectors.templates_offered(organisation=world.organisation)
    assert [t.key for t in offered] == [
        *(f"shipped-{t['shipped_key']}" for t in SHIPPED),
        str(ours.pk),
    ]
    assert selectors.template_for_key(organisation=world.organisation, key=str(theirs.pk)) is None
    for key in ("", "shipped-nothing", "1.5", "abc", "-1", str(2**64)):
        assert selectors.template_for_key(organisation=world.organisation, key=key) is None


# --- The service -----------------------------------------------------------------------------


def test_it_stores_a_template_and_says_so_in_the_history(world: Any) -> None:
    template = _own(world)
    assert template.created_by == world.lead
    event = AuditEvent.objects.get(object_id=template.pk, verb="created", object_repr="Open a ward")
    assert (event.actor, event.organisation) == (world.lead, world.organisation)
    pk = template.pk
    mission_template_delete(template=template, by=world.org_admin)
    assert not MissionTemplate.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(object_id=pk, verb="removed", actor=world.org_admin).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"title": "a\nb"}, "title"),
        ({"kpis": "Beds"}, "kpis"),
        ({"kpis": [{"name": "Beds"}]}, "kpis"),  # no baseline nor target
        ({"kpis": [{"name": "Beds", "baseline": "0", "target": "NaN"}]}, "kpis"),
        ({"kpis": [{"name": "Beds", "baseline": "0", "target": "1e13"}]}, "kpis"),
        ({"kpis": [{"name": "Beds", "baseline": 0, "target": 1, "direction": "up"}]}, "kpis"),
        ({"kpis": [{"name": "B", "baseline": 0, "target": 5, "direction": "range"}]}, "kpis"),
        ({"kpis": [{"name": "B", "baseline": 0, "target": 1, "target_max": 2}]}, "kpis"),
        ({"kpis": [{"name": "B", "baseline": 0, "target": 1, "cadence_days": 0}]}, "kpis"),
        ({"kpis": [{"name": "B", "baseline": 0, "target": 1, "colour": "red"}]}, "kpis"),
        ({"kpis": [{"name": "B", "baseline": 0, "target": 1}] * 11}, "kpis"),
        ({"key_tasks": ["ok", ""]}, "key_tasks"),
        ({"key_tasks": ["x" * 201]}, "key_tasks"),
        ({"key_tasks": ["t"] * 11}, "key_tasks"),
        ({"key_tasks": [1]}, "key_tasks"),
        ({"decision_rights": {"maybe": ["x"]}}, "decision_rights"),
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(world: Any, data: dict, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _own(world, **data)
    assert field in refused.value.message_dict
    assert not MissionTemplate.objects.exists()


def test_it_refuses_a_name_the_organisation_uses_already(world: Any) -> None:
    _own(world)
    with pytest.raises(ValidationError) as refused:
        _own(world)
    assert refused.value.message_dict == {
        "name": ["Your organisation has a template of that name already."]
    }
    mission_template_create(  # another organisation's names are its own
        organisation=world.other_organisation,
        data={"name": "Open a ward", "title": "Their ward"},
        by=world.outsider,
    )
    assert MissionTemplate.objects.count() == 2


def test_it_saves_a_mission_as_a_template_with_its_kpis_and_tasks(world: Any) -> None:
    mission = world.staff_mission
    Mission.objects.filter(pk=mission.pk).update(
        intent="Patients nursed at home.",
        scope="Two wards",
        budget=Decimal(5000),
        decision_rights={"free": ["Rotas"]},
    )
    mission.refresh_from_db()
    KpiFactory(mission=mission, name="Beds", unit="beds", baseline=Decimal("2.5000"), target=20)
    KpiFactory(mission=mission, name="Old", status=Kpi.Status.ARCHIVED)
    KeyTask.objects.create(mission=mission, title="Hire two nurses")
    KeyTask.objects.create(mission=mission, title="Dropped", status=KeyTask.Status.CANCELLED)
    template = mission_save_as_template(
        mission=mission, name="Virtual wards", description="For a ward.", by=world.staff
    )
    assert (template.title, template.intent, template.scope) == (
        "Open two virtual wards",
        "Patients nursed at home.",
        "Two wards",
    )
    assert template.decision_rights == {"free": ["Rotas"]}
    assert template.kpis == [
        {
            "name": "Beds",
            "unit": "beds",
            "direction": "increase",
            "baseline": "2.5",
            "target": "20",
            "cadence_days": 30,
        },
    ]
    assert template.key_tasks == ["Hire two nurses"]


# --- Writing a mission from a template, in the browser's forms -----------------------------


def _new_from(client: Any, world: Any, key: str) -> Any:
    return client.get(NEW, {"parent": world.org_mission.pk, "template": key})


def test_the_form_is_filled_from_a_shipped_template(client: Any, world: Any) -> None:
    client.force_login(world.lead)
    response = _new_from(client, world, GROWTH)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["title"].value() == "Grow revenue in our chosen market"
    assert "Sell products we cannot deliver" in form["must_not"].value()
    kpis = response.context["kpi_forms"]
    assert [f["name"].value() for f in kpis] == [
        "Revenue in the market",
        "New customers",
        "Customers lost",
    ]
    assert kpis[0]["due_date"].value() == world.org_mission.period_end
    assert [f["title"].value() for f in response.context["task_forms"]] == SHIPPED[0]["key_tasks"]
    page = response.content.decode()
    assert "Started from the template “Grow in a chosen market”" in page
    assert 'name="template" value="shipped-growth"' in page


def _posted(response: Any) -> dict[str, Any]:
    """The form as the page offers it, with every field as shown (its initial values)."""
    data: dict[str, Any] = {"parent": response.context["parent"].pk, "template": GROWTH}
    forms = [response.context["form"], *response.context["kpi_forms"]]
    forms += response.context["task_forms"]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None:
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif hasattr(value, "pk"):
                value = value.pk
            data[field.html_name] = value
    return data


def test_a_mission_written_from_a_template_keeps_its_kpis_and_tasks(
    client: Any, world: Any
) -> None:
    client.force_login(world.lead)
    data = _posted(_new_from(client, world, GROWTH))
    data["title"] = "Grow in the north"
    data["kpi-2-target"] = "55"
    data["kpi-3-name"] = ""  # left out
    data["task-3-title"] = ""
    response = client.post(NEW, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    mission = Mission.objects.get(title="Grow in the north")
    assert (mission.parent, mission.owner_team, mission.created_by) == (
        world.org_mission,
        world.team,
        world.lead,
    )
    assert mission.decision_rights["consult"] == [
        "Discounts beyond the pricing policy",
        "New partnerships",
    ]
    kpis = list(mission.kpis.order_by("id"))
    assert [(k.name, k.target) for k in kpis] == [
        ("Revenue in the market", Decimal(500)),
        ("New customers", Decimal(55)),
    ]
    assert all(k.due_date == world.org_mission.period_end for k in kpis)
    assert list(mission.key_tasks.order_by("id").values_list("title", flat=True)) == [
        "Name the twenty customers we approach first",
        "Agree the offer and its price with finance",
    ]
    created = AuditEvent.objects.get(mission=mission, verb="created", object_id=mission.pk)
    assert created.comment == "Written from the template “Grow in a chosen market”."
    assert AuditEvent.objects.filter(mission=mission, verb="created").count() == 5


def test_a_refused_kpi_of_the_template_keeps_everything_and_stores_nothing(
    client: Any, world: Any
) -> None:
    client.force_login(world.lead)
    data = _posted(_new_from(client, world, GROWTH))
    data["title"] = "Grow in the north"
    data["kpi-2-target"] = "many"
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "target" in response.context["kpi_forms"][1].errors
    assert response.context["kpi_forms"][1]["target"].value() == "many"
    assert response.context["form"]["title"].value() == "Grow in the north"
    assert not Mission.objects.filter(title="Grow in the north").exists()


def test_an_unknown_or_another_organisations_template_is_not_found(client: Any, world: Any) -> None:
    theirs = mission_template_create(
        organisation=world.other_organisation,
        data={"name": "Theirs", "title": "Their mission"},
        by=world.outsider,
    )
    client.force_login(world.lead)
    for key in (str(theirs.pk), "shipped-nothing", "x"):
        assert _new_from(client, world, key).status_code == 404
    data = {"parent": world.org_mission.pk, "template": str(theirs.pk), "title": "T"}
    assert client.post(NEW, data).status_code == 404
    page = client.get(NEW, {"parent": world.org_mission.pk}).content.decode()
    assert "Theirs" not in page and "Grow in a chosen market" in page


def test_the_form_costs_the_same_for_3_or_30_templates(client: Any, world: Any) -> None:
    client.force_login(world.lead)

    def queries(count: int) -> int:
        for number in range(MissionTemplate.objects.count(), count):
            _own(world, name=f"Template {number}")
        with CaptureQueriesContext(connection) as captured:
            assert _new_from(client, world, GROWTH).status_code == 200
        return len(captured)

    assert queries(3) == queries(30)


# --- Saving as a template, the library, removing ---------------------------------------------


def test_the_owner_saves_a_mission_as_a_template_and_it_is_offered(client: Any, world: Any) -> None:
    client.force_login(world.staff)
    url = f"/o/acme/missions/{world.staff_mission.pk}/save-as-template/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "Open two virtual wards"
    response = client.post(url, {"name": "Virtual wards", "description": "A first ward."})
    assert response.status_code == 302
    template = MissionTemplate.objects.get(name="Virtual wards")
    assert (template.organisation, template.created_by) == (world.organisation, world.staff)
    offered = client.get(NEW, {"parent": world.team_mission.pk}).content.decode()
    assert f'<option value="{template.pk}">Virtual wards (ours)</option>' in offered
    again = client.post(url, {"name": "Virtual wards"})
    assert again.status_code == 400
    assert again.context["form"].errors == {
        "name": ["Your organisation has a template of that name already."]
    }
    assert client.post(url, {"name": ""}).status_code == 400
    assert MissionTemplate.objects.count() == 1


def test_the_library_lists_them_and_only_the_author_or_an_admin_removes_one(
    client: Any, world: Any, django_assert_num_queries: Any
) -> None:
    template = _own(world, by=world.lead)
    _own(world, name="Another", by=world.staff)
    client.force_login(world.staff)
    # 1 session, 2 user, 3 organisation, 4 membership, 5 teams led, 6 savepoint, 7 the tenant
    # setting, 8 the templates with their authors (the product's cost none), 9 the header's
    # notification counts, 10 the tenant setting cleared, 11 release: whatever their number.
    with django_assert_num_queries(11):
        page = client.get("/o/acme/templates/")
    text = page.content.decode()
    assert "Open a ward" in text and "Grow in a chosen market" in text
    assert text.count("Remove<span") == 1  # staff's own only
    delete = f"/o/acme/templates/{template.pk}/delete/"
    assert client.post(delete).status_code == 403
    client.force_login(world.outsider)
    assert client.post(delete).status_code == 404
    client.force_login(world.lead)
    assert client.post(delete).status_code == 302
    assert not MissionTemplate.objects.filter(pk=template.pk).exists()


# --- The API ---------------------------------------------------------------------------------


def test_the_api_lists_reads_and_removes_the_organisations_own(
    world: Any, django_assert_num_queries: Any
) -> None:
    from rest_framework.test import APIClient

    template = _own(world, by=world.lead)
    theirs = mission_template_create(
        organisation=world.other_organisation,
        data={"name": "Theirs", "title": "Their mission"},
        by=world.outsider,
    )
    api = APIClient()
    api.force_authenticate(world.staff)

    def listed() -> list[str]:
        return [t["name"] for t in api.get("/api/v1/mission-templates/").json()["results"]]

    assert listed() == ["Open a ward"]
    for number in range(2, 12):
        _own(world, name=f"Template {number}")
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/mission-templates/?page_size=3")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/mission-templates/").json()["results"]) == 11
    assert len(few) == len(many)
    read = api.get(f"/api/v1/mission-templates/{template.pk}/").json()
    assert read["kpis"][0]["name"] == "Beds" and read["key_tasks"] == ["Hire two nurses"]
    assert api.get(f"/api/v1/mission-templates/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/mission-templates/{template.pk}/").status_code == 403
    assert api.post("/api/v1/mission-templates/", {}, format="json").status_code == 405
    api.force_authenticate(world.lead)
    assert api.delete(f"/api/v1/mission-templates/{template.pk}/").status_code == 204
    assert AuditEvent.objects.filter(object_id=template.pk, verb="removed", actor=world.lead)


def test_the_admin_adds_a_template_through_the_service(client: Any, world: Any) -> None:
    from django.urls import reverse

    from tests.missions.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse("admin:missions_missiontemplate_add")
    data = {
        "organisation": world.organisation.pk,
        "name": "Wards",
        "title": "Open a ward",
        "decision_rights": "{}",
        "kpis": '[{"name": "Beds", "baseline": 0, "target": 20}]',
        "key_tasks": '["Hire two nurses"]',
    }
    refused = client.post(url, {**data, "kpis": '[{"name": "Beds"}]'})
    assert refused.status_code == 200
    assert "needs a baseline and a target" in refused.content.decode()
    assert client.post(url, data).status_code == 302
    template = MissionTemplate.objects.get()
    assert template.created_by.username == "root"
    assert AuditEvent.objects.filter(object_id=template.pk, verb="created").count() == 1
