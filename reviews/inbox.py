"""The inbox sweep: every open item the state of an organisation asks for, and none other.

Events write and complete items as they happen (a proposal asks the boss; aligning it completes
that for whoever was asked). Some causes arise from time alone (a KPI falls due for a check-in,
a key task passes its due date), and some are handled without an event saying so (an owner
changes, a mission is archived with its KPIs). The sweep reads, per kind of cause, what the
state asks for now, writes what is missing and completes what is no longer asked: so the inbox
converges on the truth however an item came to be or stopped being wanted. It runs hourly
(``reviews.tasks.inbox_sweep``) and after each alignment check (new and resolved findings).

Each kind's rule is a query here; its wording is the one the event uses (the services'
``*_message`` functions), so an item reads the same however it was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kernel.formats import day
from kernel.models import AuditEvent, Notification, Organisation
from kernel.notifications import Wanted, cause_of, items_reconcile
from kernel.querysets import owner_person
from kernel.tenancy import tenant_scope
from leadership.selectors import (
    challenges_waiting,
    coalition_invitations_waiting,
    contacts_due,
    contributions_offered_waiting,
    development_reviews_asked,
)
from measures.models import Kpi, check_ins_due
from missions.models import Interdependency, KeyTask, Mission
from missions.querysets import in_play
from missions.services.alignment import alignment_request_message, sent_back_message
from missions.services.work import key_task_overdue_message, support_request_message

from .models import Comment, Finding, Mention, Review
from .services.comments import comment_url, mention_message

Kind = Notification.Kind


def _mission_url(slug: str, mission_id: int) -> str:
    return reverse("missions:detail", kwargs={"org": slug, "pk": mission_id})


def _alignments(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """Proposed missions wait for the owner of the mission above (not for themselves)."""
    rows = (
        Mission.objects.filter(
            organisation=org,
            alignment_status=Mission.AlignmentStatus.PROPOSED,
            parent__isnull=False,
        )
        .exclude(status=Mission.Status.ARCHIVED)
        .annotate(recipient=owner_person("parent__"), own=owner_person())
        .values_list("pk", "title", "parent__title", "recipient", "own")
    )
    for pk, title, parent_title, recipient, own in rows:
        if recipient is not None and recipient != own:
            yield Wanted(
                recipient,
                cause_of("alignment", pk),
                Kind.ALIGNMENT_REQUESTED,
                alignment_request_message(title, parent_title),
                _mission_url(org.slug, pk),
                pk,
            )


def _sent_back(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """Sent-back missions wait for their owner to change them and propose them again."""
    reason = (
        AuditEvent.objects.filter(mission=OuterRef("pk"), verb=AuditEvent.Verb.SENT_BACK)
        .order_by("-created_at", "-id")
        .values("comment")[:1]
    )
    rows = (
        Mission.objects.filter(
            organisation=org,
            alignment_status=Mission.AlignmentStatus.SENT_BACK,
            status=Mission.Status.ACTIVE,
        )
        .annotate(recipient=owner_person(), reason=Subquery(reason))
        .values_list("pk", "title", "recipient", "reason")
    )
    for pk, title, recipient, reason in rows:
        if recipient is not None:
            yield Wanted(
                recipient,
                cause_of("sent_back", pk),
                Kind.SENT_BACK,
                sent_back_message(title, reason or "no reason recorded"),
                _mission_url(org.slug, pk),
                pk,
            )


def _support(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """Links still proposed wait for an answer from the mission they ask."""
    rows = (
        Interdependency.objects.filter(organisation=org, status=Interdependency.Status.PROPOSED)
        .exclude(to_mission__status=Mission.Status.ARCHIVED)
        .annotate(recipient=owner_person("to_mission__"), own=owner_person("from_mission__"))
        .values_list(
            "pk",
            "kind",
            "from_mission__title",
            "to_mission_id",
            "to_mission__title",
            "recipient",
            "own",
        )
    )
    for pk, kind, from_title, to_id, to_title, recipient, own in rows:
        if recipient is not None and recipient != own:
            yield Wanted(
                recipient,
                cause_of("support", pk),
                Kind.SUPPORT_REQUESTED,
                support_request_message(kind, from_title, to_title),
                _mission_url(org.slug, to_id),
                to_id,
            )


def check_in_due_message(name: str, latest_on: dt.date | None, cadence_days: int) -> str:
    when = f"last on {day(latest_on)}" if latest_on else "never checked in"
    return f"“{name}” is due for a check-in ({when}; every {cadence_days} days)."


def _check_ins(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """Active KPIs of active missions without a check-in within their cadence."""
    kpis = Kpi.objects.filter(
        organisation=org, status=Kpi.Status.ACTIVE, mission__status=Mission.Status.ACTIVE
    )
    cadences = kpis.values_list("cadence_days", flat=True).distinct()
    rows = (
        kpis.filter(check_ins_due(today, list(cadences)))
        .annotate(recipient=owner_person("mission__"))
        .values_list("pk", "name", "latest_on", "cadence_days", "mission_id", "recipient")
    )
    for pk, name, latest_on, cadence_days, mission_id, recipient in rows:
        if recipient is not None:
            yield Wanted(
                recipient,
                cause_of("check_in", pk),
                Kind.CHECK_IN_DUE,
                check_in_due_message(name, latest_on, cadence_days),
                reverse("measures:kpi", kwargs={"org": org.slug, "pk": pk}),
                mission_id,
            )


def _key_tasks(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """Open key tasks past their due date wait for their owner (else the mission's)."""
    rows = (
        KeyTask.objects.filter(
            mission__organisation=org,
            mission__status=Mission.Status.ACTIVE,
            status__in=KeyTask.OPEN_STATUSES,
            due_date__lt=today,
        )
        .annotate(recipient=Coalesce(F("owner_id"), owner_person("mission__")))
        .values_list("pk", "title", "due_date", "mission_id", "mission__title", "recipient")
    )
    for pk, title, due_date, mission_id, mission_title, recipient in rows:
        if recipient is not None and due_date is not None:
            yield Wanted(
                recipient,
                cause_of("key_task", pk),
                Kind.KEY_TASK_OVERDUE,
                key_task_overdue_message(title, mission_title, due_date),
                _mission_url(org.slug, mission_id) + "#key-tasks",
                mission_id,
            )


# Findings that say what another item already asks (of the person who can act on it): a
# second item for the same thing would be noise, so the inbox leaves them to the dashboards.
FINDINGS_ASKED_ELSEWHERE = [
    Finding.Kind.STALE_KPI,  # a check-in due
    Finding.Kind.REVIEW_OVERDUE,  # a review's reminders
    Finding.Kind.AWAITING_ALIGNMENT,  # the boss's alignment item
    Finding.Kind.LINK_UNANSWERED,  # the other side's support item
    Finding.Kind.TASK_OVERDUE,  # an overdue key task
    Finding.Kind.REVIEW_LAPSING,  # the review's reminders, from three days before its date
]


def _findings(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """Open findings of the alignment checks wait for the owner of their mission, except
    those another kind of item asks already."""
    rows = (
        Finding.objects.filter(
            organisation=org, resolved_at__isnull=True, mission__status=Mission.Status.ACTIVE
        )
        .exclude(kind__in=FINDINGS_ASKED_ELSEWHERE)
        .annotate(recipient=owner_person("mission__"))
        .order_by("pk")
        .values_list("pk", "kind", "subject", "message", "mission_id", "recipient")
    )
    told: set[tuple[int, str]] = set()
    for pk, kind, subject, message, mission_id, recipient in rows:
        if kind == Finding.Kind.OVERLOAD_COMING:
            # About a person (``owner:<id>``), found on each mission with a task of theirs
            # due soon: one item, to that person.
            recipient = int(subject.partition(":")[2])
            if (recipient, subject) in told:
                continue
            told.add((recipient, subject))
        if recipient is not None:
            yield Wanted(
                recipient,
                cause_of("finding", pk),
                Kind.FINDING,
                message,
                _mission_url(org.slug, mission_id),
                mission_id,
            )


def _mentions(org: Organisation, today: dt.date) -> Iterator[Wanted]:
    """A member mentioned in a comment, until they answer in its thread (a comment of theirs
    in it, written after) or the comment is removed."""
    thread = Coalesce("comment__parent_id", "comment_id")
    answered = Comment.objects.annotate(thread=Coalesce("parent_id", "id")).filter(
        thread=OuterRef("thread"),
        author_id=OuterRef("person_id"),
        created_at__gt=OuterRef("comment__created_at"),
    )
    rows = (
        Mention.objects.filter(organisation=org, comment__removed_at__isnull=True)
        .annotate(thread=thread)
        .exclude(Exists(answered))
        .values_list(
            "pk",
            "person_id",
            "comment_id",
            "comment__body",
            "comment__mission_id",
            "comment__mission__title",
            "comment__kpi_id",
            "comment__review_id",
            "comment__author__first_name",
            "comment__author__last_name",
            "comment__author__username",
        )
    )
    for pk, person, comment, body, mission_id, title, kpi_id, review_id, *names in rows:
        first, last, username = names
        author = f"{first or ''} {last or ''}".strip() or username or "Someone"
        yield Wanted(
            person,
            cause_of("mention", pk),
            Kind.MENTIONED,
            mention_message(author, title, body),
            comment_url(
                org.slug, pk=comment, mission_id=mission_id, kpi_id=kpi_id, review_id=review_id
            ),
            mission_id,
        )


SOURCES: dict[str, Callable[[Organisation, dt.date], Iterator[Wanted]]] = {
    "alignment": _alignments,
    "sent_back": _sent_back,
    "support": _support,
    "check_in": _check_ins,
    "key_task": _key_tasks,
    "finding": _findings,
    "contact": contacts_due,
    "challenge": challenges_waiting,
    "development": development_reviews_asked,
    "coalition": coalition_invitations_waiting,
    "contribution": contributions_offered_waiting,
    "mention": _mentions,
}


def _reviews_still_scheduled(org: Organisation) -> set[str]:
    """A review's items come from its reminders; they stay open while it is still to hold and
    its mission in play (a mission sent back is not reminded: its item goes too)."""
    ids = Review.objects.filter(
        in_play("mission__"), mission__organisation=org, status=Review.Status.SCHEDULED
    ).values_list("pk", flat=True)
    return {cause_of("review", pk) for pk in ids}


def inbox_sweep_organisation(
    organisation: Organisation, *, only: list[str] | None = None, today: dt.date | None = None
) -> dict[str, tuple[int, int]]:
    """Reconcile one organisation's open items (the kinds in ``only``, default all): returns
    {kind of cause: (opened, completed)}."""
    today = today or timezone.localdate()
    result = {}
    with tenant_scope([organisation.pk]):
        for what, source in SOURCES.items():
            if only is None or what in only:
                result[what] = items_reconcile(
                    organisation_id=organisation.pk,
                    what=what,
                    wanted=source(organisation, today),
                )
        if only is None or "review" in only:
            result["review"] = items_reconcile(
                organisation_id=organisation.pk,
                what="review",
                wanted=None,
                still_open=_reviews_still_scheduled(organisation),
            )
    return result
