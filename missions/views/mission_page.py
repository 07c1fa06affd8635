"""What the mission page reads: the mission with the intent above it, its KPIs as cards (chart,
where they stand, the forecast in words), its key tasks, links, health, score and open findings
with what to do about each. A fixed number of queries whatever the number of any of these.

The page composes the apps above missions (it lives among the views, which may): the figures
and charts of ``measures``, the health and findings of ``reviews``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString

from kernel.permissions import Actor
from measures import charts
from measures.health import Health
from measures.summary import KpiFigures, MissionFigures
from reviews.advice import advice_for
from reviews.dashboards import score_band
from reviews.health import health_figures
from reviews.models import Finding, MissionScore

from .. import selectors
from ..models import KeyTask, Mission, Vision
from .cascade import BRANCH_PAGE


@dataclass(frozen=True)
class IntentAbove:
    """The intent one or two levels up: a mission's, or at the top the CEO's (the vision)."""

    step: str  # "1-up", "2-up"
    intent: str
    mission: Mission | None = None  # None: the CEO's intent, in the vision

    @property
    def heading(self) -> str:
        return self.mission.title if self.mission else "CEO's intent"


def intents_above(ancestors: list[Mission], vision: Vision | None) -> list[IntentAbove]:
    """The 1-up and the 2-up intent: the missions above, root first, under the vision, whose
    CEO's intent stands above the organisation missions (the cascade's first level)."""
    chain: list[IntentAbove] = []
    if vision is not None:
        chain.append(IntentAbove("", vision.ceo_intent))
    chain += [IntentAbove("", m.intent, m) for m in ancestors]
    nearest = chain[-2:][::-1]
    return [
        IntentAbove(step, above.intent, above.mission)
        for step, above in zip(("1-up", "2-up"), nearest, strict=False)
    ]


@dataclass
class KpiCard:
    """One KPI on its mission's page: its figures, its chart and whether one may check in."""

    figures: KpiFigures
    can_check_in: bool

    @property
    def kpi(self) -> Any:
        return self.figures.kpi

    @cached_property
    def chart(self) -> SafeString:
        return charts.line_chart(self.figures, charts.CARD)


@dataclass(frozen=True)
class FindingToAct:
    """An open finding of the mission with what clears it, and where on the site to do that."""

    finding: Finding
    href: str

    @property
    def advice(self) -> str:
        return advice_for(self.finding.kind)


def _where_to_act(finding: Finding, mission: Mission, may_edit: bool) -> str:
    """The page (or the part of this page) where what clears the finding is done."""
    org = mission.organisation.slug
    what, _, pk = finding.subject.partition(":")
    if what == "kpi" and pk.isdigit():
        return reverse("measures:kpi", kwargs={"org": org, "pk": int(pk)})
    if what in ("task", "link") and pk.isdigit():
        return f"#{'key-task' if what == 'task' else 'link'}-{pk}"
    kind = Finding.Kind
    if finding.kind == kind.NO_KPI:
        return "#kpi-heading"
    if finding.kind in (kind.REVIEW_OVERDUE, kind.REVIEW_LAPSING):
        return reverse("reviews:list", kwargs={"org": org})
    if finding.kind == kind.AWAITING_ALIGNMENT:
        return "#alignment-heading"
    edits = (
        kind.ORPHAN,
        kind.PERIOD_OUTSIDE_PARENT,
        kind.SPACE_EXCEEDS_PARENT,
        kind.OUTRUNNING_PARENT,
    )
    if finding.kind in edits and may_edit:
        return reverse("missions:edit", kwargs={"org": org, "pk": mission.pk})
    return ""


def findings_to_act(*, mission: Mission, may_edit: bool) -> list[FindingToAct]:
    """The mission's open findings, critical first, the predicted ones (soonest expected
    first) after those that hold now: one query."""
    severity_order = {"critical": 0, "warning": 1, "info": 2}
    rows = Finding.objects.filter(mission=mission, resolved_at__isnull=True).order_by("opened_at")
    ordered = sorted(
        rows,
        key=lambda f: (
            f.predicted,
            severity_order.get(f.severity, 3),
            f.expected_on or dt.date.max,
        ),
    )
    return [FindingToAct(f, _where_to_act(f, mission, may_edit)) for f in ordered]


def score_of(mission: Mission, health: Health) -> int | None:
    """The mission's alignment score, as the heat map shows it: none before it has started
    (a draft without data is not "100")."""
    if health == Health.NOT_STARTED:
        return None
    return MissionScore.objects.filter(mission=mission).values_list("score", flat=True).first()


def key_tasks_in_order(*, mission: Mission) -> list[KeyTask]:
    """Tasks still to deliver first, soonest due (so the overdue ones) at the top; then those
    done or cancelled. One query."""
    closed = (KeyTask.Status.DONE, KeyTask.Status.CANCELLED)
    return sorted(
        selectors.key_tasks_of(mission=mission),
        key=lambda t: (t.status in closed, t.due_date is None, t.due_date or dt.date.min, t.pk),
    )


def mission_page(*, actor: Actor, mission: Mission, may: dict[str, bool]) -> dict[str, Any]:
    """Everything the mission page shows but its forms (``may``: what it offers the actor).

    Queries: the ancestors (1), the vision (1), the children (1), the mission's KPIs with their
    check-ins and open findings (3), the children's KPIs and findings (2), the open findings
    listed (1), key tasks (1), links (2), history (1 + the rows its entries name), the
    alignment conversation (1).
    """
    ancestors = list(
        selectors.mission_ancestors(mission=mission).select_related("owner_user", "owner_team")
    )
    vision = selectors.vision_of(organisation=actor.organisation)
    children = list(selectors.cascade_children(mission=mission)[: BRANCH_PAGE + 1])
    figures: MissionFigures = health_figures([mission], history=True)[mission.pk]
    child_figures = health_figures(children[:BRANCH_PAGE])
    health = figures.health
    score = score_of(mission, health)
    tasks = key_tasks_in_order(mission=mission)
    return {
        "mission": mission,
        "ancestors": ancestors,
        "intents_above": intents_above(ancestors, vision),
        "vision": vision,
        "figures": figures,
        "health": health,
        "score": score,
        "score_band": score_band(score),
        "kpi_cards": [KpiCard(f, may["check_in"]) for f in figures.kpis],
        "findings": findings_to_act(mission=mission, may_edit=may["edit"]),
        "children": [
            {"mission": c, "figures": child_figures[c.pk]} for c in children[:BRANCH_PAGE]
        ],
        "more_children": len(children) > BRANCH_PAGE,
        "key_tasks": tasks,
        "overdue_tasks": sum(1 for task in tasks if task.days_overdue),
        "links_out": selectors.links_from(mission=mission),
        "links_in": selectors.links_to(mission=mission),
        "history": selectors.mission_history(mission=mission),
        "conversation": selectors.alignment_conversation(mission=mission),
    }
