"""What the background work does to the outside world, and how each effect is counted.

An effect is anything a person would notice twice or miss: an in-app notification, an
email, a day's alignment snapshot (later: a digest, a webhook call). Each kind is one class
with a name and two methods:

- ``due()``: the keys that must take effect exactly once, worked out from the scenario's data
  by the harness, not from the product's own bookkeeping;
- ``observed()``: how many times each key did take effect, counted where it lands (the
  database table a person reads, or the SMTP server).

``tally`` compares the two. A new kind of effect is a new class here and one line in
``harness.Harness.effects``; every scenario then counts it.

An email is counted as the person's mailbox shows it: by Message-ID. A sender killed after the
mail server accepted a message, and before it recorded that, sends it again when its task is
redelivered; no sender can close that window (SMTP has no idempotency key). The product sends
each reminder with a Message-ID of its own that every sending repeats
(``missionlead.emails.message_id``), so the copy is the same message to the receiving side,
which shows it once. Such copies are reported apart ("re-sent"); a second message with a
different Message-ID is a duplicate, and fails the scenario.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone

from kernel.models import Notification
from reviews.models import AlignmentSnapshot, Reminder

from .mailbox import Mailbox

Key = Hashable


class Effect(Protocol):
    name: str

    def due(self) -> set[Key]: ...

    def observed(self) -> Counter[Key]: ...


@dataclass
class Tally:
    effect: str
    due: int
    sent: int  # due keys that took effect at least once
    lost: int  # due keys that never took effect
    duplicated: int  # due keys that took effect more than once
    extra: int  # copies beyond the first, over all keys
    unexpected: int  # keys that took effect but were not due
    resent: int = 0  # copies of a message received before (same Message-ID), shown once

    @property
    def ok(self) -> bool:
        return self.lost == self.unexpected == self.duplicated == 0


def tally(effect: Effect, due: set[Key]) -> Tally:
    seen = effect.observed()
    duplicated = {key for key in due if seen[key] > 1}
    resent = getattr(effect, "resent", None)
    return Tally(
        effect=effect.name,
        due=len(due),
        sent=sum(1 for key in due if seen[key] >= 1),
        lost=sum(1 for key in due if seen[key] == 0),
        duplicated=len(duplicated),
        extra=sum(count - 1 for count in seen.values() if count > 1),
        unexpected=sum(1 for key in seen if key not in due),
        resent=resent() if resent else 0,
    )


def complete(effect: Effect, due: set[Key]) -> bool:
    seen = effect.observed()
    return all(seen[key] for key in due)


# --- Review reminders ---------------------------------------------------------------------------
# A reminder is one review and one recipient: on a given day a review is in exactly one
# reminder window (3 days before, on the day, the day after, escalation), so the pair names
# one reminder. ``data.prepare`` works the pairs out from the data.


class ReminderNotifications:
    """The in-app notification of each reminder (``dedupe_key`` ``reminder:<id>``)."""

    name = "in-app notifications"

    def __init__(self, due: set[Key]) -> None:
        self._due = due

    def due(self) -> set[Key]:
        return self._due

    def observed(self) -> Counter[Key]:
        reviews = dict(Reminder.objects.values_list("id", "review_id"))
        counts: Counter[Key] = Counter()
        for dedupe_key, recipient_id in Notification.objects.filter(
            dedupe_key__startswith="reminder:"
        ).values_list("dedupe_key", "recipient_id"):
            reminder_id = int(dedupe_key.split(":", 1)[1])
            counts[(reviews.get(reminder_id), recipient_id)] += 1
        return counts


REVIEW_LINK = re.compile(r"/reviews/(\d+)/")


class ReminderEmails:
    """The email of each reminder, as the person's mailbox shows it: the messages the SMTP
    server received, by recipient, the link to the review in the text, and Message-ID (a copy
    sent again with the same Message-ID is one message)."""

    name = "emails"

    def __init__(self, due: set[Key], mailbox: Mailbox, user_ids: dict[str, int]) -> None:
        self._due = due
        self.mailbox = mailbox
        self.user_ids = user_ids  # email address (lower case) → user id

    def due(self) -> set[Key]:
        return self._due

    def observed(self) -> Counter[Key]:
        return Counter(key for key, _ in set(self._arrivals()))

    def resent(self) -> int:
        """Copies of a message already received: the redelivered sends of a killed sender."""
        arrivals = self._arrivals()
        return len(arrivals) - len(set(arrivals))

    def _arrivals(self) -> list[tuple[Key, str]]:
        arrivals = []
        for index, message in enumerate(self.mailbox.messages()):
            link = REVIEW_LINK.search(message.text)
            review_id = int(link.group(1)) if link else None
            identity = message.message_id or f"no Message-ID #{index}"
            for address in message.recipients:
                arrivals.append(((review_id, self.user_ids.get(address)), identity))
        return arrivals


# --- Alignment checks ---------------------------------------------------------------------------


class AlignmentSnapshots:
    """Today's organisation-wide alignment snapshot, one per organisation."""

    name = "alignment snapshots"

    def __init__(self, organisation_ids: set[int]) -> None:
        self._due = set(organisation_ids)

    def due(self) -> set[Key]:
        return set(self._due)

    def observed(self) -> Counter[Key]:
        return Counter(
            AlignmentSnapshot.objects.filter(
                team__isnull=True, run_date=timezone.localdate()
            ).values_list("organisation_id", flat=True)
        )
