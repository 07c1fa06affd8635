"""A mission's version in the API: its ``ETag``, the ``If-Match`` a client sends back, and
the answers when someone changed or decided first (412, 409)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from .. import serializers as s


class PreconditionFailed(APIException):
    """``If-Match`` names another version of the mission than the one stored: someone changed
    it since the client read it; ``detail`` says who and when."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The mission changed since the version that If-Match names."
    default_code = "precondition_failed"


CONFLICT_DETAIL = inline_serializer("ConflictDetail", {"detail": serializers.CharField()})
CONFLICT_RESPONSE = OpenApiResponse(
    CONFLICT_DETAIL,
    description="Someone decided a moment before; ``detail`` says who, what and when.",
)
IF_MATCH = extend_schema(
    parameters=[
        OpenApiParameter(
            "If-Match",
            str,
            OpenApiParameter.HEADER,
            description="Optional: the ``ETag`` of the mission as read (a GET answers it). "
            "The change is made only if nobody changed the mission since; otherwise 412.",
        )
    ],
    responses={
        200: s.MissionSerializer,
        412: OpenApiResponse(
            CONFLICT_DETAIL,
            description="Someone changed the mission since the version that If-Match names; "
            "``detail`` says who and when.",
        ),
    },
)


def with_etag(response: Response) -> Response:
    """A mission's ``ETag`` is its ``updated_at`` as the API writes it: the version a client
    sends back in ``If-Match``."""
    data = response.data if response.status_code < 300 else None
    if isinstance(data, dict) and data.get("updated_at"):
        response["ETag"] = f'"{data["updated_at"]}"'
    return response


def if_match(request: Request) -> dt.datetime | None:
    """The version of the mission that ``If-Match`` names (one ``ETag``), or None without the
    header or with ``*``. A value that names no version cannot match: 412."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    read_at = None
    if len(header) > 2 and header[0] == header[-1] == '"':
        try:
            read_at = dt.datetime.fromisoformat(header[1:-1])
        except ValueError:
            read_at = None
    if read_at is None or read_at.tzinfo is None:
        raise PreconditionFailed("If-Match names no version of this mission: send its ETag.")
    return read_at
