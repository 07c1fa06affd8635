"""How each person hears about each kind of notification besides the inbox: an email at once,
a line in their digest, or the app only; and the signed links that unsubscribe from either.

The defaults are declared here, once (``DEFAULT_CHANNELS``): a decision asked of the person is
emailed at once, what only tells them (or can wait a day) goes to the digest. A
``NotificationPreference`` row exists only where a person chose otherwise. Every reader of a
channel goes through this module: the table of one person (``channels_for``), one kind of one
person (``channel_of``) and, in SQL, the channel of each row of a notification query
(``channel_expression``), so the delivery of emails at once, the reminders and the digest can
never disagree about a default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse

from missionlead.emails import absolute_url

from .models import Notification, NotificationPreference

if TYPE_CHECKING:
    from .types import User

Kind = Notification.Kind
Channel = NotificationPreference.Channel

DEFAULT_CHANNELS: dict[str, str] = {
    # Decisions asked of the person: at once.
    Kind.ALIGNMENT_REQUESTED: Channel.AT_ONCE,
    Kind.SENT_BACK: Channel.AT_ONCE,
    Kind.SUPPORT_REQUESTED: Channel.AT_ONCE,
    Kind.REVIEW_REMINDER: Channel.AT_ONCE,
    Kind.REVIEW_ESCALATION: Channel.AT_ONCE,
    Kind.CHALLENGE_RAISED: Channel.AT_ONCE,
    # News, and what can wait for the morning: in the digest.
    Kind.ALIGNED: Channel.DIGEST,
    Kind.SUPPORT_ANSWERED: Channel.DIGEST,
    Kind.FINDING: Channel.DIGEST,
    Kind.CHECK_IN_DUE: Channel.DIGEST,
    Kind.KEY_TASK_OVERDUE: Channel.DIGEST,
    Kind.CONTACT_DUE: Channel.DIGEST,
    Kind.CHALLENGE_ANSWERED: Channel.DIGEST,
    Kind.RECOGNISED: Channel.AT_ONCE,
    Kind.IDEAS_INVITED: Channel.DIGEST,
    Kind.IDEA_SUBMITTED: Channel.DIGEST,
    Kind.IDEA_NEWS: Channel.AT_ONCE,
    Kind.DEVELOPMENT_REVIEW: Channel.AT_ONCE,
    Kind.DEVELOPMENT_NEWS: Channel.DIGEST,
    Kind.COALITION_INVITED: Channel.AT_ONCE,
    Kind.CONTRIBUTION_OFFERED: Channel.AT_ONCE,
    Kind.COALITION_NEWS: Channel.DIGEST,
    Kind.MENTIONED: Channel.AT_ONCE,
    # Events stopped going out: at once, so that the admins mend the receiver soon.
    Kind.WEBHOOK_DISABLED: Channel.AT_ONCE,
}

# Why a person gets a notification of each kind: the last lines of its email say so.
REASONS: dict[str, str] = {
    Kind.ALIGNMENT_REQUESTED: (
        "A mission under yours waits for you to align it or send it back: you own the mission "
        "it serves."
    ),
    Kind.ALIGNED: "Your mission was aligned by the owner of the mission it serves.",
    Kind.SENT_BACK: "Your mission was sent back by the owner of the mission it serves.",
    Kind.SUPPORT_REQUESTED: "Another mission asks yours for support, or offers it.",
    Kind.SUPPORT_ANSWERED: "A mission your mission asked for support has answered.",
    Kind.REVIEW_REMINDER: "You own this mission, and its 30-day review is due.",
    Kind.REVIEW_ESCALATION: (
        "The 30-day review of a mission under yours is overdue, and you are its owner's boss."
    ),
    Kind.FINDING: "The alignment checks found something to look at in a mission of yours.",
    Kind.CHECK_IN_DUE: "A measure of success you own has had no check-in within its cadence.",
    Kind.KEY_TASK_OVERDUE: "A key task of a mission of yours is past its due date.",
    Kind.CONTACT_DUE: (
        "You own the communication plan of a stakeholder, and its next contact is due."
    ),
    Kind.CHALLENGE_RAISED: (
        "Someone challenges the priorities of a mission under yours, and you answer for them."
    ),
    Kind.CHALLENGE_ANSWERED: "A challenge to priorities you raised has been answered.",
    Kind.RECOGNISED: "A colleague recognised you for one of the leadership behaviours.",
    Kind.IDEAS_INVITED: "An innovation challenge invites ideas from you or your team.",
    Kind.IDEA_SUBMITTED: "An idea was submitted to an innovation challenge on a mission of yours.",
    Kind.IDEA_NEWS: "An idea of yours was commented on, shortlisted or taken forward.",
    Kind.DEVELOPMENT_REVIEW: (
        "A person you lead or coach asks you to review their development plan with them."
    ),
    Kind.DEVELOPMENT_NEWS: (
        "Your leader or coach noted evidence on your development plan or held its review."
    ),
    Kind.COALITION_INVITED: (
        "Another organisation invites yours to a coalition, and you speak for your organisation."
    ),
    Kind.CONTRIBUTION_OFFERED: (
        "A partner offers a mission to a coalition your organisation belongs to, and you speak "
        "for your organisation."
    ),
    Kind.COALITION_NEWS: (
        "A coalition your organisation belongs to changed: a member joined or left, or a "
        "contribution of yours was aligned or declined."
    ),
    Kind.MENTIONED: "A colleague mentioned you in a comment on a mission, KPI, key task or review.",
    Kind.WEBHOOK_DISABLED: (
        "You administer the organisation, and one of its integrations stopped receiving events."
    ),
}

# The topics of the digest's and the weekly brief's unsubscribe links (the others are kinds
# of notification).
DIGEST = "digest"
BRIEF = "brief"
TOPICS = (DIGEST, BRIEF)
_UNSUBSCRIBE_SALT = "missionlead.unsubscribe"


def channels_for(*, user_id: int) -> dict[str, str]:
    """Every kind's channel for one person, in the order of the kinds: one query."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user_id).values_list("kind", "channel")
    )
    return {kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}


