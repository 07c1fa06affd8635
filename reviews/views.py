"""The review pages: the reviews a person holds or oversees, and one review with its agenda."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from kernel.formats import day
from kernel.forms import add_service_errors, save_versioned
from kernel.permissions import Action, can, require
from kernel.replica import reads_from_replica
from kernel.types import OrgRequest
from kernel.web import org_view
from leadership.selectors import open_challenges_for_review

from . import search as finder
from . import selectors, services
from .brief import brief_to_show
from .conversation import conversation
from .forms import ReviewCorrectionForm, ReviewForm, SearchForm
from .models import Review

if TYPE_CHECKING:
    from django.db.models import QuerySet

PAGE_SIZE = 25


def counted_paginator(reviews: QuerySet[Review], count: int) -> Paginator[Review]:
    """A paginator of reviews told its count, read already (with the other list's, in the
    same query), instead of a COUNT of its own."""
    paginator = Paginator(reviews, PAGE_SIZE)
    paginator.__dict__["count"] = count  # ``Paginator.count`` is a cached property
    return paginator


@org_view
@require_http_methods(["GET", "POST"])
def review_correct(request: OrgRequest, pk: int) -> HttpResponse:
    """Correct what a held review says (``review_correct``): who may edit the mission. A save
    made on an older version than the one stored comes back (409) with the user's values."""
    actor = request.actor
    review = selectors.review_of(actor=actor, pk=pk)
    if review is None:
        raise Http404("No such review.")
    require(actor, Action.EDIT, review.mission)
    if review.status != Review.Status.DONE:
        messages.error(request, "Only a held review can be corrected.")
        return redirect("reviews:detail", org=actor.organisation.slug, pk=review.pk)
    form = ReviewCorrectionForm(request.POST or None, instance=review)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_versioned(
            form, partial(services.review_correct, review=review, by=request.user)
        )
        if saved:
            messages.success(request, "The review is corrected.")
            return redirect("reviews:detail", org=actor.organisation.slug, pk=review.pk)
    status = 409 if conflict else 400 if form.errors else 200
    context = {"review": review, "mission": review.mission, "form": form, "conflict": conflict}
    return render(request, "reviews/review_correct.html", context, status=status)


@org_view
@require_safe
def review_list(request: OrgRequest) -> HttpResponse:
    """Reviews to hold (overdue first) and held, of the user's missions and those under them."""
    actor = request.actor
    lists = selectors.review_lists(actor=actor)  # both counted in one query
    to_hold = counted_paginator(lists.to_hold, lists.to_hold_count)
    held = counted_paginator(lists.held, lists.held_count)
    due_page = to_hold.get_page(request.GET.get("due_page"))
    for review in due_page:
        review.is_mine = actor.owns(review.mission)  # type: ignore[attr-defined]  # template flag
    context = {
        "to_hold": due_page,
        "held": held.get_page(request.GET.get("done_page")),
        "today": timezone.localdate(),
    }
    return render(request, "reviews/review_list.html", context)


@org_view
@require_http_methods(["GET", "POST"])
def review_detail(request: OrgRequest, pk: int) -> HttpResponse:
    """One review: the agenda and the form for who may edit the mission, else read-only."""
    actor = request.actor
    review = selectors.review_of(actor=actor, pk=pk)
    if review is None:
        raise Http404("No such review.")
    require(actor, Action.VIEW, review)
    may_edit = can(actor, Action.EDIT, review.mission)
    open_for_edit = may_edit and review.status == Review.Status.SCHEDULED
    form = ReviewForm(request.POST or None) if open_for_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form is None:
            messages.error(request, "This review has already been held or cancelled.")
            return redirect("reviews:detail", org=actor.organisation.slug, pk=review.pk)
        if form.is_valid():
            try:
                services.review_complete(review=review, data=form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_complete(request, review, form.cleaned_data["still_aligned"])
    context: dict[str, Any] = {
        "review": review,
        "mission": review.mission,
        "form": form,
        "may_edit": may_edit,
        # Who corrected it last, and when (a held review's notes corrected since).
        "correction": selectors.review_correction(review=review)
        if review.status == Review.Status.DONE
        else None,
        "agenda": selectors.review_agenda(review=review)
        if review.status == Review.Status.SCHEDULED
        else None,
        "today": timezone.localdate(),
        # "Be brave": the challenges to priorities this review should settle.
        "challenges": list(open_challenges_for_review(mission=review.mission)),
        **conversation(
            actor=actor,
            action=reverse(
                "reviews:comment-review", kwargs={"org": actor.organisation.slug, "pk": review.pk}
            ),
            review=review,
        ),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "reviews/review_detail.html", context, status=status)


@org_view
@require_safe
@reads_from_replica
def brief(request: OrgRequest) -> HttpResponse:
    """The signed-in person's weekly brief of their part of the cascade, every sentence linked
    to its evidence: prepared overnight for the leaders of large parts, unless ``?live=1``."""
    require(request.actor, Action.VIEW_BRIEF)
    brief = brief_to_show(request.actor, live=request.GET.get("live") == "1")
    return render(request, "reviews/brief.html", {"brief": brief})


def _after_complete(request: OrgRequest, review: Review, still_aligned: bool) -> HttpResponse:
    mission = review.mission
    mission.refresh_from_db(fields=["next_review_due", "alignment_status"])
    text = "The review is recorded."
    if mission.next_review_due is not None:  # set by the review just recorded
        text += f" The next one is due on {day(mission.next_review_due)}."
    if not still_aligned and mission.parent_id is not None:
        text += " The mission goes back to its boss for alignment."
    messages.success(request, text)
    return redirect("reviews:detail", org=mission.organisation.slug, pk=review.pk)


@org_view
@require_safe
def search(request: OrgRequest) -> HttpResponse:
    """One search box over the organisation's missions, KPIs, key tasks, teams and people,
    the matches grouped by kind (``reviews.search``)."""
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = finder.search(organisation=request.organisation, text=form.cleaned_data["q"])
    status = 400 if form.errors else 200
    return render(request, "reviews/search.html", {"form": form, "results": results}, status=status)
