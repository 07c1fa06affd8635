"""The KPIs with their check-ins as a spreadsheet: CSV (one row per check-in, with its KPI and
mission) or an Excel workbook (a sheet of KPIs, a sheet of check-ins), streamed
(``kernel.spreadsheets``)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from kernel.permissions import Action, require
from kernel.spreadsheets import csv_response, xlsx_response
from kernel.types import OrgRequest
from kernel.web import org_view

from . import exports, selectors


def _filename(request: OrgRequest, extension: str) -> str:
    day = timezone.localdate().isoformat()
    return f"{request.organisation.slug}-kpis-{day}.{extension}"


@require_safe
@org_view
def kpi_export_csv(request: OrgRequest) -> StreamingHttpResponse:
    require(request.actor, Action.VIEW)
    kpis = selectors.kpis_visible_to(actor=request.actor)
    return csv_response(
        _filename(request, "csv"),
        exports.KPI_HEADER,
        exports.KPI_KINDS,
        exports.kpis_with_check_ins(kpis, for_csv=True),
    )


@require_safe
@org_view
def kpi_export_xlsx(request: OrgRequest) -> StreamingHttpResponse:
    require(request.actor, Action.VIEW)
    kpis = selectors.kpis_visible_to(actor=request.actor)
    return xlsx_response(_filename(request, "xlsx"), exports.kpi_sheets(kpis))