def channel_of(*, user_id: int, kind: str) -> str:
    """One kind's channel for one person: one query."""
    chosen = (
        NotificationPreference.objects.filter(user_id=user_id, kind=kind)
        .values_list("channel", flat=True)
        .first()
    )
    return chosen or DEFAULT_CHANNELS[kind]


def channel_expression(*, recipient: str = "recipient_id", kind: str = "kind") -> Coalesce:
    """The channel of each row of a notification query, in SQL: the recipient's choice for
    the row's kind, else the default. ``.alias(channel=channel_expression())``."""
    chosen = NotificationPreference.objects.filter(
        user_id=OuterRef(recipient), kind=OuterRef(kind)
    ).values("channel")[:1]
    default = Case(
        *(When(**{kind: k}, then=Value(channel)) for k, channel in DEFAULT_CHANNELS.items()),
        default=Value(Channel.IN_APP),
        output_field=CharField(),
    )
    return Coalesce(Subquery(chosen), default, output_field=CharField())


@transaction.atomic
def notification_preferences_set(*, user: User, channels: Mapping[str, str]) -> dict[str, str]:
    """Set the channels of the kinds given; returns the person's whole table.

    A choice equal to the default removes the person's row, so they follow the default again.
    """
    errors = {
        kind: f"“{channel}” is not a channel."
        for kind, channel in channels.items()
        if channel not in Channel.values
    }
    errors.update({kind: "Not a kind of notification." for kind in channels if kind not in Kind})
    if errors:
        raise ValidationError(errors)
    chosen = {kind: ch for kind, ch in channels.items() if ch != DEFAULT_CHANNELS[kind]}
    NotificationPreference.objects.filter(user=user, kind__in=set(channels) - set(chosen)).delete()
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=user, kind=k, channel=ch) for k, ch in chosen.items()],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["channel", "updated_at"],
    )
    return channels_for(user_id=user.pk)


# --- Unsubscribing from an email, without logging in ---------------------------------------------


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    """A signed token that names a person and what they may stop getting by email: a kind of
    notification, ``DIGEST`` or ``BRIEF``. It does not expire: an old email's link still works."""
    return signing.dumps({"u": user_id, "t": topic}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    """The absolute one-click unsubscribe link of an email (and its List-Unsubscribe header)."""
    return _unsubscribe_url_of(unsubscribe_token(user_id=user_id, topic=topic))


def unsubscribe_urls() -> Callable[[int, str], str]:
    """``unsubscribe_url`` for the emails of a batch: ``of(user_id, topic)``. The address is
    reversed once, and each token put in its place: the same address, since reversing keeps a
    token's every character as it is (URL-safe base64, ``.`` and ``:``, all unreserved or
    allowed in a path), at a tenth of the cost of reversing per email."""
    marker = "mLqTokenZv"
    head, found, tail = _unsubscribe_url_of(marker).partition(marker)
    if not found or marker in tail:  # not where a token goes: one reversing per email
        return lambda user_id, topic: unsubscribe_url(user_id=user_id, topic=topic)
    return lambda user_id, topic: f"{head}{unsubscribe_token(user_id=user_id, topic=topic)}{tail}"


def _unsubscribe_url_of(token: str) -> str:
    return absolute_url(reverse("accounts:unsubscribe", kwargs={"token": token}))


def unsubscribe_read(token: str) -> tuple[int, str]:
    """The person and the topic a token names; ``signing.BadSignature`` when it was not
    signed here or was changed, or names no topic."""
    data: Any = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    if not isinstance(data, dict):
        raise signing.BadSignature("The token names no topic.")
    user_id, topic = data.get("u"), data.get("t")
    if not isinstance(user_id, int) or (topic not in TOPICS and topic not in Kind.values):
        raise signing.BadSignature("The token names no topic.")
    return user_id, topic


def topic_label(topic: str) -> str:
    """What an unsubscribe link stops, in words."""
    if topic == DIGEST:
        return "the digest"
    if topic == BRIEF:
        return "the weekly brief"
    return f"“{Kind(topic).label}”"
