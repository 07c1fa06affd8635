"""Browser views of the alignment dashboards, the heat map and coaching notes.

Read-only pages (coaches included): every figure comes from ``reviews.dashboards``, every
permission from ``kernel.permissions``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from kernel.models import Team
from kernel.permissions import (
    Action,
    Actor,
    can,
    can_view_team_dashboard,
    dashboard_teams,
    require,
)
from kernel.replica import reads_from_replica
from kernel.spreadsheets import csv_response
from kernel.types import OrgRequest
from kernel.web import org_view
from leadership.selectors import development_plan_links
from measures.charts import sparkline
from missionlead import palette
from missions import selectors as mission_selectors
from missions.forms import CascadeFilterForm
from missions.models import Mission

from . import dashboards, svg
from .dashboard_forms import CoachingNoteForm, coachee_suggestions
from .dashboards import exports
from .services.coaching import coaching_note_create

HEAT_PAGE = 100  # children per opened branch, as on the cascade page
KPI_COLOURS = palette.STATUS
LATE = palette.DANGER


def _charts(figures: dashboards.Figures, trend: list[Any], uid: str) -> dict[str, Any]:
    return {
        "trend": svg.trend_chart(trend, uid=f"{uid}-trend", title="Alignment score, 90 days"),
        "kpis": svg.distribution_bar(
            [(label, n, KPI_COLOURS[s]) for s, label, n, _ in figures.kpi_parts],
            uid=f"{uid}-kpis",
            title="KPIs by forecast",
        ),
        "reviews": svg.distribution_bar(
            [
                ("Held on time", figures.reviews_on_time, KPI_COLOURS["on_track"]),
                ("Late or missed", figures.reviews_late, LATE),
            ],
            uid=f"{uid}-reviews",
            title="Reviews held on time",
        ),
        "kinds": svg.bar_chart(figures.kinds, uid=f"{uid}-kinds", title="Open findings by kind"),
    }


def _refused(request: OrgRequest, actor: Actor) -> HttpResponse:
    """The 403 page of the organisation dashboard, pointing staff to their team's."""
    team = (
        Team.objects.filter(pk=actor.team_id, organisation=actor.organisation).first()
        if actor.team_id is not None
        else None
    )
    context = {"team": team}
    return render(request, "reviews/dashboards/refused.html", context, status=403)


def _team_for(request: OrgRequest, pk: int) -> tuple[Team, Actor]:
    """The team of this organisation whose dashboard the actor may open (404 / 403)."""
    actor = request.actor
    team = get_object_or_404(
        Team.objects.select_related("leader", "parent"), pk=pk, organisation=actor.organisation
    )
    team.organisation = actor.organisation
    if not can_view_team_dashboard(actor, team, dashboard_teams(actor)):
        raise PermissionDenied("This team is outside the teams you may see.")
    return team, actor


@require_GET
@org_view
@reads_from_replica
def organisation_dashboard(request: OrgRequest) -> HttpResponse:
    """The organisation's figures and its teams; for a team-scoped coach, their teams."""
    actor = request.actor
    try:
        require(actor, Action.VIEW_DASHBOARD)
    except PermissionDenied:
        return _refused(request, actor)
    board = dashboards.organisation_dashboard(
        organisation=actor.organisation,
        scope=dashboard_teams(actor),
        sort=request.GET.get("sort", ""),
        page=request.GET.get("page"),
    )
    context = {
        "board": board,
        "charts": _charts(board.figures, board.trend, "org"),
        "page": board.page,
    }
    return render(request, "reviews/dashboards/organisation.html", context)


def _team_context(board: dashboards.TeamDashboard) -> dict[str, Any]:
    return {
        "kpi_rows": [(f, sparkline(f)) for f in board.kpis],
        "today": timezone.localdate(),
        "limit": dashboards.LIST_LIMIT,
        "kpi_limit": dashboards.KPI_LIMIT,
    }


@require_GET
@org_view
@reads_from_replica
def team_dashboard(request: OrgRequest, pk: int) -> HttpResponse:
    """One team with its sub-teams."""
    team, actor = _team_for(request, pk)
    board = dashboards.team_dashboard(
        team=team, sort=request.GET.get("sort", ""), page=request.GET.get("page")
    )
    context = {
        "board": board,
        "charts": _charts(board.figures, board.trend, f"team-{team.pk}"),
        "is_coach": actor.is_coach,
        **_team_context(board),
    }
    return render(request, "reviews/dashboards/team.html", context)


