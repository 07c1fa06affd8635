"""What the measures pages read: My work, one KPI row, one KPI with its history.

Reads only. Every figure is one stored on the KPI (read through ``measures.summary``); My work
costs the same few queries whatever the number of missions, KPIs and key tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.safestring import SafeString

from kernel.notifications import InboxGroup, inbox_groups, open_items
from kernel.permissions import Action, can
from missions import selectors as mission_selectors
from missions.models import KeyTask, Mission
from reviews.conversation import conversation
from reviews.dashboards import CoachingAttention, coaching_attention
from reviews.health import health_figures

from . import charts
from .models import CheckIn, Kpi
from .summary import KpiFigures, MissionFigures, figures_for

if TYPE_CHECKING:
    from kernel.permissions import Actor

DEFAULT_CONFIDENCE: int = CheckIn._meta.get_field("confidence").default


@dataclass
class KpiRow:
    """One KPI as My work shows it: its figures, its last check-in and whether one may add one."""

    figures: KpiFigures
    can_check_in: bool

    @property
    def kpi(self) -> Kpi:
        return self.figures.kpi

    @property
    def latest(self) -> CheckIn | None:
        """The check-in the KPI stands at (shown with its comment beside the form)."""
        return self.figures.current

    @property
    def default_confidence(self) -> int:
        """The last confidence given, so that a routine check-in is value and button only."""
        confidence = self.kpi.latest_confidence
        return DEFAULT_CONFIDENCE if confidence is None else confidence

    @property
    def sparkline(self) -> SafeString:
        return charts.sparkline(self.figures)


def row_for(kpi: Kpi, actor: Actor, figures: KpiFigures | None = None) -> KpiRow:
    """The row of a KPI, with its figures (by default those of a KPI from ``kpi_of``)."""
    return KpiRow(figures=figures or figures_of(kpi), can_check_in=can(actor, Action.CHECK_IN, kpi))


MISSIONS_PER_PAGE = 20  # My work's missions, each with its KPIs and key tasks


@dataclass
class MissionWork:
    mission: Mission
    figures: MissionFigures
    kpis: list[KpiRow]
    key_tasks: list[KeyTask]


@dataclass
class Inbox:
    """What the user must do now: their open items (kernel.notifications), by group."""

    groups: list[InboxGroup]

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.groups)


@dataclass
class MyWork:
    inbox: Inbox
    missions: list[MissionWork]
    # Key tasks the user owns on missions that are not theirs, grouped by mission.
    other_key_tasks: list[tuple[Mission, list[KeyTask]]] = field(default_factory=list)
    # A coach's: what needs attention in the teams they coach.
    coaching: CoachingAttention | None = None
    # The page of the user's missions shown (``missions``), for its links to the others.
    page: Page[Mission] | None = None

    @property
    def kpi_rows(self) -> list[KpiRow]:
        return [row for work in self.missions for row in work.kpis]


def _owned_missions(actor: Actor) -> list[Mission]:
    missions = list(mission_selectors.missions_owned_by(actor=actor))
    for mission in missions:
        mission.organisation = actor.organisation  # known already: no query per mission
    return missions


def _rows(actor: Actor, missions: list[Mission]) -> dict[int, tuple[MissionFigures, list[KpiRow]]]:
    """Each mission's figures (open findings included, so that its health is the whole rule)
    and KPI rows: three queries for all of them."""
    by_id = {m.pk: m for m in missions}
    result = {}
    for pk, figures in health_figures(missions, history=True).items():
        for f in figures.kpis:
            f.kpi.mission = by_id[pk]
        result[pk] = (figures, [row_for(f.kpi, actor, f) for f in figures.kpis])
    return result


def my_kpi_rows(*, actor: Actor) -> list[KpiRow]:
    """The active KPIs of the actor's missions, as rows: three queries."""
    rows = _rows(actor, _owned_missions(actor))
    return [row for _, mission_rows in rows.values() for row in mission_rows]


