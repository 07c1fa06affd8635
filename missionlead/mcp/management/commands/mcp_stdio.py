"""``manage.py mcp_stdio --token <token>``: the MCP server over standard input and output, for
a desktop assistant that starts it as a subprocess (docs/mcp.md). The token is an API token of
the person the assistant acts for (``--token``, else ``MISSIONLEAD_TOKEN``); it is checked at
start and again on every call, so revoking it stops the assistant at once."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.exceptions import AuthenticationFailed

from kernel.types import User

from ... import tools
from ...server import caller, server
from ...views import authenticate

TOKEN_VARIABLE = "MISSIONLEAD_TOKEN"


class Command(BaseCommand):
    help = "Serve the MCP tools over stdio, as the person whose API token is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--token",
            default="",
            help=f"An API token of the person to act for (default: ${TOKEN_VARIABLE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = (options["token"] or os.environ.get(TOKEN_VARIABLE, "")).strip()
        if not key:
            raise CommandError(f"Give an API token: --token <token> or ${TOKEN_VARIABLE}.")

        def who() -> User:
            try:
                return authenticate(f"Token {key}")
            except AuthenticationFailed as error:
                raise tools.Refused(
                    "Your API token no longer works (revoked or expired): make a new one."
                ) from error

        try:
            who()
        except tools.Refused as refusal:
            raise CommandError(str(refusal)) from refusal
        with caller(who, long_lived=True):
            server.run("stdio")
