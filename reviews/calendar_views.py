"""Reviews in calendars: moving or cancelling a review (whoever holds its invitation gets
the new one), and calendar feeds: the page where a person makes, copies and revokes theirs
(``/o/<org>/calendar/``), and the feed itself (``/calendar/<token>.ics``), which calendar
apps read with no session: the token is the credential."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kernel.errors import StateConflict
from kernel.formats import day
from kernel.forms import add_service_errors
from kernel.permissions import Action, can
from kernel.tenancy import tenant_scope
from kernel.types import OrgRequest
from kernel.web import org_view
from missionlead.emails import absolute_url

from . import calendar, selectors, services
from .calendar_feed import (
    AHEAD_DAYS,
    PAST_DAYS,
    calendar_feed_by_token,
    calendar_feed_open,
    feed_actor,
    feed_content,
)
from .forms import ReviewMoveForm
from .models import Review


def _review_to_change(request: OrgRequest, pk: int) -> Review:
    """The review, for someone who may edit its mission: 404 for a review they may not know
    of, 403 for one they may only read."""
    review = selectors.review_of(actor=request.actor, pk=pk)
    if review is None:
        raise Http404("No such review.")
    if not can(request.actor, Action.EDIT, review.mission):
        raise PermissionDenied
    return review


@org_view
@require_http_methods(["GET", "POST"])
def review_move(request: OrgRequest, pk: int) -> HttpResponse:
    """Move a scheduled review to another day, or cancel it (``review_cancel_view``)."""
    review = _review_to_change(request, pk)
    if review.status != Review.Status.SCHEDULED:
        messages.error(request, "This review has already been held or cancelled.")
        return redirect("reviews:detail", org=request.organisation.slug, pk=review.pk)
    form = ReviewMoveForm(request.POST or None, initial={"due_date": review.due_date})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_reschedule(
                review=review, due_date=form.cleaned_data["due_date"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The review is now due on {day(review.due_date)}.")
            return redirect("reviews:detail", org=request.organisation.slug, pk=review.pk)
    context = {"review": review, "mission": review.mission, "form": form}
    status = 400 if form.errors else 200
    return render(request, "reviews/review_move.html", context, status=status)


@require_POST
@org_view
def review_cancel_view(request: OrgRequest, pk: int) -> HttpResponse:
    review = _review_to_change(request, pk)
    try:
        services.review_cancel(review=review, by=request.user)
    except StateConflict as error:
        messages.error(request, error.messages[0])
    else:
        review.mission.refresh_from_db(fields=["next_review_due"])
        next_due = review.mission.next_review_due
        messages.success(
            request,
            "The review is cancelled."
            + (f" The next one is due on {day(next_due)}." if next_due else ""),
        )
    return redirect("reviews:detail", org=request.organisation.slug, pk=review.pk)


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
