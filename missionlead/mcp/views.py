"""``/mcp/``: the MCP server over streamable HTTP, served by Django itself (WSGI, gunicorn).

The SDK's transport is an ASGI application. In its stateless JSON mode a request is one
POST answered by one JSON body, so a plain Django view can serve it: the view authenticates
the API token, builds the ASGI request from the Django one, runs the SDK's handler to the end
in an event loop of its own (``async_to_sync``) and answers with what it sent. The tools come
back to this thread to read (``server.call``): the request's database connection, as every
page has. No second server, port or process to deploy, and the route sits in the URL
configuration with the others (its row in the security matrix).

Token only: no session, no CSRF (a browser's cookies open nothing here), ``Authorization:
Bearer <token>`` or ``Token <token>``, checked by the API's own ``TokenAuthentication`` (an
unknown, expired or revoked token, or an inactive person: 401).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from rest_framework.exceptions import AuthenticationFailed

from accounts.tokens import TokenAuthentication
from kernel.types import User
from missionlead.throttling import ApiUserThrottle

from .server import caller, server

SCHEMES = ("bearer", "token")
# The largest request body read: a tool call is a few hundred bytes.
MAX_BODY = 1_000_000


def _unauthorised(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="mcp"'
    return response


def authenticate(header: str) -> User:
    """The person whose API token the ``Authorization`` header carries; ``AuthenticationFailed``
    for a missing, malformed, unknown, expired or revoked one (the API's own check)."""
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() not in SCHEMES or not key or " " in key:
        raise AuthenticationFailed("Send your API token: Authorization: Bearer <token>.")
    user, _token = TokenAuthentication().authenticate_credentials(key)
    if not isinstance(user, User):
        raise AuthenticationFailed("Invalid token.")
    return user


def _scope(request: HttpRequest) -> dict[str, Any]:
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers.items()
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "server": (request.get_host(), int(request.get_port())),
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
    }


async def _serve(scope: dict[str, Any], body: bytes) -> tuple[int, list[Any], bytes]:
    """The SDK's stateless handler, run for one request: its status, headers and body."""
    sent: dict[str, Any] = {"status": 500, "headers": [], "body": b""}
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"], sent["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    # A manager per request: stateless, it keeps nothing between requests, and its task group
    # lives in this request's event loop.
    manager = StreamableHTTPSessionManager(
        app=server._mcp_server,  # the FastMCP's low-level server: what its own app serves
        json_response=True,
        stateless=True,
        max_request_body_size=MAX_BODY,
    )
    async with manager.run():
        await manager.handle_request(scope, receive, send)  # type: ignore[arg-type]
    return sent["status"], sent["headers"], sent["body"]


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    """One MCP message (a JSON-RPC request or notification), as the token's owner."""
    if request.method != "POST":
        # Stateless: no stream to open with GET, no session to end with DELETE.
        response = HttpResponse(status=405)
        response["Allow"] = "POST"
        return response
    try:
        user = authenticate(request.headers.get("Authorization", ""))
    except AuthenticationFailed as error:
        return _unauthorised(str(error.detail))
    # The API's limit per person (``THROTTLE_USER``), one count for both: an assistant in a
    # loop is a script like any other.
    request.user = user
    throttle = ApiUserThrottle()
    if not throttle.allow_request(request, None):  # type: ignore[arg-type]
        wait = throttle.wait()
        response = JsonResponse({"error": "Too many requests: try again later."}, status=429)
        if wait is not None:
            response["Retry-After"] = str(int(wait) + 1)
        return response
    with caller(lambda: user):
        status, headers, body = async_to_sync(_serve)(_scope(request), request.body)
    response = HttpResponse(body, status=status)
    for name, value in headers:
        if name.lower() in (b"content-type", b"mcp-session-id", b"mcp-protocol-version"):
            response[name.decode("latin-1")] = value.decode("latin-1")
    return response
