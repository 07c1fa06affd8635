"""The SCIM 2.0 endpoints under ``/scim/v2/``: thin views over ``users`` and ``groups``.

Every request authenticates with an organisation's token (``Authorization: Bearer …``) and
runs in one transaction that row-level security limits to that organisation (as the API's
``TenantScopedAPIMixin`` does for a person): a query that forgot its filter would find no
other organisation's rows. A session cookie opens nothing here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.models import Organisation
from kernel.tenancy import Scope, tenant_scope
from missionlead.api import JSONParser, OrjsonRenderer

from ..models import ScimToken
from . import groups, users
from .protocol import (
    CONTENT_TYPE,
    GROUP,
    MAX_RESULTS,
    RESOURCE_TYPE,
    SCHEMA,
    SERVICE_PROVIDER_CONFIG,
    USER,
    ScimError,
    list_response,
    page_bounds,
    parse_filter,
    patch_operations,
)
from .tokens import scim_token_authenticate


class ScimJSONParser(JSONParser):
    media_type = CONTENT_TYPE


class ScimRenderer(OrjsonRenderer):
    media_type = CONTENT_TYPE
    format = "scim"


class AlwaysScim(BaseContentNegotiation):
    """Identity providers send ``Accept: application/json`` or nothing: the answer is SCIM's
    JSON whatever they ask for, never a 406."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        for parser in parsers:
            if parser.media_type == media_type:
                return parser
        return None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class ScimView(APIView):
    """The token, the tenant scope, SCIM's errors. Kept out of the API's schema: SCIM's own
    discovery endpoints describe it."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []  # an identity provider's sync sends thousands
    parser_classes = [ScimJSONParser, JSONParser]
    renderer_classes = [ScimRenderer]
    content_negotiation_class = AlwaysScim
    schema = None

    token: ScimToken
    organisation: Organisation
    tenant: Scope

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with tenant_scope(deferred=True) as scope:
            self.tenant = scope
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        method = request.method or ""
        if getattr(self, method.lower(), None) is None:  # 405 before 401, as a page answers
            raise exceptions.MethodNotAllowed(method)
        self.token = scim_token_authenticate(request.META.get("HTTP_AUTHORIZATION", ""))
        self.organisation = self.token.organisation
        self.tenant.limit([self.organisation.pk])

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ScimError):
            error = exc
        elif isinstance(exc, ValidationError):
            error = ScimError(400, " ".join(exc.messages), "invalidValue")
        elif isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
            error = ScimError(400, str(exc.detail), "invalidSyntax")
        elif isinstance(exc, exceptions.APIException):
            error = ScimError(exc.status_code, str(exc.detail))
        else:
            raise exc
        # The transaction (``dispatch``) is rolled back: nothing of a refused write stays.
        transaction.set_rollback(True)
        response = Response(error.body(), status=error.status)
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
        return response

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Type"] = CONTENT_TYPE
        return response

    # Locations of resources, absolute as SCIM wants them.
    def user_location(self, user_id: int) -> str:
        return self.request.build_absolute_uri(reverse("scim:user", args=[user_id]))

    def group_location(self, team_id: int) -> str:
        return self.request.build_absolute_uri(reverse("scim:group", args=[team_id]))

    def group_resource(self, team: Any, *, excluded: bool) -> dict[str, Any]:
        return groups.group_resource(
            team,
            location=self.group_location(team.pk),
            members=None if excluded else groups.members_by_team([team])[team.pk],
            user_location=self.user_location,
        )

    def base_location(self) -> str:
        return self.request.build_absolute_uri(reverse("scim:service-provider-config")).rsplit(
            "/", 1
        )[0]


def _comparisons(request: Request) -> list[Any]:
    text = request.query_params.get("filter", "").strip()
    return parse_filter(text) if text else []


# --- Users ----------------------------------------------------------------------------------------


class ScimUsersApi(ScimView):
    def get(self, request: Request) -> Response:
        start, count = page_bounds(request.query_params)
        found = users.scim_users_filtered(
            users.scim_users_of(organisation=self.organisation), _comparisons(request)
        )
        total = found.count()
        page = list(found[start - 1 : start - 1 + count]) if count else []
        resources = [users.user_resource(m, location=self.user_location(m.user_id)) for m in page]
        return Response(list_response(resources, total=total, start=start))

    def post(self, request: Request) -> Response:
        state = users.state_from_resource(request.data)
        membership = users.scim_user_create(
            organisation=self.organisation, state=state, token=self.token
        )
        location = self.user_location(membership.user_id)
        return Response(
            users.user_resource(membership, location=location),
            status=201,
            headers={"Location": location},
        )


class ScimUserApi(ScimView):
    def _member(self, scim_id: str) -> Any:
        return users.scim_user_of(organisation=self.organisation, scim_id=scim_id)

    def _answer(self, membership: Any) -> Response:
        return Response(
            users.user_resource(membership, location=self.user_location(membership.user_id))
        )

    def get(self, request: Request, scim_id: str) -> Response:
        return self._answer(self._member(scim_id))

    def put(self, request: Request, scim_id: str) -> Response:
        membership = self._member(scim_id)
        state = users.state_from_resource(request.data, current=users.state_of(membership))
        return self._answer(self._update(membership, state))

    def patch(self, request: Request, scim_id: str) -> Response:
        membership = self._member(scim_id)
        operations = patch_operations(request.data)
        state = users.state_patched(users.state_of(membership), operations)
        return self._answer(self._update(membership, state))

    def delete(self, request: Request, scim_id: str) -> Response:
        """Deactivates: the membership stays, without access (``users``' docstring)."""
        membership = self._member(scim_id)
        state = users.state_of(membership)
        self._update(membership, users.UserState(**{**state.__dict__, "active": False}))
        return Response(status=204)

    def _update(self, membership: Any, state: users.UserState) -> Any:
        return users.scim_user_update(
            organisation=self.organisation, membership=membership, state=state, token=self.token
        )


# --- Groups ---------------------------------------------------------------------------------------


def _excludes_members(request: Request) -> bool:
    excluded = request.query_params.get("excludedAttributes", "")
    return "members" in {name.strip().lower() for name in excluded.split(",")}


class ScimGroupsApi(ScimView):
    def get(self, request: Request) -> Response:
        start, count = page_bounds(request.query_params)
        found = groups.scim_groups_filtered(
            groups.scim_groups_of(organisation=self.organisation), _comparisons(request)
        )
        total = found.count()
        page = list(found[start - 1 : start - 1 + count]) if count else []
        members = None if _excludes_members(request) else groups.members_by_team(page)
        resources = [
            groups.group_resource(
                team,
                location=self.group_location(team.pk),
                members=None if members is None else members[team.pk],
                user_location=self.user_location,
            )
            for team in page
        ]
        return Response(list_response(resources, total=total, start=start))

    def post(self, request: Request) -> Response:
        state = groups.state_from_resource(request.data)
        team = groups.scim_group_create(
            organisation=self.organisation, state=state, token=self.token
        )
        location = self.group_location(team.pk)
        return Response(
            self.group_resource(team, excluded=False), status=201, headers={"Location": location}
        )


class ScimGroupApi(ScimView):
    def _team(self, scim_id: str) -> Any:
        return groups.scim_group_of(organisation=self.organisation, scim_id=scim_id)

    def get(self, request: Request, scim_id: str) -> Response:
        team = self._team(scim_id)
        return Response(self.group_resource(team, excluded=_excludes_members(request)))

    def put(self, request: Request, scim_id: str) -> Response:
        team = self._team(scim_id)
        state = groups.state_from_resource(request.data)
        team = groups.scim_group_update(
            organisation=self.organisation, team=team, state=state, token=self.token
        )
        return Response(self.group_resource(team, excluded=False))

    def patch(self, request: Request, scim_id: str) -> Response:
        team = self._team(scim_id)
        operations = patch_operations(request.data)
        state = groups.state_patched(groups.state_of(team), operations)
        groups.scim_group_update(
            organisation=self.organisation, team=team, state=state, token=self.token
        )
        return Response(status=204)

    def delete(self, request: Request, scim_id: str) -> Response:
        groups.scim_group_delete(
            organisation=self.organisation, team=self._team(scim_id), token=self.token
        )
        return Response(status=204)


# --- Discovery ------------------------------------------------------------------------------------


class ScimServiceProviderConfigApi(ScimView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "schemas": [SERVICE_PROVIDER_CONFIG],
                "documentationUri": request.build_absolute_uri("/api/docs/"),
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_RESULTS},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "Bearer token",
                        "description": "An organisation's SCIM token, made by an admin on its "
                        "People page.",
                        "primary": True,
                    }
                ],
                "meta": {
                    "resourceType": "ServiceProviderConfig",
                    "location": request.build_absolute_uri(),
                },
            }
        )


