"""The brief's wording as a whole: the prose that sums it up (deterministic: the same data
gives the same words), and the plain text of the email. The HTML is the templates'
(``reviews/brief.html``, ``emails/brief.html``), from the same sections."""

from __future__ import annotations

from collections.abc import Callable

from kernel.formats import day, percent

from .data import MOVES_DAYS, WEEK, BriefData
from .sections import Brief


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def prose(found: BriefData, *, owns_nothing: bool) -> str:
    """A few sentences that sum the brief up, each naming the largest item of its part."""
    if owns_nothing:
        return (
            "You own or lead no mission here, so your brief has no part of the cascade to tell "
            "of; only decisions asked of you appear below."
        )
    sentences = []
    moved = found.moved
    if moved.total:
        top = moved.items[0]
        sentence = f"Over the last {WEEK} days {_count(moved.total, 'KPI', 'KPIs')} moved"
        if top.share and not top.first:
            toward = "towards" if top.share > 0 else "away from"
            sentence += (
                f"; the largest, “{top.name}”, went {percent(abs(top.share))} of the way "
                f"{toward} its target"
            )
        sentences.append(sentence + ".")
    else:
        sentences.append(f"No KPI moved in a check-in over the last {WEEK} days.")
    risks, predicted = found.at_risk, found.predicted
    if risks.total:
        low = risks.items[0]
        sentences.append(
            f"{_count(risks.total, 'KPI is', 'KPIs are')} at risk, the least likely "
            f"“{low.name}” at {percent(low.probability)}."
        )
    if predicted.total:
        soon = predicted.items[0]
        when = f", the soonest expected by {day(soon.expected_on)}" if soon.expected_on else ""
        sentences.append(
            f"{_count(predicted.total, 'misalignment is', 'misalignments are')} predicted{when}."
        )
    if not risks.total and not predicted.total:
        sentences.append("Nothing is at risk.")
    decisions = found.decisions.total
    sentences.append(
        f"{_count(decisions, 'decision waits', 'decisions wait')} for you."
        if decisions
        else "No decision waits for you."
    )
    preceded = found.preceded.total
    if preceded:
        sentences.append(
            f"{_count(preceded, 'key task', 'key tasks')} completed in the last {MOVES_DAYS} "
            "days preceded a change in a KPI's trend."
        )
    return " ".join(sentences)


def plain(brief: Brief, *, link: Callable[[str], str] = str) -> str:
    """The brief as plain text: the summary, then each section's items, each with its link
    (``link`` makes it absolute for an email)."""
    lines = [f"Your weekly brief, {brief.organisation.name}, {brief.week}", "", brief.summary]
    for section in brief.sections:
        lines += ["", section.title.upper()]
        if not section.items:
            lines.append(section.empty)
        for item in section.items:
            lines.append(f"- {item.text}")
            lines += [f"    {note}" for note in item.notes]
            lines.append(f"  {item.evidence}: {link(item.url)}")
        if section.more:
            lines.append(f"…and {section.more:,} more.")
    return "\n".join(lines) + "\n"
