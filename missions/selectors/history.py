"""A mission's history and its alignment conversation, in words (``kernel.history``)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.history import HistoryEntry, history_in_words
from kernel.models import AuditEvent

from ..models import Mission

# The entries the mission page shows: the latest changes, not the mission's whole life.
HISTORY_PAGE = 30
# The steps of the alignment conversation, and how many of the latest the page shows: a
# mission sent back and proposed again month after month still has a short panel.
ALIGNMENT_VERBS = (AuditEvent.Verb.PROPOSED, AuditEvent.Verb.SENT_BACK, AuditEvent.Verb.ALIGNED)
CONVERSATION_TURNS = 20


def mission_history(*, mission: Mission, limit: int = HISTORY_PAGE) -> list[HistoryEntry]:
    """The latest changes to the mission and to what belongs to it (KPIs, check-ins, key
    tasks, links, reviews), newest first, in words. One query for the entries (the index on
    ``mission, -created_at``), and one per kind of row their changes name (teams, people)."""
    events = AuditEvent.objects.filter(mission=mission).select_related("actor")[:limit]
    return history_in_words(events, subject=mission)


@dataclass(frozen=True)
class AlignmentConversation:
    """What the mission's owner and the owner of the mission above said to each other."""

    turns: list[HistoryEntry]  # oldest first

    @property
    def latest(self) -> HistoryEntry | None:
        """The step that brought the mission where it stands: what to answer, or act on."""
        return self.turns[-1] if self.turns else None

    @property
    def earlier(self) -> list[HistoryEntry]:
        return self.turns[:-1]


def alignment_conversation(*, mission: Mission) -> AlignmentConversation:
    """Each proposal, sending back and aligning of the mission, oldest first: who, when, and
    what they said. One query however many rounds there were (the latest
    ``CONVERSATION_TURNS``). Only the mission's own entries carry these verbs: its KPIs' and
    tasks' entries, filed under it too, never do."""
    latest_first = (
        AuditEvent.objects.filter(mission=mission, verb__in=ALIGNMENT_VERBS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:CONVERSATION_TURNS]
    )
    return AlignmentConversation(
        turns=history_in_words(reversed(list(latest_first)), subject=mission)
    )