def _resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A member of the organisation.",
            "schema": USER,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"},
        },
        {
            "schemas": [RESOURCE_TYPE],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A team of the organisation; a person is in one team at a time.",
            "schema": GROUP,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/Group"},
        },
    ]


def _attribute(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **extra,
    }


def _schemas(base: str) -> list[dict[str, Any]]:
    sub = {"type": "complex"}
    return [
        {
            "schemas": [SCHEMA],
            "id": USER,
            "name": "User",
            "description": "A member of the organisation.",
            "attributes": [
                _attribute("userName", required=True, uniqueness="server"),
                _attribute(
                    "name",
                    **sub,
                    subAttributes=[_attribute("givenName"), _attribute("familyName")],
                ),
                _attribute("displayName", mutability="readOnly"),
                _attribute("title"),
                _attribute("active", "boolean"),
                _attribute(
                    "emails",
                    **sub,
                    multiValued=True,
                    subAttributes=[
                        _attribute("value"),
                        _attribute("type"),
                        _attribute("primary", "boolean"),
                    ],
                ),
                _attribute("externalId", caseExact=True),
                _attribute(
                    "groups",
                    **sub,
                    multiValued=True,
                    mutability="readOnly",
                    subAttributes=[_attribute("value"), _attribute("display")],
                ),
            ],
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{USER}"},
        },
        {
            "schemas": [SCHEMA],
            "id": GROUP,
            "name": "Group",
            "description": "A team of the organisation.",
            "attributes": [
                _attribute("displayName", required=True, uniqueness="server"),
                _attribute("externalId", caseExact=True),
                _attribute(
                    "members",
                    **sub,
                    multiValued=True,
                    subAttributes=[_attribute("value"), _attribute("display")],
                ),
            ],
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{GROUP}"},
        },
    ]


def _one_or_list(items: list[dict[str, Any]], item_id: str | None) -> Response:
    if item_id is None:
        return Response(list_response(items, total=len(items), start=1))
    for item in items:
        if item["id"] == item_id:
            return Response(item)
    raise ScimError(404, f"No “{item_id}” here.")


class ScimResourceTypesApi(ScimView):
    def get(self, request: Request, item_id: str | None = None) -> Response:
        return _one_or_list(_resource_types(self.base_location()), item_id)


class ScimSchemasApi(ScimView):
    def get(self, request: Request, item_id: str | None = None) -> Response:
        return _one_or_list(_schemas(self.base_location()), item_id)
