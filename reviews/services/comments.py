"""The conversation on the work: comments on a mission or on one of its KPIs, key tasks or
reviews, their replies, corrections and removal, and the members they mention.

A mention is an inbox item of the person mentioned (cause ``mention:<id>``), emailed at once
or not as their preferences say; it is done once they answer in the comment's thread, or when
the comment is removed. ``reviews.inbox`` asks for the same items from the stored mentions,
so the inbox converges whatever happened in between.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kernel.audit import audit_record
from kernel.errors import StateConflict
from kernel.history import person_name
from kernel.models import AuditEvent, Membership, Notification
from kernel.notifications import cause_of, notifications_done, notify

from ..models import Comment, Mention

if TYPE_CHECKING:
    from kernel.types import User

# "@" then a username (Django's characters), not inside an email address ("a@b.org").
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]*[\w+-])")


def mentioned_usernames(body: str) -> list[str]:
    return list(dict.fromkeys(MENTION.findall(body)))


def mention_message(author: str, mission_title: str, body: str) -> str:
    text = " ".join(body.split())
    quoted = f"{text[:117]}…" if len(text) > 120 else text
    return f"{author} mentioned you on “{mission_title}”: “{quoted}”"


def comment_url(
    slug: str, *, pk: int, mission_id: int, kpi_id: int | None, review_id: int | None
) -> str:
    """Where a comment is read: the page of what it is on, at the comment."""
    if kpi_id is not None:
        page = reverse("measures:kpi", kwargs={"org": slug, "pk": kpi_id})
    elif review_id is not None:
        page = reverse("reviews:detail", kwargs={"org": slug, "pk": review_id})
    else:
        page = reverse("missions:detail", kwargs={"org": slug, "pk": mission_id})
    return f"{page}#comment-{pk}"


@transaction.atomic
def comment_post(
    *,
    on: Any,
    body: str,
    by: User,
    parent: Comment | None = None,
    mention: Any = None,
) -> Comment:
    """Write a comment on ``on`` (a mission, KPI, key task or review), or a reply to
    ``parent`` (then on what it is on). ``mention``: a member picked beside the text, told as
    the ``@username``s in it are. Answering in a thread completes the author's mentions in it."""
    if parent is not None:
        parent = parent.parent or parent  # threads are one level deep
        if parent.removed_at is not None:
            raise StateConflict("This comment was removed: it takes no more replies.")
    comment = Comment(author=by, body=body.strip(), parent=parent, **_subject(on, parent))
    comment.organisation_id = comment.mission.organisation_id
    comment.full_clean()
    comment.save()
    _tell_mentioned(comment, by=by, extra=mention)
    thread = parent or comment
    asked = Mention.objects.filter(person=by).filter(
        comment__in=[thread.pk, *thread.replies.values_list("pk", flat=True)]
    )
    notifications_done(
        causes=[cause_of("mention", pk) for pk in asked.values_list("pk", flat=True)], by=by
    )
    _record(comment, AuditEvent.Verb.CREATED, by=by)
    return comment


@transaction.atomic
def comment_edit(
    *, comment: Comment, body: str, by: User, now: dt.datetime | None = None
) -> Comment:
    """Correct a comment: by its author, within ``Comment.EDIT_MINUTES`` of writing it. A
    member newly mentioned is told; the history keeps what it said before."""
    comment = (
        Comment.objects.select_for_update()
        .select_related("mission__organisation")
        .get(pk=comment.pk)
    )
    now = now or timezone.now()
    if comment.removed_at is not None:
        raise StateConflict("This comment was removed.")
    if now - comment.created_at > dt.timedelta(minutes=Comment.EDIT_MINUTES):
        raise StateConflict(
            f"A comment can be corrected for {Comment.EDIT_MINUTES} minutes after it is "
            "written: write another one instead."
        )
    body = body.strip()
    if body == comment.body:
        return comment
    before = comment.body
    comment.body, comment.edited_at = body, now
    comment.full_clean()
    comment.save(update_fields=["body", "edited_at"])
    _tell_mentioned(comment, by=by)
    _record(comment, AuditEvent.Verb.UPDATED, by=by, changes={"body": [before, body]})
    return comment


@transaction.atomic
def comment_remove(*, comment: Comment, by: User) -> Comment:
    """Remove a comment: it reads "Removed" in its thread (its replies stay), and the
    mentions it made are no longer asked."""
    comment = (
        Comment.objects.select_for_update()
        .select_related("mission__organisation")
        .get(pk=comment.pk)
    )
    if comment.removed_at is not None:
        return comment
    comment.removed_at = timezone.now()
    comment.save(update_fields=["removed_at"])
    asked = comment.mentions.values_list("pk", flat=True)
    notifications_done(causes=[cause_of("mention", pk) for pk in asked], by=by)
    _record(comment, AuditEvent.Verb.REMOVED, by=by)
    return comment


def _record(comment: Comment, verb: AuditEvent.Verb, *, by: User, **changes: Any) -> None:
    """The comment's entry in its mission's history."""
    audit_record(
        obj=comment,
        organisation=comment.mission.organisation,
        verb=verb,
        by=by,
        mission=comment.mission,
        **changes,
    )


def _subject(on: Any, parent: Comment | None) -> dict[str, Any]:
    """The comment's mission and what it is on: the parent's, or ``on``'s."""
    if parent is not None:
        return {
            "mission": parent.mission,
            "kpi_id": parent.kpi_id,
            "key_task_id": parent.key_task_id,
            "review_id": parent.review_id,
        }
    name = type(on)._meta.model_name
    if name == "mission":
        return {"mission": on}
    field = {"kpi": "kpi", "keytask": "key_task", "review": "review"}.get(name or "")
    if field is None:
        raise ValidationError(f"Comments are on missions, KPIs, key tasks and reviews, not {name}.")
    return {"mission": on.mission, field: on}


def _tell_mentioned(comment: Comment, *, by: User, extra: Any = None) -> None:
    """Store the members the comment names (``@username``, and ``extra``) who are not yet
    stored, and tell each in their inbox. Names that are no member of the organisation are
    left as text."""
    names = mentioned_usernames(comment.body)
    members = Membership.objects.filter(organisation_id=comment.organisation_id)
    people = {m.user for m in members.filter(user__username__in=names).select_related("user")}
    if extra is not None:
        people.add(extra)
    already = set(comment.mentions.values_list("person_id", flat=True))
    new = [p for p in people if p.pk not in already and p.pk != by.pk]
    for person in sorted(new, key=lambda p: p.pk):
        mention = Mention.objects.create(
            organisation_id=comment.organisation_id, comment=comment, person=person
        )
        notify(
            recipients=[person],
            kind=Notification.Kind.MENTIONED,
            message=mention_message(person_name(by), comment.mission.title, comment.body),
            mission=comment.mission,
            by=by,
            cause=cause_of("mention", mention.pk),
            url=comment_url(
                comment.mission.organisation.slug,
                pk=comment.pk,
                mission_id=comment.mission_id,
                kpi_id=comment.kpi_id,
                review_id=comment.review_id,
            ),
        )
