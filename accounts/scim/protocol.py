"""The parts of SCIM 2.0 (RFC 7643, RFC 7644) that hold no rule of ours: errors, filters,
attribute paths, PATCH operations as Okta and Microsoft Entra ID send them, list responses.

Entra ID departs from the RFC in ways its own documentation lists (Develop a SCIM endpoint;
Known issues): capitalised operations (``"Replace"``), booleans as strings (``"False"``),
and member removals with a ``value`` list instead of a filtered path. ``patch_operations``
reads both dialects into one shape, so the resources apply each operation the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

CONTENT_TYPE = "application/scim+json"
# A page of a list: as many as asked for, up to this (``ServiceProviderConfig`` says so).
MAX_RESULTS = 200


class ScimError(Exception):
    """An answer in SCIM's error shape: ``status``, ``scimType`` (for a 400 or 409) and a
    ``detail`` meant for the operator reading the identity provider's log."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR], "status": str(self.status)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        body["detail"] = self.detail
        return body


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


# --- Filters ----------------------------------------------------------------------------------
# What identity providers send: ``userName eq "alice@example.com"`` (Okta, Entra),
# ``externalId eq "…"``, ``displayName eq "Sales"``, and Entra's membership check
# ``id eq "7" and members[value eq "12"]``. Equality joined by ``and``; nothing more.

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<open>\[) | (?P<close>\])
      | (?P<word>[A-Za-z0-9_:.$\-]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Comparison:
    """``attribute eq value``; ``attribute`` as written, lower-cased (SCIM attribute names are
    case-insensitive)."""

    attribute: str
    value: Any


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ScimError(
                400, f"The filter cannot be read at “{text[position:]}”.", "invalidFilter"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _literal(kind: str, text: str) -> Any:
    if kind == "string":
        import json

        return json.loads(text)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if re.fullmatch(r"-?\d+", text):
        return text  # ids compared as text: ours are numbers written as strings
    raise ScimError(400, f"“{text}” is not a value a filter can compare.", "invalidFilter")


def parse_filter(text: str) -> list[Comparison]:
    """``a eq "x" and b[c eq "y"]`` as comparisons that must all hold (``b[c eq "y"]`` is
    ``b.c eq "y"``); any other operator or ``or`` is refused as ``invalidFilter``."""
    tokens = _tokens(text)
    comparisons: list[Comparison] = []
    index = 0

    def expect_word() -> str:
        nonlocal index
        if index >= len(tokens) or tokens[index][0] != "word":
            raise ScimError(400, "The filter is incomplete.", "invalidFilter")
        index += 1
        return tokens[index - 1][1]

    while True:
        attribute = expect_word().lower()
        if index < len(tokens) and tokens[index][0] == "open":
            index += 1
            sub = expect_word().lower()
            operator = expect_word().lower()
            if operator != "eq" or index >= len(tokens):
                raise ScimError(400, "Only “eq” is supported in a filter.", "invalidFilter")
            kind, text_value = tokens[index]
            index += 1
            if index >= len(tokens) or tokens[index][0] != "close":
                raise ScimError(400, "A “[” of the filter is not closed.", "invalidFilter")
            index += 1
            comparisons.append(Comparison(f"{attribute}.{sub}", _literal(kind, text_value)))
        else:
            operator = expect_word().lower()
            if operator != "eq" or index >= len(tokens):
                raise ScimError(400, "Only “eq” is supported in a filter.", "invalidFilter")
            kind, text_value = tokens[index]
            index += 1
            comparisons.append(Comparison(attribute, _literal(kind, text_value)))
        if index == len(tokens):
            return comparisons
        if expect_word().lower() != "and":
            raise ScimError(400, "Filters can be joined by “and” only.", "invalidFilter")


# --- Attribute paths and PATCH ---------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """A PATCH path: ``attribute`` (lower-cased, without a schema prefix), an optional
    ``value filter`` in brackets (``emails[type eq "work"]``, ``members[value eq "12"]``) and
    an optional sub-attribute (``name.givenName`` → ``givenname``)."""

    attribute: str
    filter: Comparison | None = None
    sub: str | None = None


_PATH = re.compile(
    r"^(?P<attribute>[A-Za-z][\w$-]*)(?:\[(?P<filter>.*)\])?(?:\.(?P<sub>[A-Za-z][\w$-]*))?$"
)
_SCHEMA_PREFIX = re.compile(r"^urn:[^\[\]]*:", re.IGNORECASE)


def parse_path(text: str) -> Path:
    # An attribute of the core schema may be written with it (``urn:…:core:2.0:User:active``);
    # an extension's keeps its schema in the name, so that it is not mistaken for a core one.
    if text.lower().startswith(ENTERPRISE_USER.lower() + ":"):
        return Path(attribute="enterprise:" + text[len(ENTERPRISE_USER) + 1 :].lower())
    bare = _SCHEMA_PREFIX.sub("", text.strip()) if text.lower().startswith("urn:") else text
    match = _PATH.match(bare.strip())
    if match is None:
        raise ScimError(400, f"“{text}” is not an attribute path.", "invalidPath")
    comparison = None
    if match.group("filter") is not None:
        comparisons = parse_filter(match.group("filter"))
        if len(comparisons) != 1:
            raise ScimError(400, f"“{text}” filters on more than one thing.", "invalidPath")
        comparison = comparisons[0]
    sub = match.group("sub")
    return Path(match.group("attribute").lower(), comparison, sub.lower() if sub else None)


@dataclass(frozen=True)
class Operation:
    """One PATCH operation: ``op`` lower-cased (add, replace, remove), its path (None: the
    value names the attributes) and its value."""

    op: str
    path: Path | None
    value: Any


def patch_operations(body: Any) -> list[Operation]:
    """The operations of a PatchOp body, in order, both dialects; ``invalidSyntax`` when the
    body is not one."""
    if not isinstance(body, dict):
        raise ScimError(400, "The body is not a PatchOp.", "invalidSyntax")
    raw = next((v for k, v in body.items() if k.lower() == "operations"), None)
    if not isinstance(raw, list) or not raw:
        raise ScimError(400, "A PatchOp needs a list of Operations.", "invalidSyntax")
    operations = []
    for item in raw:
        if not isinstance(item, dict):
            raise ScimError(400, "Each operation is an object.", "invalidSyntax")
        fields = {k.lower(): v for k, v in item.items()}
        op = fields.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise ScimError(
                400, f"“{op}” is not an operation: add, replace or remove.", "invalidSyntax"
            )
        path = fields.get("path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, "A path is a string.", "invalidPath")
        if path is None and op.lower() != "remove" and not isinstance(fields.get("value"), dict):
            raise ScimError(
                400, "An operation without a path needs an object value.", "invalidValue"
            )
        if path is None and op.lower() == "remove":
            raise ScimError(400, "A remove operation needs a path.", "noTarget")
        operations.append(
            Operation(op.lower(), parse_path(path) if path else None, fields.get("value"))
        )
    return operations


def as_bool(value: Any, name: str) -> bool:
    """A boolean, or Entra's string for one (``"False"``, ``"true"``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid_value(f"“{name}” is true or false.")


def as_text(value: Any, name: str, *, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(f"“{name}” is a string.")
    value = value.strip()
    if len(value) > max_length:
        raise invalid_value(f"“{name}” is at most {max_length} characters.")
    return value


def lowered_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Attribute names are case-insensitive (RFC 7643, 2.1)."""
    return {key.lower(): value for key, value in data.items()}


# --- Lists ------------------------------------------------------------------------------------


def page_bounds(params: Any) -> tuple[int, int]:
    """``startIndex`` (1-based, at least 1) and ``count`` (0 to ``MAX_RESULTS``, 100 when not
    given) of a list request; a value that is not a number is a 400."""

    def number(name: str, default: int) -> int:
        text = params.get(name)
        if text in (None, ""):
            return default
        try:
            return int(text)
        except ValueError:
            raise invalid_value(f"“{name}” is a whole number.") from None

    start = max(number("startIndex", 1), 1)
    count = min(max(number("count", 100), 0), MAX_RESULTS)
    return start, count


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "itemsPerPage": len(resources),
        "startIndex": start,
        "Resources": resources,
    }
