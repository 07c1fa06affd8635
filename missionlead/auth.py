"""Log-in for people and scripts, both rate-limited (``missionlead.throttling``).

- ``/accounts/login/``: Django's ``LoginView``; a throttled attempt answers 429 with the
  form and "Too many attempts…", and the password is not even checked.
- ``POST /api/v1/auth/token/``: DRF's token view with the same per-IP and per-username limits.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from .throttling import LOGIN_THROTTLED_MESSAGE, LOGIN_THROTTLES, login_wait


class LoginView(auth_views.LoginView):
    """Django's log-in form with per-IP and per-username rate limits on POST."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = login_wait(request, self)
        if wait is None:
            return super().post(request, *args, **kwargs)
        return self.throttled(wait)

    def throttled(self, wait: float) -> HttpResponse:
        """429 with the form again and "Too many attempts…". The form is unbound: a bound one
        would check the password to show its errors, telling a guesser when they are right."""
        form = self.get_form_class()(
            request=self.request, initial={"username": self.request.POST.get("username", "")}
        )
        context = self.get_context_data(form=form, throttled_message=LOGIN_THROTTLED_MESSAGE)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(math.ceil(wait))
        return response


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own log-in page (``/admin/login/``), under the same rate limits."""
    if request.method == "POST":
        wait = login_wait(request)
        if wait is not None:
            view = LoginView()
            view.setup(request)
            return view.throttled(wait)
    return admin.site.login(request, extra_context)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class ObtainTokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` → ``{"token"}``; rate-limited like the log-in form."""

    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: TokenSerializer},
        examples=[
            OpenApiExample(
                "Log in",
                request_only=True,
                value={"username": "lead", "password": "mission-demo"},
            )
        ],
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Exchange a username and password for the caller's API token."""
        return super().post(request, *args, **kwargs)
