"""Dates and times in the person's own time zone, else their organisation's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from missionlead.timezones import activate

SESSION_KEY = "time_zone"


def remember_time_zone(request: HttpRequest, name: str) -> None:
    """Keep the person's choice in their session: read on every request without a query."""
    request.session[SESSION_KEY] = name
    activate(name)


class TimezoneMiddleware:
    """The person's time zone from their session; ``org_view`` falls back to the
    organisation's when they have not chosen one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_KEY, "") if session is not None else ""
        # Read by ``kernel.web.org_view``: has the person chosen a time zone of their own?
        request.time_zone_chosen = activate(chosen)  # type: ignore[attr-defined]  # our own attr
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


@receiver(user_logged_in)
def _time_zone_at_log_in(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    from .models import Profile

    chosen = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    request.session[SESSION_KEY] = chosen or ""
