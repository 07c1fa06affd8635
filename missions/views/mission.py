"""One mission: its page, writing and editing it, and the actions on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kernel.errors import StateConflict
from kernel.forms import add_service_errors, save_versioned
from kernel.permissions import Action, Actor, abilities, answers_for_priorities, can, require
from kernel.types import OrgRequest
from kernel.validators import parse_id
from kernel.web import actor_of, org_view
from leadership.forms import AnswerForm, ChallengeForm, challenges_with_forms
from leadership.selectors import challenges_of, contributions_of_mission, innovation_of
from measures import missions as mission_use_cases
from measures import services as measures_services
from measures.forms import KpiForm
from measures.models import Kpi
from reviews.conversation import conversation

from .. import selectors, services
from ..forms import (
    CarryOverForm,
    CommentForm,
    InterdependencyEditForm,
    InterdependencyForm,
    KeyTaskEditForm,
    KeyTaskForm,
    MissionForm,
    SendBackForm,
)
from ..models import Interdependency, KeyTask, Mission, MissionTemplate
from ..operating_space import space_left
from .common import get_mission_for
from .mission_page import intents_above, mission_page

# The buttons and forms of the mission page, and the action each needs.
MISSION_PAGE_ACTIONS = {
    "edit": Action.EDIT,
    "propose": Action.PROPOSE,
    "align": Action.ALIGN,
    "create_child": Action.CREATE_CHILD,
    "check_in": Action.CHECK_IN,
    "answer_links": Action.EDIT,
    "save_as_template": Action.SAVE_AS_TEMPLATE,
}


def _to_mission(mission: Mission) -> HttpResponse:
    return redirect("missions:detail", org=mission.organisation.slug, pk=mission.pk)


@org_view
@require_safe
def mission_detail(request: OrgRequest, pk: int) -> HttpResponse:
    """The mission beside its 1-up and 2-up intent, with everything that delivers it."""
    return render_mission_page(request, get_mission_for(request, pk))


def render_mission_page(
    request: OrgRequest,
    mission: Mission,
    *,
    status: int = 200,
    answer_forms: dict[int, AnswerForm] | None = None,
    **posted: Any,
) -> HttpResponse:
    """The mission page (``mission_page`` reads it); ``posted``: forms as posted, with their
    errors (``answer_forms``: the answer to a challenge, by the challenge's id)."""
    actor = actor_of(request)
    may = abilities(actor, mission, MISSION_PAGE_ACTIONS)
    page = mission_page(actor=actor, mission=mission, may=may)
    context = {
        **page,
        "can": may,
        "kpi_form": KpiForm(mission=mission, prefix="kpi") if may["edit"] else None,
        "task_form": KeyTaskForm(mission=mission, prefix="task") if may["edit"] else None,
        "link_form": (
            InterdependencyForm(
                mission=mission, actor=actor, prefix="link", tasks=page["key_tasks"]
            )
            if may["edit"]
            else None
        ),
        "comment_form": CommentForm(),
        "send_back_form": SendBackForm(),
        # "Be brave": anyone challenges the mission's priorities; who sets them answers.
        "challenges": challenges_with_forms(
            challenges_of(mission=mission),
            may_answer=answers_for_priorities(actor, mission),
            posted=answer_forms or {},
        ),
        "challenge_form": ChallengeForm(mission=mission, actor=actor),
        # Innovation: its challenges, and the ideas it took forward (credited).
        **innovation_of(mission=mission),
        # Coalitions: the coalitions' missions it is offered or aligned to.
        "contributions": contributions_of_mission(mission=mission),
        # The conversation on the mission and its key tasks.
        **conversation(
            actor=actor,
            action=reverse(
                "reviews:comment-mission",
                kwargs={"org": mission.organisation.slug, "pk": mission.pk},
            ),
            mission=mission,
        ),
        **posted,
    }
    return render(request, "missions/mission_detail.html", context, status=status)


def _parent_from(request: OrgRequest) -> Mission | None:
    """The mission of ``?parent=``; what is not an id names no mission: 404, as a missing one."""
    raw = request.GET.get("parent") or request.POST.get("parent")
    if not raw:
        return None
    pk = parse_id(raw)
    if pk is None:
        raise Http404
    return get_mission_for(request, pk, Action.CREATE_CHILD)


def _intents_above(request: OrgRequest, parent: Mission | None) -> list[Any]:
    """The 1-up and 2-up intent beside the form, as the mission page shows them (the CEO's
    intent above the organisation missions)."""
    above = [m for m in (parent.parent if parent else None, parent) if m is not None]
    return intents_above(above, selectors.vision_of(organisation=actor_of(request).organisation))


@org_view
@require_http_methods(["GET", "POST"])
def mission_create(request: OrgRequest) -> HttpResponse:
    """Write a mission under ``?parent=<id>`` (or a top mission), with a first KPI and task."""
    parent = _parent_from(request)
    if parent is None:
        require(actor_of(request), Action.CREATE_TOP_MISSION)
    return mission_form_page(request, parent=parent)


# What writes the mission of the form: ``mission_create_with_first_steps``'s arguments.
CreateMission = Callable[..., Mission]


def mission_form_page(
    request: OrgRequest,
    *,
    parent: Mission | None,
    initial: dict[str, Any] | None = None,
    create: CreateMission = mission_use_cases.mission_create_with_first_steps,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page that writes a new mission under ``parent`` (the caller has checked that the
    actor may), its fields first set from ``initial`` over the usual defaults, saved through
    ``create``: another app writes a mission and what it links to it in one transaction (an
    idea taken forward as a mission).

    ``?template=<key>`` starts it from a template (``selectors.template_for_key``; anything
    else answers 404): its words and operating space fill the form, and each of its KPIs and
    key tasks is a form of its own, saved with the mission unless its name is cleared."""
    actor = actor_of(request)
    template = _template_from(request, actor)
    from_template = selectors.mission_initial_of(template) if template else {}
    initial = {**_child_defaults(actor, parent), **from_template, **(initial or {})}
    space = space_left(parent) if parent else None
    form = MissionForm(
        request.POST or None, initial=initial, actor=actor, parent=parent, space=space
    )
    # The key task belongs to the new mission: its owner is picked among the new mission's
    # owner team, not the parent's.
    draft = _draft_of(form, parent=parent, actor=actor)
    due = initial.get("period_end")
    kpi_steps = [
        _first_step(
            request,
            KpiForm,
            prefix=_step_prefix("kpi", number),
            mission=draft,
            **_from_template(kpi and {**kpi, "due_date": due}, decides="name"),
        )
        for number, kpi in enumerate((template.kpis if template else None) or [None])
    ]
    task_steps = [
        _first_step(
            request,
            KeyTaskForm,
            prefix=_step_prefix("task", number),
            mission=draft,
            picks_team_from=form["owner_team"].id_for_label,
            **_from_template(title and {"title": title}, decides="title"),
        )
        for number, title in enumerate((template.key_tasks if template else None) or [None])
    ]
    steps = [*kpi_steps, *task_steps]
    if request.method == "POST":
        valid = form.is_valid()
        for step_form, wanted in steps:
            valid &= not wanted or step_form.is_valid()
        if valid:
            kpis = [f.cleaned_data if wanted else None for f, wanted in kpi_steps]
            tasks = [f.cleaned_data if wanted else None for f, wanted in task_steps]
            more: dict[str, Any] = {}
            if template is not None:
                more = {"more_kpis": kpis[1:], "more_tasks": tasks[1:], "template": template}
            try:
                mission = create(
                    organisation=actor.organisation,
                    data={**form.cleaned_data, "parent": parent},
                    first_kpi=kpis[0],
                    first_task=tasks[0],
                    by=request.user,
                    **more,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The mission is saved as a draft. Propose it when ready.")
                return _to_mission(mission)
    page = {
        "form": form,
        "kpi_form": kpi_steps[0][0],
        "task_form": task_steps[0][0],
        "kpi_forms": [f for f, _ in kpi_steps],
        "task_forms": [f for f, _ in task_steps],
        "template": template,
        "templates": selectors.templates_offered(organisation=actor.organisation),
        "parent": parent,
        "intents_above": _intents_above(request, parent),
        "space": space,
        **(context or {}),
    }
    refused = form.errors or any(f.errors for f, _ in steps)
    return render(request, "missions/mission_form.html", page, status=400 if refused else 200)


def _template_from(request: OrgRequest, actor: Actor) -> MissionTemplate | None:
    """The template of ``?template=`` (or as posted with the form); one that is not offered
    to this organisation answers 404, as another organisation's object does."""
    key = request.GET.get("template") or request.POST.get("template")
    if not key:
        return None
    template = selectors.template_for_key(organisation=actor.organisation, key=key)
    if template is None:
        raise Http404
    return template


def _step_prefix(prefix: str, number: int) -> str:
    """The first KPI or key task has the page's usual prefix; a template's next ones follow."""
    return prefix if number == 0 else f"{prefix}-{number + 1}"


def _from_template(initial: dict[str, Any] | None, *, decides: str) -> dict[str, Any]:
    """A step's arguments for a template's KPI or key task: its values, and the field whose
    clearing leaves it out."""
    return {"initial": initial, "decides": decides} if initial else {}


_FirstStep = TypeVar("_FirstStep", KpiForm, KeyTaskForm)


def _first_step(
    request: OrgRequest,
    form_class: type[_FirstStep],
    *,
    prefix: str,
    initial: dict[str, Any] | None = None,
    decides: str | None = None,
    **kwargs: Any,
) -> tuple[_FirstStep, bool]:
    """The first KPI or key task written with a mission, and whether it is wanted: optional.

    It is wanted (bound, so validated, its errors shown) once something is typed in one of its
    fields that has no default; a figure typed without a name is then asked for its name, not
    dropped. Not wanted, it comes back with what was posted, so nothing typed is lost when the
    page comes back for the mission's own errors. A template's (``initial``: its values) is
    wanted while its ``decides`` field (its name, its title) is not cleared."""
    kwargs.update(prefix=prefix, use_required_attribute=False)
    blank = form_class(**kwargs)
    if request.method != "POST":
        return (form_class(initial=initial, **kwargs) if initial else blank), False
    posted = {
        name: request.POST[key]
        for name in blank.fields
        if (key := blank.add_prefix(name)) in request.POST
    }
    if decides is not None:
        wanted = bool(posted.get(decides, "").strip())
    else:
        wanted = any(
            value.strip() for name, value in posted.items() if blank[name].initial in (None, "")
        )
    if wanted:
        return form_class(request.POST, **kwargs), True
    return form_class(initial=posted, **kwargs), False


def _draft_of(form: MissionForm, *, parent: Mission | None, actor: Actor) -> Mission:
    """The mission being written, as far as the form tells its owner (as posted, else as
    offered): the key task written with it is owned among its people."""
    individual = form["level"].value() == Mission.Level.INDIVIDUAL
    team = None if individual else form.given_owner("owner_team")
    user = (form.given_owner("owner_user") or actor.user) if individual else None
    return Mission(
        parent=parent,
        organisation=actor.organisation,
        owner_team_id=team.pk if team else None,
        owner_user_id=user.pk if user else None,
    )


def _child_defaults(actor: Actor, parent: Mission | None) -> dict[str, Any]:
    """Level, period and owner that a new mission under ``parent`` most likely has."""
    if parent is None:
        today = timezone.localdate()
        return {
            "level": Mission.Level.ORGANISATION,
            "period_start": today,
            "period_end": today.replace(year=today.year + 1),
        }
    owns_parent = actor.owns(parent)
    level = Mission.Level.TEAM if owns_parent or parent.level == "organisation" else "individual"
    led = sorted(actor.led_team_ids)
    return {
        "level": level,
        "period_start": parent.period_start,
        "period_end": parent.period_end,
        "owner_user": actor.user.pk,
        "owner_team": led[0] if led else None,
    }


@org_view
@require_http_methods(["GET", "POST"])
def mission_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Edit a mission and its operating space. A save made on an older version than the one
    stored comes back (409) with the user's values, and says who changed the mission when."""
    actor = actor_of(request)
    mission = get_mission_for(request, pk, Action.EDIT)
    parent = mission.parent
    space = space_left(parent, excluding=mission.pk) if parent else None
    form = MissionForm(
        request.POST or None, instance=mission, actor=actor, parent=parent, space=space
    )
    conflict = None
    if request.method == "POST":
        saved, conflict = save_versioned(
            form, partial(services.mission_update, mission=mission, by=request.user)
        )
        if saved:
            messages.success(request, "The mission is saved.")
            return _to_mission(mission)
    context = {
        "form": form,
        "conflict": conflict,
        "mission": mission,
        "parent": parent,
        "intents_above": _intents_above(request, parent),
        "space": space,
    }
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, "missions/mission_form.html", context, status=status)


def _alignment_action(
    request: OrgRequest,
    pk: int,
    action: Action,
    service: Callable[..., Mission],
    form: CommentForm | SendBackForm,
    page_form: str,
) -> HttpResponse:
    """Propose, align or send back. A comment the form or the service refuses (an empty
    reason to send back) comes back on its field, on the mission page (400); a decision the
    mission's state refuses (someone decided first) is said above the page."""
    mission = get_mission_for(request, pk, action)
    if form.is_valid():
        try:
            service(mission=mission, by=request.user, comment=form.cleaned_data["comment"])
        except StateConflict as error:
            messages.error(request, " ".join(error.messages))
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        posted: dict[str, Any] = {page_form: form}
        return render_mission_page(request, mission, status=400, **posted)
    return _to_mission(mission)


@org_view
@require_POST
def mission_propose(request: OrgRequest, pk: int) -> HttpResponse:
    return _alignment_action(
        request,
        pk,
        Action.PROPOSE,
        services.mission_propose,
        CommentForm(request.POST),
        "comment_form",
    )


@org_view
@require_POST
def mission_align(request: OrgRequest, pk: int) -> HttpResponse:
    return _alignment_action(
        request, pk, Action.ALIGN, services.mission_align, CommentForm(request.POST), "comment_form"
    )


@org_view
@require_POST
def mission_send_back(request: OrgRequest, pk: int) -> HttpResponse:
    return _alignment_action(
        request,
        pk,
        Action.ALIGN,
        services.mission_send_back,
        SendBackForm(request.POST),
        "send_back_form",
    )


@org_view
@require_POST
def mission_archive(request: OrgRequest, pk: int) -> HttpResponse:
    mission = get_mission_for(request, pk, Action.ARCHIVE)
    services.mission_archive(mission=mission, by=request.user)
    messages.success(request, "The mission is archived. Nothing was deleted.")
    return _to_mission(mission)


@org_view
@require_http_methods(["GET", "POST"])
def mission_carry_over(request: OrgRequest, pk: int) -> HttpResponse:
    """Copy the mission into the next period, with its KPIs and open key tasks."""
    mission = get_mission_for(request, pk, Action.EDIT)
    suggested = services.mission_next_period(mission)
    initial: dict[str, Any] = (
        dict(zip(("period_start", "period_end"), suggested, strict=True)) if suggested else {}
    )
    # A mission in one of the organisation's periods moves to the one after it, of its kind.
    initial["period"] = services.mission_next_planning_period(mission)
    form = CarryOverForm(request.POST or None, initial=initial, organisation=mission.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            copy = mission_use_cases.mission_carry_over(
                mission=mission, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Carried over into the next period.")
            return _to_mission(copy)
    return render(request, "missions/mission_carry_over.html", {"mission": mission, "form": form})


def _add_to_mission(
    request: OrgRequest, mission: Mission, form: Any, save: Any, done: str
) -> HttpResponse:
    """The small forms of the mission page: bind, call one service, say how it went, go back.

    Form errors and the service's ``ValidationError`` both come back as one message."""
    if not form.is_valid():
        messages.error(request, _error_text(form))
    else:
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    return _to_mission(mission)


@org_view
@require_POST
def kpi_create(request: OrgRequest, pk: int) -> HttpResponse:
    mission = get_mission_for(request, pk, Action.EDIT)
    return _add_to_mission(
        request,
        mission,
        KpiForm(request.POST, prefix="kpi", mission=mission),
        lambda data: measures_services.kpi_create(mission=mission, data=data, by=request.user),
        "The KPI is added.",
    )


@org_view
@require_POST
def key_task_create(request: OrgRequest, pk: int) -> HttpResponse:
    mission = get_mission_for(request, pk, Action.EDIT)
    return _add_or_show(
        request,
        mission,
        KeyTaskForm(request.POST, prefix="task", mission=mission),
        "task_form",
        lambda data: services.key_task_create(mission=mission, data=data, by=request.user),
        "The key task is added.",
    )


def _add_or_show(
    request: OrgRequest, mission: Mission, form: Any, page_form: str, save: Any, done: str
) -> HttpResponse:
    """A form of the mission page with a choice typed in a picker: what is refused comes back
    on its field, with everything typed kept (the page again, 400), rather than as a message
    above an emptied form."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _to_mission(mission)
    return render_mission_page(request, mission, status=400, **{page_form: form})


@org_view
@require_POST
def key_task_update(request: OrgRequest, pk: int) -> HttpResponse:
    """Change a key task's status; htmx swaps the row in place."""
    actor = actor_of(request)
    task = get_object_or_404(
        KeyTask.objects.select_related("mission__parent", "owner"),
        pk=pk,
        mission__organisation=actor.organisation,
    )
    require(actor, Action.EDIT, task.mission)
    status = request.POST.get("status", "")
    if status in KeyTask.Status.values:
        task = services.key_task_update(task=task, data={"status": status}, by=request.user)
    if request.htmx:
        # The row comes back as the page drew it: with the move tool where it had one.
        context = {"task": task, "can_edit": True, "can_move": bool(request.POST.get("move_tool"))}
        return render(request, "missions/partials/key_task_row.html", context)
    return _to_mission(task.mission)


@org_view
@require_http_methods(["GET", "POST"])
def key_task_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Edit everything of a key task the API can change (``key_task_update``, as the API's
    PATCH). A save made on an older version than the one stored comes back (409) with the
    user's values, and says who changed the task when."""
    actor = actor_of(request)
    task = get_object_or_404(
        KeyTask.objects.select_related(
            "owner", "mission__owner_team__leader", "mission__owner_user", "mission__parent"
        ),
        pk=pk,
        mission__organisation=actor.organisation,
    )
    task.mission.organisation = actor.organisation
    require(actor, Action.EDIT, task.mission)
    form = KeyTaskEditForm(request.POST or None, instance=task, mission=task.mission)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_versioned(
            form, partial(services.key_task_update, task=task, by=request.user)
        )
        if saved:
            messages.success(request, "The key task is saved.")
            return redirect(
                reverse(
                    "missions:detail",
                    kwargs={"org": actor.organisation.slug, "pk": task.mission_id},
                )
                + f"#key-task-{task.pk}"
            )
    status = 409 if conflict else 400 if form.errors else 200
    context = {"task": task, "mission": task.mission, "form": form, "conflict": conflict}
    return render(request, "missions/key_task_form.html", context, status=status)


@org_view
@require_POST
def link_create(request: OrgRequest, pk: int) -> HttpResponse:
    """Ask another mission for support, or offer yours."""
    mission = get_mission_for(request, pk, Action.EDIT)
    actor = actor_of(request)
    form = InterdependencyForm(request.POST, prefix="link", mission=mission, actor=actor)
    return _add_or_show(
        request,
        mission,
        form,
        "link_form",
        lambda data: services.interdependency_create(
            from_mission=mission,
            to_mission=data["to_mission"],
            kind=data["kind"],
            description=data["description"],
            by=request.user,
            for_task=data.get("for_task"),
        ),
        "The link is proposed; the other side is notified.",
    )


@org_view
@require_http_methods(["GET", "POST"])
def link_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Correct what an open link says (``interdependency_update``, as the API's PATCH): the
    asking side, who wrote it. A save made on an older version than the one stored comes
    back (409) with the user's values, and says who changed the link when."""
    actor = actor_of(request)
    link = get_object_or_404(
        Interdependency.objects.select_related(
            "for_task",
            "from_mission__owner_team__leader",
            "from_mission__owner_user",
            "from_mission__parent",
            "to_mission",
        ),
        pk=pk,
        organisation=actor.organisation,
    )
    link.from_mission.organisation = actor.organisation
    require(actor, Action.EDIT, link.from_mission)
    form = InterdependencyEditForm(request.POST or None, instance=link)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_versioned(
            form, partial(services.interdependency_update, link=link, by=request.user)
        )
        if saved:
            messages.success(request, "The link is saved.")
            return redirect(
                reverse(
                    "missions:detail",
                    kwargs={"org": actor.organisation.slug, "pk": link.from_mission_id},
                )
                + f"#link-{link.pk}"
            )
    status = 409 if conflict else 400 if form.errors else 200
    context = {"link": link, "mission": link.from_mission, "form": form, "conflict": conflict}
    return render(request, "missions/link_form.html", context, status=status)


@org_view
@require_POST
def link_respond(request: OrgRequest, pk: int) -> HttpResponse:
    """The asked side acknowledges, declines or resolves a link."""
    actor = actor_of(request)
    link = get_object_or_404(
        Interdependency.objects.select_related("from_mission", "to_mission__parent"),
        pk=pk,
        organisation=actor.organisation,
    )
    require(actor, Action.EDIT, link.to_mission)
    try:
        services.interdependency_respond(
            link=link, status=request.POST.get("status", ""), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _to_mission(link.to_mission)


@org_view
@require_POST
def mission_move_item(request: OrgRequest, pk: int) -> HttpResponse:
    """Move a KPI or a key task of this mission to another mission one may edit."""
    actor = actor_of(request)
    mission = get_mission_for(request, pk, Action.EDIT)
    # The picker sends the mission's number; typed by hand, its number or exact title.
    named = selectors.missions_named(
        actor=actor, text=request.POST.get("to_mission", ""), editable=True
    )
    target = named[0] if len(named) == 1 else None
    if target is None or not can(actor, Action.EDIT, target):
        messages.error(request, "Choose a mission of this organisation that you may edit.")
        return _to_mission(mission)
    item_id = parse_id(request.POST.get("item")) or 0
    if request.POST.get("kind") == "kpi":
        kpi = get_object_or_404(
            Kpi.objects.select_related("parent_kpi"), pk=item_id, mission=mission
        )
        measures_services.kpi_move(kpi=kpi, to_mission=target, by=request.user)
    else:
        task = get_object_or_404(KeyTask, pk=item_id, mission=mission)
        services.key_task_move(task=task, to_mission=target, by=request.user)
    messages.success(request, f"Moved to “{target.title}”.")
    return _to_mission(mission)


def _error_text(form: Any) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".strip(": ")
        for f, e in form.errors.items()
    )
