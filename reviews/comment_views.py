"""Comments: written on the page of what they are on (a mission and its key tasks, a KPI, a
review), answered, corrected for a while, removed. Thin views over
``reviews.services.comments``; a refused comment comes back on its own small page (400) with
what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kernel.forms import add_service_errors
from kernel.permissions import Action, require
from kernel.types import OrgRequest
from kernel.web import org_view
from measures.models import Kpi
from missions.models import KeyTask, Mission

from .forms import CommentEditForm, CommentForm
from .models import Comment, Review
from .services import comments as service


def _link(comment: Comment) -> str:
    return service.comment_url(
        comment.mission.organisation.slug,
        pk=comment.pk,
        mission_id=comment.mission_id,
        kpi_id=comment.kpi_id,
        review_id=comment.review_id,
    )


def _subject(request: OrgRequest, kind: str, pk: int) -> Any:
    """What the comment is on, of the request's organisation (404 otherwise); on a mission,
    one of its key tasks when the form names one."""
    organisation = request.organisation
    if kind == "kpi":
        return get_object_or_404(
            Kpi.objects.select_related("mission"), pk=pk, organisation=organisation
        )
    if kind == "review":
        return get_object_or_404(
            Review.objects.select_related("mission"), pk=pk, organisation=organisation
        )
    mission = get_object_or_404(Mission, pk=pk, organisation=organisation)
    task = (request.POST.get("key_task") or "").strip()
    if task:
        found = KeyTask.objects.filter(mission=mission, pk=int(task) if task.isdigit() else 0)
        return found.select_related("mission").first() or mission
    return mission


def _post(request: OrgRequest, on: Any, parent: Comment | None = None) -> HttpResponse:
    require(request.actor, Action.COMMENT, on if parent is None else parent)
    form = CommentForm(request.POST, prefix="comment", organisation=request.organisation)
    if form.is_valid():
        try:
            comment = service.comment_post(
                on=on,
                parent=parent,
                body=form.cleaned_data["body"],
                mention=form.cleaned_data["mention"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(_link(comment))
    context = {"form": form, "on": on, "parent": parent, "heading": "Write a comment"}
    return render(request, "reviews/comment_form.html", context, status=400)


@org_view
@require_POST
def comment_on_mission(request: OrgRequest, pk: int) -> HttpResponse:
    return _post(request, _subject(request, "mission", pk))


@org_view
@require_POST
def comment_on_kpi(request: OrgRequest, pk: int) -> HttpResponse:
    return _post(request, _subject(request, "kpi", pk))


@org_view
@require_POST
def comment_on_review(request: OrgRequest, pk: int) -> HttpResponse:
    return _post(request, _subject(request, "review", pk))


def _comment(request: OrgRequest, pk: int) -> Comment:
    comment = (
        Comment.objects.select_related("mission__organisation", "author")
        .filter(pk=pk, organisation=request.organisation)
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    return comment


@org_view
@require_POST
def comment_reply(request: OrgRequest, pk: int) -> HttpResponse:
    parent = _comment(request, pk)
    return _post(request, parent.mission, parent=parent)


@org_view
@require_http_methods(["GET", "POST"])
def comment_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Correct one's comment, for ``Comment.EDIT_MINUTES`` after writing it."""
    comment = _comment(request, pk)
    require(request.actor, Action.EDIT, comment)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                service.comment_edit(
                    comment=comment, body=form.cleaned_data["body"], by=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 409
            else:
                messages.success(request, "Your comment is saved.")
                return redirect(_link(comment))
    context = {
        "form": form,
        "comment": comment,
        "back": _link(comment),
        "heading": "Correct your comment",
    }
    return render(request, "reviews/comment_form.html", context, status=status)


@org_view
@require_POST
def comment_remove(request: OrgRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    require(request.actor, Action.ARCHIVE, comment)
    service.comment_remove(comment=comment, by=request.user)
    messages.success(request, "The comment is removed.")
    return redirect(_link(comment))
