"""Checking in from the browser keeps every field: the inline check-in on My work, the bulk
check-in and the CSV upload. Database, API, history; and a value the model refuses comes back
naming its field, with nothing stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kernel.models import AuditEvent
from measures.models import CheckIn, Kpi
from tests.measures.factories import KpiFactory

from .helpers import (
    api_get,
    assert_changes_every_field,
    audit_events,
    history_changes,
    html_form,
    messages_of,
)

pytestmark = pytest.mark.django_db

ME = "/o/acme/me/"


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def kpis(world) -> list[Kpi]:
    """Two KPIs of the staff member's mission, no check-ins yet."""
    return [
        KpiFactory(mission=world.staff_mission, name="Virtual ward beds", unit="beds"),
        KpiFactory(mission=world.staff_mission, name="Readmissions", direction="decrease"),
    ]


def _assert_stored(kpi: Kpi, author, *, value, confidence, comment, recorded_on) -> CheckIn:
    """One check-in of ``kpi`` with these values, in the database, the API and the history."""
    check_in = CheckIn.objects.get(kpi=kpi)
    assert check_in.value == Decimal(value)
    assert check_in.confidence == confidence
    assert check_in.comment == comment
    assert check_in.recorded_on == recorded_on
    assert check_in.author == author

    (api,) = api_get(author, f"/api/v1/kpis/{kpi.pk}/check-ins/")["results"]
    assert api["value"] == f"{Decimal(value):.4f}"
    assert api["confidence"] == confidence
    assert api["comment"] == comment
    assert api["recorded_on"] == recorded_on.isoformat()
    assert api["author"] == author.pk
    assert api_get(author, f"/api/v1/kpis/{kpi.pk}/")["latest_value"] == float(value)

    (event,) = audit_events(check_in)
    assert (event.verb, event.actor, event.mission) == ("checked_in", author, kpi.mission)
    assert event.comment == comment
    assert history_changes(check_in) == {
        "value": [None, value],
        "confidence": [None, confidence],
        "recorded_on": [None, recorded_on.isoformat()],
    }
    return check_in


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_keeps_every_field_of_a_check_in_on_my_work(world, kpis, client, htmx) -> None:
    kpi = kpis[0]
    action = f"/o/acme/kpis/{kpi.pk}/check-in/"
    client.force_login(world.staff)
    form = html_form(client.get(ME), action)
    assert form.data["next"] == ME
    changes = {
        "value": "17.5",
        "confidence": "35",
        "comment": "Ward B opened late",
        "recorded_on": _days_ago(3).isoformat(),
    }
    assert_changes_every_field(form.fields, changes)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(action, {**form.data, **changes}, headers=headers)

    said = f"Checked in 17.5 beds on {_days_ago(3):%-d %b %Y}."
    if htmx:
        assert response.status_code == 200
        assert said in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == ME
        assert messages_of(response) == [f"“{kpi.name}”: {said}"]
    _assert_stored(
        kpi,
        world.staff,
        value="17.5",
        confidence=35,
        comment="Ward B opened late",
        recorded_on=_days_ago(3),
    )
    assert not CheckIn.objects.filter(kpi=kpis[1]).exists()


def test_it_keeps_every_field_of_a_bulk_check_in(world, kpis, client) -> None:
    first, second = kpis
    url = "/o/acme/me/check-in/bulk/"
    client.force_login(world.staff)
    form = html_form(client.get(url), "")
    changes = {
        f"kpi-{first.pk}-value": "21",
        f"kpi-{first.pk}-confidence": "90",
        f"kpi-{first.pk}-comment": "Both wards full",
        f"kpi-{second.pk}-value": "4",
        f"kpi-{second.pk}-confidence": "55",
        f"kpi-{second.pk}-comment": "Winter",
    }
    assert_changes_every_field(form.fields, changes)
    # The page offers no date (a bulk check-in is for today), but the form takes one.
    changes[f"kpi-{second.pk}-recorded_on"] = _days_ago(1).isoformat()
    response = client.post(url, {**form.data, **changes})
    assert response.status_code == 302, response.context["failed"]
    assert messages_of(response) == ["Checked in 2 KPIs."]

    today = timezone.localdate()
    _assert_stored(
        first, world.staff, value="21", confidence=90, comment="Both wards full", recorded_on=today
    )
    _assert_stored(
        second, world.staff, value="4", confidence=55, comment="Winter", recorded_on=_days_ago(1)
    )


def test_it_keeps_every_column_of_a_csv_upload(world, kpis, client) -> None:
    first, second = kpis
    url = "/o/acme/me/check-in/upload/"
    client.force_login(world.staff)
    text = (
        "kpi,value,date,comment,confidence\n"
        f"{first.pk},12.25,{_days_ago(2).isoformat()},From the ward log,65\n"
        f"Readmissions,7,,,\n"
    )
    upload = SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200, preview.context["form"].errors
    assert not CheckIn.objects.exists()  # a preview stores nothing

    confirm = html_form(preview, "", having="confirm")
    assert confirm.data == {"text": text, "confirm": "on"}
    response = client.post(url, confirm.data)
    assert response.status_code == 302
    assert messages_of(response) == ["Stored 2 check-ins from the file."]

    _assert_stored(
        first,
        world.staff,
        value="12.25",
        confidence=65,
        comment="From the ward log",
        recorded_on=_days_ago(2),
    )
    _assert_stored(
        second,
        world.staff,
        value="7",
        confidence=70,
        comment="",
        recorded_on=timezone.localdate(),
    )


def _nothing_stored() -> None:
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.filter(verb="checked_in").exists()
    assert not Kpi.objects.exclude(latest_value=None).exists()


def test_a_confidence_the_model_refuses_comes_back_on_the_check_in_form(
    world, kpis, client
) -> None:
    kpi = kpis[0]
    client.force_login(world.staff)
    response = client.post(
        f"/o/acme/kpis/{kpi.pk}/check-in/",
        {"value": "3", "confidence": "150", "next": ME},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "confidence": ["Ensure this value is less than or equal to 100."]
    }
    assert "Nothing was stored." in response.content.decode()
    _nothing_stored()


def test_a_confidence_the_model_refuses_is_named_in_a_bulk_check_in(world, kpis, client) -> None:
    first, second = kpis
    client.force_login(world.staff)
    response = client.post(
        "/o/acme/me/check-in/bulk/",
        {
            f"kpi-{first.pk}-value": "3",
            f"kpi-{first.pk}-confidence": "70",
            f"kpi-{second.pk}-value": "4",
            f"kpi-{second.pk}-confidence": "150",
        },
    )
    assert response.status_code == 400
    (failed,) = response.context["failed"]
    assert failed["row"].kpi == second
    assert failed["errors"] == ["Confidence: Ensure this value is less than or equal to 100."]
    _nothing_stored()


def test_a_confidence_the_model_refuses_is_named_in_a_csv_upload(world, kpis, client) -> None:
    client.force_login(world.staff)
    text = f"kpi,value,confidence\n{kpis[0].pk},3,70\n{kpis[1].pk},4,150\n"
    response = client.post(
        "/o/acme/me/check-in/upload/",
        {"file": SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 400
    assert [entry.errors for entry in response.context["entries"]] == [
        [],
        ["Confidence: Ensure this value is less than or equal to 100."],
    ]
    _nothing_stored()
