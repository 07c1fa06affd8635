"""The brief's four sections, each item a sentence with the link to its evidence: the KPI page
(its history, or what moved its dial), the mission page (its findings), or the inbox item's own
page. Worded here, deterministically, from ``data``; nothing else writes a sentence of it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.urls import reverse

from kernel.formats import day, number, percent
from kernel.models import Notification, Organisation

from ..models import Finding
from .data import (
    AT_RISK_BELOW,
    MOVES_DAYS,
    WEEK,
    BriefData,
    Change,
    Decision,
    Preceded,
    Predicted,
    Risk,
)

MOVED, AT_RISK, DECISIONS, PRECEDED = "moved", "at_risk", "decisions", "preceded"


@dataclass(frozen=True)
class Item:
    """One sentence of the brief, the link to its evidence, and what the evidence is; ``notes``
    are lines said under it (the check-in comments of a KPI that moved)."""

    text: str
    url: str
    evidence: str  # what the link shows: "KPI", "Finding", "Inbox item"
    notes: tuple[str, ...] = ()


@dataclass
class Section:
    key: str
    title: str
    items: list[Item]
    more: int  # items not shown
    empty: str  # what the section says when it has no item

    @property
    def total(self) -> int:
        return len(self.items) + self.more


@dataclass
class Brief:
    """One leader's brief: the prose that sums it up, and the sections that give the evidence."""

    organisation: Organisation
    today: dt.date
    owns_nothing: bool
    summary: str
    sections: list[Section] = field(default_factory=list)
    summarised: bool = False  # the summary was rewritten by the operator's summariser
    # When a worker read it ahead (``prepared``); None: read for this request.
    prepared_at: dt.datetime | None = None

    @property
    def items(self) -> int:
        return sum(section.total for section in self.sections)

    @property
    def week(self) -> str:
        start = self.today - dt.timedelta(days=WEEK)
        return f"{day(start)} to {day(self.today)}"


def amount(value: float, unit: str) -> str:
    """A value with its unit: "42 beds", "87.5%", "1,250"."""
    text = number(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _kpi_url(slug: str, pk: int, anchor: str = "") -> str:
    return reverse("measures:kpi", kwargs={"org": slug, "pk": pk}) + anchor


def _mission_url(slug: str, pk: int, anchor: str = "") -> str:
    return reverse("missions:detail", kwargs={"org": slug, "pk": pk}) + anchor


def moved_item(slug: str, change: Change) -> Item:
    name = f"“{change.name}” ({change.mission_title})"
    after = amount(change.after, change.unit)
    if change.first:
        text = (
            f"{name} had its first check-in on {day(change.on)}: {after}, from a baseline of "
            f"{amount(change.before, change.unit)}."
        )
    else:
        way = "rose" if change.after > change.before else "fell"
        text = f"{name} {way} from {amount(change.before, change.unit)} to {after} this week"
        if change.share:
            toward = "towards" if change.share > 0 else "away from"
            text += f", {percent(abs(change.share))} of the way {toward} its target"
        text += "."
    notes = tuple(f"{c.author}, {day(c.recorded_on)}: “{c.text.strip()}”" for c in change.comments)
    return Item(text, _kpi_url(slug, change.kpi_id, "#history-heading"), "KPI", notes)


def article(text: str) -> str:
    """ "a" or "an" before a number said in English: an 8%, an 11%, an 18.5%, a 12%."""
    return "an" if re.match(r"^(8|1[18](?![\d,]))", text) else "a"


def risk_item(slug: str, risk: Risk) -> Item:
    chance = percent(risk.probability)
    text = (
        f"“{risk.name}” ({risk.mission_title}) has {article(chance)} {chance} chance of "
        f"reaching {amount(risk.target, risk.unit)} by {day(risk.due_date)}."
    )
    return Item(text, _kpi_url(slug, risk.kpi_id), "KPI")


def predicted_item(slug: str, predicted: Predicted) -> Item:
    text = predicted.message.strip()
    if not text.endswith((".", "!", "?")):
        text += "."
    label = Finding.Kind(predicted.kind).label if predicted.kind in Finding.Kind.values else ""
    prefix = f"Predicted{f' ({label})' if label else ''} in “{predicted.mission_title}”: "
    if predicted.expected_on is not None:
        text += f" Expected by {day(predicted.expected_on)}."
    return Item(
        prefix + text, _mission_url(slug, predicted.mission_id, "#health-heading"), "Finding"
    )


def decision_item(decision: Decision) -> Item:
    label = Notification.Kind(decision.kind).label
    text = f"{label}: {decision.message} Waiting since {day(decision.created_at)}."
    return Item(text, decision.url, "Inbox item")


def preceded_item(slug: str, preceded: Preceded) -> Item:
    text = f"On “{preceded.kpi_name}” ({preceded.mission_title}): {preceded.move.sentence}"
    return Item(text, _kpi_url(slug, preceded.kpi_id, "#dial-heading"), "KPI")


def sections_of(organisation: Organisation, found: BriefData) -> list[Section]:
    """The four sections, in the order the brief tells them."""
    slug = organisation.slug
    risks = [risk_item(slug, r) for r in found.at_risk.items]
    risks += [predicted_item(slug, p) for p in found.predicted.items]
    return [
        Section(
            MOVED,
            "What moved",
            [moved_item(slug, c) for c in found.moved.items],
            found.moved.more,
            f"No KPI in your part of the cascade changed in a check-in over the last {WEEK} days.",
        ),
        Section(
            AT_RISK,
            "At risk",
            risks,
            found.at_risk.more + found.predicted.more,
            f"No KPI is below a {percent(AT_RISK_BELOW)} chance of meeting its target, and no "
            "misalignment is predicted.",
        ),
        Section(
            DECISIONS,
            "Needs a decision",
            [decision_item(d) for d in found.decisions.items],
            found.decisions.more,
            "Nothing waits for your decision: no alignment, support request or sent-back mission.",
        ),
        Section(
            PRECEDED,
            "Which actions preceded movement",
            [preceded_item(slug, p) for p in found.preceded.items],
            found.preceded.more,
            f"No key task completed in the last {MOVES_DAYS} days was followed by a change in a "
            "KPI's trend that the check-ins can support.",
        ),
    ]
