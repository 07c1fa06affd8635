"""The cascade and KPI exports, as CSV and as Excel workbooks: each value as the pages show it,
only the organisation's rows, text never read as a formula (an apostrophe in CSV, Excel's quote
prefix in a workbook), long and unicode text whole, and the same few queries for 3 rows or 300.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from kernel import spreadsheets
from measures.exports import CASCADE_HEADER, KPI_HEADER
from measures.models import CheckIn, Kpi
from missions.models import Mission
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

WORST = '=HYPERLINK("http://evil")'
LONG = "Ünïcödé 😀 " + 'ward, "beds" & <care>\n' * 200  # 4,000+ characters, a comma, quotes


def _get(client: Any, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return b"".join(response.streaming_content)


def _csv(client: Any, path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_get(client, path).decode("utf-8"))))


def _xlsx(client: Any, path: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(_get(client, path)))


def _rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def kpi(world: Any) -> Kpi:
    world.staff.first_name, world.staff.last_name = "Sam", "Okafor"
    world.staff.save()
    kpi = KpiFactory(
        mission=world.staff_mission, name="-1 falls a week", unit="falls", target=Decimal("5")
    )
    CheckInFactory(
        kpi=kpi,
        value=Decimal("12.5"),
        confidence=60,
        recorded_on=dt.date(2026, 3, 1),
        comment=WORST,
        author=world.staff,
    )
    CheckInFactory(
        kpi=kpi,
        value=Decimal("9"),
        recorded_on=dt.date(2026, 3, 8),
        comment=LONG,
        author=world.staff,
    )
    return kpi


# --- The cascade --------------------------------------------------------------------------


def test_the_cascade_as_csv_lists_every_mission_depth_first(world, client, kpi) -> None:
    odd = MissionFactory(parent=world.team_mission, owner_team=world.team, title=WORST)
    client.force_login(world.coach)  # a coach reads the whole cascade, as on its page
    rows = _csv(client, "/o/acme/cascade/export.csv")
    assert rows[0] == CASCADE_HEADER
    ids = [int(row[0]) for row in rows[1:]]
    assert ids == [world.org_mission.pk, world.team_mission.pk, world.staff_mission.pk, odd.pk]
    assert world.other_mission.pk not in ids  # another organisation's mission
    by_id = {int(row[0]): dict(zip(CASCADE_HEADER, row, strict=True)) for row in rows[1:]}
    staff_row = by_id[world.staff_mission.pk]
    assert staff_row["Parent id"] == str(world.team_mission.pk)
    assert staff_row["Depth"] == "2"
    assert staff_row["Parent mission"] == "Community wards"
    assert staff_row["Mission"] == "Open two virtual wards"
    assert staff_row["Level"] == "Individual"
    assert staff_row["Team"] == "Operations"  # the owner's team
    assert staff_row["Owner"] == "Sam Okafor"
    assert staff_row["Status"] == "Active"
    assert staff_row["Alignment"] == world.staff_mission.get_alignment_status_display()
    assert staff_row["Period start"] == world.staff_mission.period_start.isoformat()
    assert staff_row["KPIs"] == "1"
    assert by_id[world.org_mission.pk]["Parent id"] == ""
    assert by_id[world.org_mission.pk]["Depth"] == "0"
    assert by_id[world.org_mission.pk]["Team"] == "Board"
    assert by_id[odd.pk]["Mission"] == "'" + WORST  # never read as a formula


def test_the_cascade_as_a_workbook(world, client, kpi) -> None:
    odd = MissionFactory(parent=world.team_mission, owner_team=world.team, title=WORST)
    client.force_login(world.staff)
    book = _xlsx(client, "/o/acme/cascade/export.xlsx")
    assert book.sheetnames == ["Cascade"]
    rows = _rows(book["Cascade"])
    assert rows[0] == CASCADE_HEADER
    by_id = {row[0]: dict(zip(CASCADE_HEADER, row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {
        world.org_mission.pk,
        world.team_mission.pk,
        world.staff_mission.pk,
        odd.pk,
    }
    staff_row = by_id[world.staff_mission.pk]
    assert staff_row["Depth"] == 2
    assert staff_row["Owner"] == "Sam Okafor"
    assert staff_row["Period start"].date() == world.staff_mission.period_start
    assert staff_row["KPIs"] == 1
    assert staff_row["Alignment score"] is None
    # The text as it is, marked as text by Excel's quote prefix: never evaluated.
    row_of_odd = next(r for r in book["Cascade"].iter_rows(min_row=2) if r[0].value == odd.pk)
    cell = row_of_odd[CASCADE_HEADER.index("Mission")]
    assert cell.value == WORST and cell.data_type == "s" and cell.quotePrefix


# --- KPIs and check-ins -------------------------------------------------------------------


def test_kpis_with_their_check_ins_as_csv(world, client, kpi) -> None:
    bare = KpiFactory(mission=world.team_mission, name="Beds", unit="beds")
    KpiFactory(mission=world.other_mission, name="Not ours")
    client.force_login(world.lead)
    rows = _csv(client, "/o/acme/kpis/export.csv")
    assert rows[0] == KPI_HEADER
    data = [dict(zip(KPI_HEADER, row, strict=True)) for row in rows[1:]]
    assert [(r["KPI id"], r["Date"]) for r in data] == sorted(
        [(str(kpi.pk), "2026-03-01"), (str(kpi.pk), "2026-03-08"), (str(bare.pk), "")]
    )
    first, second = (r for r in data if r["KPI id"] == str(kpi.pk))
    assert first["Mission"] == "Open two virtual wards"
    assert first["Mission id"] == str(world.staff_mission.pk)
    assert first["KPI"] == "'-1 falls a week"
    assert first["Direction"] == "Increase"
    assert first["Target"] == "5.0000"
    assert first["KPI status"] == "Active"
    assert Decimal(first["Value"]) == Decimal("12.5")
    assert first["Confidence"] == "60"
    assert first["Comment"] == "'" + WORST
    assert first["Author"] == "Sam Okafor"
    assert second["Comment"] == LONG  # whole: unicode, commas, quotes and lines
    assert "Not ours" not in {r["KPI"] for r in data}


def test_kpis_and_check_ins_as_a_workbook(world, client, kpi) -> None:
    KpiFactory(mission=world.other_mission, name="Not ours")
    client.force_login(world.org_admin)
    book = _xlsx(client, "/o/acme/kpis/export.xlsx")
    assert book.sheetnames == ["KPIs", "Check-ins"]
    kpis = _rows(book["KPIs"])
    assert [r[2] for r in kpis[1:]] == [kpi.pk]
    assert kpis[1][3] == "-1 falls a week" and book["KPIs"]["D2"].quotePrefix
    check_ins = _rows(book["Check-ins"])
    assert check_ins[0][:4] == ["KPI id", "KPI", "Check-in id", "Date"]
    assert [r[0] for r in check_ins[1:]] == [kpi.pk, kpi.pk]
    assert check_ins[1][3].date() == dt.date(2026, 3, 1)
    assert check_ins[1][4] == 12.5
    assert check_ins[1][6] == WORST and book["Check-ins"]["G2"].quotePrefix
    assert check_ins[2][6] == LONG
    stored = CheckIn.objects.get(kpi=kpi, recorded_on=dt.date(2026, 3, 1))
    recorded_at = stored.created_at.astimezone(dt.UTC).replace(tzinfo=None)
    assert abs(check_ins[1][8] - recorded_at) < dt.timedelta(seconds=1)


def test_an_empty_organisation_exports_its_headers(world, client) -> None:
    Kpi.objects.all().delete()
    client.force_login(world.staff)
    assert _csv(client, "/o/acme/kpis/export.csv") == [KPI_HEADER]
    book = _xlsx(client, "/o/acme/kpis/export.xlsx")
    assert _rows(book["Check-ins"])[0][0] == "KPI id" and book["Check-ins"].max_row == 1


def test_outsiders_get_nothing(world, client, kpi) -> None:
    for path in ("cascade/export.csv", "cascade/export.xlsx", "kpis/export.csv"):
        assert client.get(f"/o/acme/{path}").status_code == 302  # to the log-in page
        client.force_login(world.outsider)
        assert client.get(f"/o/acme/{path}").status_code == 404
        client.logout()


@pytest.mark.parametrize("n", [3, 300])
@pytest.mark.parametrize(
    "path", ["cascade/export.csv", "cascade/export.xlsx", "kpis/export.csv", "kpis/export.xlsx"]
)
def test_the_same_queries_for_3_or_300_rows(
    world, client, n, path, django_assert_max_num_queries
) -> None:
    missions = Mission.objects.bulk_create(
        MissionFactory.build(parent=world.team_mission, owner_team=world.team) for _ in range(n)
    )
    kpis = Kpi.objects.bulk_create(
        KpiFactory.build(mission=m, organisation=world.organisation) for m in missions
    )
    CheckIn.objects.bulk_create(
        CheckInFactory.build(kpi=k, author=world.staff) for k in kpis for _ in range(2)
    )
    client.force_login(world.lead)
    with django_assert_max_num_queries(12):
        body = _get(client, f"/o/acme/{path}")
    if path.endswith(".csv"):
        assert len(body.decode().splitlines()) > n
    else:
        book = openpyxl.load_workbook(io.BytesIO(body))
        assert book[book.sheetnames[-1]].max_row > n


def test_a_full_sheet_goes_on_in_a_second_one(world) -> None:
    """Excel's rows per sheet are a bound: the rows past it start a sheet of the same name."""
    for _ in range(4):
        MissionFactory(parent=world.team_mission, owner_team=world.team)
    from measures.exports import cascade_sheets

    sheets = cascade_sheets(Mission.objects.filter(organisation=world.organisation))
    data = b"".join(spreadsheets.xlsx_stream(sheets, sheet_rows_limit=4))  # header and 3
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Cascade", "Cascade (2)", "Cascade (3)"]
    counts = [book[name].max_row for name in book.sheetnames]
    assert counts == [4, 4, 2]  # 7 missions, 3 a sheet, each sheet with its header
    assert all(book[name]["A1"].value == "Id" for name in book.sheetnames)