@require_GET
@org_view
@reads_from_replica
def team_print(request: OrgRequest, pk: int) -> HttpResponse:
    """The team's dashboard on paper, for a review meeting: the worst 50 missions."""
    team, _ = _team_for(request, pk)
    board = dashboards.team_dashboard(team=team, sort="score", per_page=dashboards.LIST_LIMIT)
    context = {
        "board": board,
        "charts": _charts(board.figures, board.trend, f"print-{team.pk}"),
        "printed_on": timezone.localdate(),
        **_team_context(board),
    }
    return render(request, "reviews/dashboards/team_print.html", context)


# --- CSV exports --------------------------------------------------------------------------

TEAM_HEADER = [
    "Team",
    "Parent team",
    "Leader",
    "Missions",
    "Alignment score",
    "Open findings",
    "Critical findings",
    "KPIs",
    "On track %",
    "At risk %",
    "Off track %",
    "Not enough data %",
    "Reviews due (90 days)",
    "Held on time",
    "Review compliance %",
]


class _Echo:
    """A file-like object that hands back what is written, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    """A value for a spreadsheet: rounded, and text never read as a formula."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 1)
    text = str(value)
    return "'" + text if text.startswith(exports.FORMULA_STARTS) else text


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def _figures_cells(f: dashboards.Figures) -> list[Any]:
    return [
        f.missions,
        f.score,
        f.open_findings,
        f.critical_findings,
        f.kpi_total,
        *(_percent(f.kpi_share(s)) for s in dashboards.STATUSES),
        f.reviews_due,
        f.reviews_on_time,
        _percent(f.compliance),
    ]


def _team_cells(row: dashboards.TeamRow, names: dict[int, str]) -> list[Any]:
    team = row.team
    parent = names.get(team.parent_id or 0, "")
    return [team.name, parent, team.leader_name, *_figures_cells(row.figures)]


