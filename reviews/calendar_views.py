"""Calendar feeds: the page where a person makes, copies and revokes theirs
(``/o/<org>/calendar/``), and the feed itself (``/calendar/<token>.ics``), which calendar
apps read with no session: the token is the credential."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kernel.tenancy import tenant_scope
from kernel.types import OrgRequest
from kernel.web import org_view
from missionlead.emails import absolute_url

from . import calendar, services
from .calendar_feed import (
    AHEAD_DAYS,
    PAST_DAYS,
    calendar_feed_by_token,
    calendar_feed_open,
    feed_actor,
    feed_content,
)


@org_view
@require_http_methods(["GET", "POST"])
def calendar_settings(request: OrgRequest) -> HttpResponse:
    """The person's feed: whether they have one; POST makes one (a new address: the old one
    stops working) and shows its address, this once."""
    new_url = None
    if request.method == "POST":
        _, token = services.calendar_feed_create(actor=request.actor)
        new_url = absolute_url(reverse("calendar:feed", kwargs={"token": token}))
    context = {
        "feed": calendar_feed_open(actor=request.actor),
        "new_url": new_url,
        "past_days": PAST_DAYS,
        "ahead_days": AHEAD_DAYS,
    }
    return render(request, "reviews/calendar.html", context)


@require_POST
@org_view
def calendar_revoke(request: OrgRequest) -> HttpResponse:
    if services.calendar_feed_revoke(actor=request.actor) is not None:
        messages.success(request, "Your calendar feed is revoked: its address no longer works.")
    return redirect("reviews:calendar", org=request.organisation.slug)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed's calendar; 404 for a revoked or unknown token, and for a person no longer a
    member of the feed's organisation."""
    feed = calendar_feed_by_token(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    # What it reads runs limited to the feed's organisation (row-level security).
    with tenant_scope([feed.organisation_id]):
        actor = feed_actor(feed)
        if actor is None:
            raise Http404("No such calendar feed.")
        content = feed_content(actor=actor)
    body = calendar.feed_calendar(
        name=f"{feed.organisation.name}: reviews and check-ins",
        reviews=content.reviews,
        check_ins=content.check_ins,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
