"""The cascade as a spreadsheet: every mission the person may see, depth first, as CSV or as
an Excel workbook, streamed (``kernel.spreadsheets``)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from kernel.permissions import Action, require
from kernel.spreadsheets import csv_response, xlsx_response
from kernel.types import OrgRequest
from kernel.web import org_view
from measures import exports

from .. import selectors


def _filename(request: OrgRequest, extension: str) -> str:
    day = timezone.localdate().isoformat()
    return f"{request.organisation.slug}-cascade-{day}.{extension}"


@require_safe
@org_view
def cascade_export_csv(request: OrgRequest) -> StreamingHttpResponse:
    require(request.actor, Action.VIEW)
    missions = selectors.mission_list_visible_to(actor=request.actor)
    return csv_response(
        _filename(request, "csv"),
        exports.CASCADE_HEADER,
        exports.CASCADE_KINDS,
        exports.cascade_rows(missions, for_csv=True),
    )


@require_safe
@org_view
def cascade_export_xlsx(request: OrgRequest) -> StreamingHttpResponse:
    require(request.actor, Action.VIEW)
    missions = selectors.mission_list_visible_to(actor=request.actor)
    return xlsx_response(_filename(request, "xlsx"), exports.cascade_sheets(missions))
