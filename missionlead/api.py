"""What every API view shares: one exception handler (model and service ``ValidationError``
become a 400), the ``?ordering=`` filter, and the JSON parser and renderer.

The parser is the API's front door for untrusted bodies: it refuses a body larger than
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413; Django checks that setting for forms, not for the stream
DRF reads), and JSON nested deeper than ``MAX_JSON_DEPTH`` (400; Python's own parser raises
``RecursionError``, a 500, at about a thousand levels).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from rest_framework import exceptions, filters, parsers, renderers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Someone changed this a moment ago."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """A service's ``ValidationError`` is a 400 with field errors; its ``StateConflict`` (the
    object's state refuses the action: an alignment decided, a review held, a newer version) a
    409."""
    from kernel.errors import StateConflict  # the API layer sits above the services

    if isinstance(exc, StateConflict):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    return drf_exception_handler(exc, context)


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=name,-id``; a view's ``ordering_aliases`` sort a field by another expression
    of its queryset (``severity`` by its rank, so that critical comes first)."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        aliases: dict[str, str] = getattr(view, "ordering_aliases", {})
        if not ordering or not aliases:
            return ordering
        return [
            ("-" if term.startswith("-") else "") + aliases.get(term.lstrip("-"), term.lstrip("-"))
            for term in ordering
        ]


# The deepest body the API takes is four levels (a mission's decision rights: a list in an
# object in an object in the body); a SCIM PatchOp goes six. Sixteen leave room; about a
# thousand crash Python's own parser.
MAX_JSON_DEPTH = 16


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """JSON bodies read by orjson (UTF-8 only; a lone surrogate, NaN or an infinite number is
    a parse error), no larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` and no deeper than
    ``MAX_JSON_DEPTH``."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit:,} bytes.")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(
                f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels."
            )
        return data


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(data: Any) -> Any:
    """``data`` with lone surrogates (which UTF-8 cannot encode) replaced by U+FFFD: an error
    message that echoes what the caller sent must still be a JSON document."""
    if isinstance(data, str):
        return _SURROGATE.sub("\ufffd", data)
    if isinstance(data, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_without_surrogates(item) for item in data]
    return data


def _json_fallback(value: Any) -> Any:
    """What orjson does not know itself: decimals and lazy strings as DRF renders them."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    return DRFJSONEncoder().default(value)


class OrjsonRenderer(renderers.JSONRenderer):
    """The API's JSON, written by orjson: the same documents as DRF's renderer, several times
    faster on large ones (a 10,000-mission subtree spent most of its time in ``json.dumps``)."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        # UTC as "Z", as DRF's own date-time fields write it.
        option = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            option |= orjson.OPT_INDENT_2
        try:
            return orjson.dumps(data, default=_json_fallback, option=option)
        except orjson.JSONEncodeError:
            # Almost always a lone surrogate echoed in an error ("… is not a valid choice").
            # ErrorDetail strings become plain ones here; their text is what is rendered.
            return orjson.dumps(_without_surrogates(data), default=_json_fallback, option=option)


# Answers any operation may give besides its own: the API's shared error shapes, documented once
# for every operation instead of on each view.
_ERROR = {"$ref": "#/components/schemas/Error"}
_FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}
_COMMON_ERRORS = {
    "401": ("No credentials, or a token that is unknown, expired or revoked.", _ERROR),
    "403": ("The caller may not do this to this object.", _ERROR),
    "404": ("No such object among the caller's organisations.", _ERROR),
    "414": ("The request's address is too long.", None),
    "429": ("Too many requests: wait the seconds in Retry-After.", _ERROR),
}
_WRITE_ERRORS = {
    "400": ("Bad input: the fields and what is wrong with each.", _FIELD_ERRORS),
    "409": ("The object's state refuses this now (already decided, held or changed).", _ERROR),
    "413": ("The body is larger than the server reads.", _ERROR),
}
_READ_ERRORS = {"400": ("A filter, ordering or page parameter is not valid.", _FIELD_ERRORS)}


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """A drf-spectacular post-processing hook: every operation documents the error answers
    the API's shared machinery gives (authentication, permissions, tenancy, throttling, bad
    input), with their shapes."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
    )
    schemas.setdefault(
        "FieldErrors",
        {
            "type": "object",
            "description": "Each field with its messages; `non_field_errors` for the whole.",
            "additionalProperties": {},
        },
    )
    _blank_or_valid(schemas)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            extra = {**_COMMON_ERRORS, **(_READ_ERRORS if method == "get" else _WRITE_ERRORS)}
            if method == "delete":
                extra.pop("413", None)
            _allow_empty_query_values(operation)
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in extra.items():
                if code in responses:
                    continue
                answer: dict[str, Any] = {"description": description}
                if schema is not None:
                    answer["content"] = {"application/json": {"schema": schema}}
                responses[code] = answer
    return result


_BLANK = {"type": "string", "maxLength": 0}


def _blank_or_valid(node: Any) -> None:
    """drf-spectacular writes a text field that may be blank and has a pattern as ``oneOf:
    [the field, blank]``; when the pattern also accepts "" (ours do), "" matches both and
    ``oneOf`` refuses it. ``anyOf`` says what is meant."""
    if isinstance(node, dict):
        options = node.get("oneOf")
        if isinstance(options, list) and len(options) == 2 and options[1] == _BLANK:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _blank_or_valid(value)
    elif isinstance(node, list):
        for value in node:
            _blank_or_valid(value)


def _allow_empty_query_values(operation: dict[str, Any]) -> None:
    """An optional query parameter sent empty (``?updated_since=``) is one left out, as in any
    Django form: the browsable API's filter form sends every field, filled or not. The schema
    says so (``allowEmptyValue``), so that a client or a fuzzer knows that ``""`` is accepted."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and not parameter.get("required"):
            parameter["allowEmptyValue"] = True


def not_found(request: Any, exception: Exception) -> Any:
    """``handler404``: an address under ``/api/`` that matches no route (an id that is not a
    number, say) answers in the API's own shape; pages keep the site's 404 page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
