"""What to do about each kind of finding, said once: the mission page lists a mission's open
findings, each with its message (what the checks found) and this (what clears it). A finding
resolves by itself at the next check once what it says no longer holds."""

from __future__ import annotations

from .models import Finding

Kind = Finding.Kind

ADVICE: dict[str, str] = {
    Kind.ORPHAN: "Choose the mission above it that it serves (Edit), then propose it.",
    Kind.PERIOD_OUTSIDE_PARENT: "Bring its period inside the parent's (Edit).",
    Kind.NO_KPI: "Add a measure of success: what gets measured gets done.",
    Kind.STALE_KPI: "Check in the KPI's latest value.",
    Kind.KPI_OFF_TRACK: (
        "Decide what would move it: change the key tasks, ask for support, or revisit the "
        "target at the next review."
    ),
    Kind.REVIEW_OVERDUE: "Hold the 30-day review.",
    Kind.AWAITING_ALIGNMENT: "Ask the owner of the mission above to align it or send it back.",
    Kind.TOO_MANY_MISSIONS: (
        "Get real about priorities: finish, hand over or archive a mission its owner carries."
    ),
    Kind.SPACE_EXCEEDS_PARENT: (
        "Bring its deadline, budget or headcount inside the parent's (Edit), or agree more "
        "with the parent's owner."
    ),
    Kind.LINK_UNANSWERED: "Acknowledge, decline or resolve the request.",
    Kind.TASK_OVERDUE: (
        "Deliver the key task and mark it done, or cancel it if it no longer serves."
    ),
    Kind.LIKELY_MISS: (
        "Act before the due date: change the key tasks, ask for support, or agree a new "
        "target at the next review."
    ),
    Kind.CONTRIBUTORS_MISS: (
        "Talk with the owners of the contributing missions about what would move their KPIs."
    ),
    Kind.REVIEW_LAPSING: "Hold the 30-day review before it falls due.",
    Kind.OUTRUNNING_PARENT: (
        "Bring its deadline or period inside the parent's (Edit), or agree more time with "
        "the parent's owner."
    ),
    Kind.OVERLOAD_COMING: (
        "Get real about priorities before the next mission lands: finish, hand over or archive one."
    ),
    Kind.SUPPORT_LATE: (
        "Ask the other team for an answer now, or plan the key task without their support."
    ),
}


def advice_for(kind: str) -> str:
    """What clears a finding of ``kind``."""
    return ADVICE[kind]