def my_kpis(*, actor: Actor) -> list[Kpi]:
    """Every KPI of the actor's missions, archived ones too (a check-in on one is refused with
    its reason, not with "no such KPI"): two queries."""
    by_id = {m.pk: m for m in _owned_missions(actor)}
    kpis = list(Kpi.objects.filter(mission_id__in=by_id).order_by("mission_id", "id"))
    for kpi in kpis:
        kpi.mission = by_id[kpi.mission_id]
    return kpis


def my_work(*, actor: Actor, page: Any = 1) -> MyWork:
    """The user's inbox, then a page of their missions, each with its KPIs and key tasks.

    Queries: the page of missions and their count (2), KPIs and their check-ins (2), open
    findings (1), key tasks (1), the inbox's open items (1): seven, for any number of each.
    Someone who owns 200 missions with 600 KPIs gets them ``MISSIONS_PER_PAGE`` at a time.
    """
    chosen = Paginator(mission_selectors.missions_owned_by(actor=actor), MISSIONS_PER_PAGE)
    missions_page = chosen.get_page(page)
    missions = list(missions_page)
    for mission in missions:
        mission.organisation = actor.organisation  # known already: no query per mission
    rows = _rows(actor, missions)
    tasks: dict[int, list[KeyTask]] = {m.pk: [] for m in missions}
    others: dict[int, tuple[Mission, list[KeyTask]]] = {}
    for task in mission_selectors.key_tasks_of_actor(actor=actor, mission_ids=list(tasks)):
        task.can_edit = can(actor, Action.EDIT, task.mission)  # type: ignore[attr-defined]  # template flag
        if task.mission_id in tasks:
            tasks[task.mission_id].append(task)
        else:
            others.setdefault(task.mission_id, (task.mission, []))[1].append(task)
    work = [MissionWork(m, rows[m.pk][0], rows[m.pk][1], tasks[m.pk]) for m in missions]
    inbox = Inbox(groups=inbox_groups(open_items(actor=actor)))
    coaching = coaching_attention(actor=actor) if actor.is_coach else None
    return MyWork(
        inbox=inbox,
        missions=work,
        other_key_tasks=list(others.values()),
        coaching=coaching,
        page=missions_page,
    )


def kpi_of(*, actor: Actor, pk: int) -> Kpi:
    """A KPI of the actor's organisation (404 otherwise), with its mission and every check-in
    (authors included) in date order, each marked ``is_standing``: two queries."""
    check_ins = CheckIn.objects.in_order().with_standing().select_related("author")
    kpi = get_object_or_404(
        Kpi.objects.select_related(
            "mission__parent",
            "mission__owner_user",
            "mission__owner_team",
            "parent_kpi__mission",
        ).prefetch_related(Prefetch("check_ins", queryset=check_ins)),
        pk=pk,
        organisation=actor.organisation,
    )
    kpi.mission.organisation = actor.organisation
    return kpi


def figures_of(kpi: Kpi) -> KpiFigures:
    """The figures of a KPI from ``kpi_of``, its chart drawn from its standing check-ins."""
    standing = [
        check_in
        for check_in in kpi.check_ins.all()
        if check_in.is_standing  # type: ignore[attr-defined]  # kpi_of's Prefetch annotates it
    ]
    return figures_for(kpi, standing)


@dataclass
class HistoryEntry:
    """A check-in as the history shows it: what corrected it, and what it corrects."""

    check_in: CheckIn
    superseded_by: CheckIn | None
    corrects: CheckIn | None


def history_of(kpi: Kpi) -> list[HistoryEntry]:
    """The KPI's check-ins newest first, each with its correction (from ``kpi_of``'s list)."""
    check_ins = list(kpi.check_ins.all())
    by_id = {c.pk: c for c in check_ins}
    superseded_by = {c.supersedes_id: c for c in check_ins if c.supersedes_id}
    return [
        HistoryEntry(c, superseded_by.get(c.pk), by_id.get(c.supersedes_id or 0))
        for c in reversed(check_ins)
    ]


def conversation_of(*, actor: Actor, kpi: Kpi) -> dict[str, Any]:
    """The conversation on the KPI's page (``reviews.conversation``)."""
    action = reverse("reviews:comment-kpi", kwargs={"org": actor.organisation.slug, "pk": kpi.pk})
    return conversation(actor=actor, action=action, kpi=kpi)
