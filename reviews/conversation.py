"""The conversation of a page: its comments as threads (a comment and its replies, in order),
each marked with what the reader may do to it. One query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kernel.permissions import Action, Actor, can

from .forms import CommentForm
from .models import Comment


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def threads_of(
    *,
    actor: Actor,
    mission: Any = None,
    kpi: Any = None,
    review: Any = None,
    now: dt.datetime | None = None,
) -> list[Thread]:
    """The threads on a KPI, a review, or a mission (its own and its key tasks'), oldest
    first. Each comment carries ``may_edit`` and ``may_remove`` for ``actor``."""
    if kpi is not None:
        rows = Comment.objects.filter(kpi=kpi)
    elif review is not None:
        rows = Comment.objects.filter(review=review)
    else:
        rows = Comment.objects.filter(mission=mission, kpi__isnull=True, review__isnull=True)
    now = now or timezone.now()
    window = dt.timedelta(minutes=Comment.EDIT_MINUTES)
    threads: dict[int, Thread] = {}
    for comment in rows.select_related("author", "key_task").order_by("created_at", "id"):
        live = comment.removed_at is None
        comment.may_edit = (  # type: ignore[attr-defined]  # template flags
            live and now - comment.created_at <= window and can(actor, Action.EDIT, comment)
        )
        comment.may_remove = live and can(actor, Action.ARCHIVE, comment)  # type: ignore[attr-defined]
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    return list(threads.values())


def conversation(*, actor: Actor, action: str, **on: Any) -> dict[str, Any]:
    """The context of the conversation partial for the page of ``on`` (``mission=``,
    ``kpi=`` or ``review=``): its threads, the form of a new comment, where it posts."""
    return {
        "threads": threads_of(actor=actor, **on),
        "conversation_form": CommentForm(prefix="comment", organisation=actor.organisation),
        "comment_action": action,
    }