def _csv(filename: str, rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(v) for v in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _team_table(
    total_label: str, total: dashboards.Figures, rows: Iterable[dashboards.TeamRow]
) -> Iterator[list[Any]]:
    yield TEAM_HEADER
    yield [total_label, "", "", *_figures_cells(total)]
    names: dict[int, str] = {}  # depth first: each team's parent comes before it
    for row in rows:
        names[row.team.pk] = row.team.name
        yield _team_cells(row, names)


@require_GET
@org_view
def organisation_export(request: OrgRequest) -> StreamingHttpResponse:
    """The table of teams as CSV, the organisation (or the coach's teams) first."""
    actor = request.actor
    require(actor, Action.VIEW_DASHBOARD)
    board = dashboards.organisation_dashboard(
        organisation=actor.organisation, scope=dashboard_teams(actor), sort="tree"
    )
    label = "Whole organisation" if board.scope is None else "Teams you coach"
    day = timezone.localdate().isoformat()
    return _csv(
        f"{actor.organisation.slug}-teams-{day}.csv", _team_table(label, board.figures, board.table)
    )


@require_GET
@org_view
def team_export(request: OrgRequest, pk: int) -> StreamingHttpResponse:
    """The team and its sub-teams as CSV; ``?table=missions``: all their active missions."""
    team, actor = _team_for(request, pk)
    day = timezone.localdate().isoformat()
    if request.GET.get("table") == "missions":
        missions = (
            dashboards.missions_in_scope(organisation=actor.organisation, scope=[team])
            .filter(status=Mission.Status.ACTIVE)
            .with_owner()
            .order_by("path", "id")
        )
        return csv_response(
            f"{actor.organisation.slug}-team-{team.pk}-missions-{day}.csv",
            exports.MISSION_HEADER,
            exports.MISSION_KINDS,
            exports.mission_query(missions),
        )
    own = dashboards.figures_by_team(organisation=actor.organisation, scope=[team])
    teams = dashboards.team_infos(organisation=actor.organisation, scope=[team])
    rows = dashboards.team_rows(teams, own)
    total = rows[0].figures if rows else dashboards.Figures()
    return _csv(
        f"{actor.organisation.slug}-team-{team.pk}-{day}.csv",
        _team_table(f"{team.name} with its sub-teams", total, rows[1:]),
    )


# --- The heat map -------------------------------------------------------------------------


def _heat_scope(request: OrgRequest) -> tuple[Actor, dashboards.Scope]:
    actor = request.actor
    require(actor, Action.VIEW_DASHBOARD)
    return actor, dashboard_teams(actor)


@require_GET
@org_view
@reads_from_replica
def heatmap(request: OrgRequest) -> HttpResponse:
    """The cascade coloured by health, with each score, with the cascade page's filters."""
    actor, scope = _heat_scope(request)
    organisation = actor.organisation
    form = CascadeFilterForm(request.GET or None, organisation=organisation)
    context: dict[str, Any] = {"form": form, "scope": scope}
    if form.is_bound and form.is_valid() and form.has_filters():
        matches = mission_selectors.cascade_search(actor=actor, **form.cleaned_data)
        if scope is not None:  # a team coach: their teams' missions (else all of them)
            in_scope = dashboards.missions_in_scope(organisation=organisation, scope=scope)
            matches = matches.filter(pk__in=in_scope.values("pk"))
        # The page first, then the health of its missions only.
        page = mission_selectors.search_page(
            matches, request.GET.get("page"), extras=dashboards.with_health_and_score
        )
        context.update(
            page=page,
            results=dashboards.heat_nodes(list(page), organisation=organisation),
            trails=mission_selectors.ancestor_titles(missions=list(page)),
        )
    else:
        roots = list(dashboards.heat_roots(organisation=organisation, scope=scope))
        context["nodes"] = dashboards.heat_nodes(roots, organisation=organisation)
    return render(request, "reviews/dashboards/heatmap.html", context)


@require_GET
@org_view
@reads_from_replica
def heatmap_children(request: OrgRequest, pk: int) -> HttpResponse:
    """One opened branch of the heat map (htmx partial, or a page without JavaScript)."""
    actor, scope = _heat_scope(request)
    mission = get_object_or_404(
        Mission.objects.select_related("organisation"), pk=pk, organisation=actor.organisation
    )
    if scope is not None and not _mission_in_scope(mission, scope):
        raise PermissionDenied("This mission is outside the teams you coach.")
    page = Paginator(dashboards.heat_children(mission=mission, scope=scope), HEAT_PAGE).get_page(
        request.GET.get("page")
    )
    nodes = dashboards.heat_nodes(list(page), organisation=actor.organisation)
    context = {"parent": mission, "nodes": nodes, "page": page}
    if request.htmx and not request.htmx.boosted:
        return render(request, "reviews/dashboards/partials/heat_nodes.html", context)
    return render(request, "reviews/dashboards/heatmap_branch.html", context)


def _mission_in_scope(mission: Mission, scope: list[Team]) -> bool:
    return (
        dashboards.missions_in_scope(organisation=mission.organisation, scope=scope)
        .filter(pk=mission.pk)
        .exists()
    )


# --- Coaching notes -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view
def coaching(request: OrgRequest) -> HttpResponse:
    """The notes the user may read; coaches also write one here about a member."""
    actor = request.actor
    form = None
    if request.method == "POST":
        require(actor, Action.WRITE_COACHING_NOTE)
    if can(actor, Action.WRITE_COACHING_NOTE):
        coachees = dashboards.coachees_for(
            organisation=actor.organisation, scope=dashboard_teams(actor), coach=actor.user
        )
        form = CoachingNoteForm(
            request.POST or None,
            organisation=actor.organisation,
            coachees=coachees,
            initial={"coachee": request.GET.get("coachee")},
        )
        if request.method == "POST" and form.is_valid():
            coachee = form.cleaned_data["coachee"]
            coaching_note_create(actor=actor, coachee=coachee, body=form.cleaned_data["body"])
            name = coachee.user.get_full_name() or coachee.user.get_username()
            messages.success(request, f"Note saved. Only you and {name} can read it.")
            return redirect("dashboards:coaching", org=actor.organisation.slug)
    written, received = dashboards.coaching_notes_for(actor=actor)
    by_coachee: dict[int, tuple[Any, list[Any]]] = {}
    for note in written:
        by_coachee.setdefault(note.coachee_id, (note.coachee, []))[1].append(note)
    # Each person's development plan, where the notes' reader may read it.
    plans = development_plan_links(actor=actor, person_ids=[*by_coachee, actor.user.pk])
    context = {
        "form": form,
        "by_coachee": [
            (coachee, notes, plans.get(pk)) for pk, (coachee, notes) in by_coachee.items()
        ],
        "received": received,
        "own_plan": plans.get(actor.user.pk),
    }
    status = 400 if form is not None and form.is_bound and not form.is_valid() else 200
    return render(request, "reviews/coaching/notes.html", context, status=status)


@require_safe
@org_view
def coaching_pick(request: OrgRequest) -> HttpResponse:
    """The coach's suggestions for the note's coachee (static/js/combobox.js): members of the
    teams they coach whose name holds ``?q=``."""
    actor = request.actor
    require(actor, Action.WRITE_COACHING_NOTE)
    coachees = dashboards.coachees_for(
        organisation=actor.organisation, scope=dashboard_teams(actor), coach=actor.user
    )
    options = [
        {
            "value": m.pk,
            "label": m.user.get_full_name() or m.user.get_username(),
            "detail": m.team.name if m.team else "no team",
        }
        for m in coachee_suggestions(coachees, request.GET.get("q", ""))
    ]
    return render(
        request, "missions/partials/pick_options.html", {"options": options, "kind": "coachee"}
    )
