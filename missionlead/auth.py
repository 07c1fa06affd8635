"""Log-in for people and scripts, all under the same limits (``missionlead.throttling``).

- ``/accounts/login/``: Django's ``LoginView``; a throttled attempt answers 429 with the
  form and "Too many attempts…", and the password is not even checked.
- ``/admin/login/``: the admin's own page, under the same limits.
- ``POST /api/v1/auth/token/``: a new API token for a username and password, under the same
  limits (tokens: ``accounts.tokens``).
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import admin
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import views as auth_views
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.sso.services import password_refused_by
from accounts.tokens import api_token_create
from kernel.validators import validate_line

from .serializers import TextField
from .throttling import (
    LoginThrottle,
    login_attempt_begin,
    login_attempt_succeeded,
    login_throttled_message,
    normalised_username,
    submitted_username,
)


class LoginView(auth_views.LoginView):
    """Django's log-in form under the log-in limits."""

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        # The password was right, but the person's organisation has them sign in with its
        # provider (``accounts.sso``): no session, and the way in instead.
        organisation = password_refused_by(form.get_user())
        if organisation is not None:
            form.add_error(None, sso_required_message(organisation))
            return self.render_to_response(self.get_context_data(form=form), status=403)
        return super().form_valid(form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = login_attempt_begin(request, submitted_username(request))
        if wait is None:
            return super().post(request, *args, **kwargs)
        return self.throttled(wait)

    def throttled(self, wait: float) -> HttpResponse:
        """429 with the form again and "Too many attempts…". The form is unbound: a bound one
        would check the password to show its errors, telling a guesser when they are right."""
        form = self.get_form_class()(
            request=self.request, initial={"username": self.request.POST.get("username", "")}
        )
        context = self.get_context_data(form=form, throttled_message=login_throttled_message(wait))
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(math.ceil(wait))
        return response


def sso_required_message(organisation: Any) -> str:
    return (
        f"{organisation.name} signs its members in with its own sign-in service: use "
        "“Sign in with your organisation” instead of your password."
    )


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own log-in page (``/admin/login/``), under the same limits."""
    if request.method == "POST":
        wait = login_attempt_begin(request, submitted_username(request))
        if wait is not None:
            view = LoginView()
            view.setup(request)
            return view.throttled(wait)
    return admin.site.login(request, extra_context)


# Any character but NUL (which DRF refuses in every text field), written as a pattern so the
# schema says so.
_NO_NUL = RegexValidator(r"^[^\x00]*\Z", "Null characters are not allowed.")


class TokenObtainSerializer(serializers.Serializer):
    username = TextField(
        write_only=True,
        max_length=get_user_model()._meta.get_field("username").max_length,
        validators=[validate_line],
    )
    password = TextField(
        write_only=True,
        trim_whitespace=False,
        max_length=4096,  # hashing an unbounded text on every attempt is work for an attacker
        validators=[_NO_NUL],
        style={"input_type": "password"},
    )
    name = TextField(
        write_only=True,
        required=False,
        max_length=ApiToken._meta.get_field("name").max_length,
        validators=[validate_line],
        help_text="What the token is for, to tell it apart in your list of tokens. Default: "
        "the client's User-Agent.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Normalised as the log-in form does (NFKC): both agree on who a spelling is.
        user = authenticate(
            request=self.context.get("request"),
            username=normalised_username(attrs["username"]),
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                "Unable to log in with provided credentials.", code="authorization"
            )
        organisation = password_refused_by(user)
        if organisation is not None:
            raise serializers.ValidationError(
                sso_required_message(organisation), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = TextField(
        help_text="Send it as `Authorization: Token <token>`. Shown this once: only a hash of "
        "it is kept."
    )
    id = serializers.IntegerField(
        help_text="To revoke it: `POST /api/v1/auth/tokens/<id>/revoke/`."
    )
    name = TextField()
    expires_at = serializers.DateTimeField(help_text="When it stops working.")


class ObtainTokenView(APIView):
    """``POST {"username", "password"}`` → ``{"token", "expires_at", …}``; under the log-in
    limits. Each call makes a new token (a person may hold several)."""

    permission_classes = ()
    throttle_classes = (LoginThrottle,)

    @extend_schema(
        request=TokenObtainSerializer,
        responses={200: TokenSerializer},
        examples=[
            OpenApiExample(
                "Log in",
                request_only=True,
                value={"username": "lead", "password": "mission-demo", "name": "CI pipeline"},
            )
        ],
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Exchange a username and password for a new API token."""
        serializer = TokenObtainSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        login_attempt_succeeded(request, user)
        name = serializer.validated_data.get("name") or request.headers.get("User-Agent", "")
        token, key = api_token_create(user=user, name=name)
        answer = {"token": key, "id": token.pk, "name": token.name, "expires_at": token.expires_at}
        return Response(TokenSerializer(answer).data)
