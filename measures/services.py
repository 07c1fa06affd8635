"""Writes for KPIs and check-ins: atomic, validated, attributed."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from kernel import webhooks
from kernel.audit import apply_changes, audit_record, refuse_if_changed_since
from kernel.errors import StateConflict
from kernel.models import AuditEvent
from kernel.notifications import cause_of, notifications_done
from missionlead.emails import absolute_url
from missions.services.checks import request_alignment_check

from .calibrating import calibration_of, learn_calibration
from .figures import FIGURE_FIELDS, ROLLUP_FIELDS, kpi_figures, rollup_of
from .forecast import Calibration
from .models import CheckIn, Kpi
from .querysets import ORDER

if TYPE_CHECKING:
    from decimal import Decimal

    from kernel.types import User
    from missions.models import Mission

logger = logging.getLogger(__name__)
KPI_FIELDS = (
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_max",
    "due_date",
    "cadence_days",
    "weight",
    "parent_kpi",
)


def _check_parent_kpi(kpi: Kpi) -> None:
    parent = kpi.parent_kpi
    if parent is None:
        return
    if parent.organisation_id != kpi.organisation_id:
        raise ValidationError({"parent_kpi": "That KPI belongs to another organisation."})
    if kpi.mission.parent_id is not None and parent.mission_id != kpi.mission.parent_id:
        raise ValidationError({"parent_kpi": "Link a KPI of the parent mission."})


@transaction.atomic
def kpi_create(*, mission: Mission, data: dict[str, Any], by: User | None) -> Kpi:
    """Add a measure of success to a mission."""
    kpi = Kpi(mission=mission, organisation_id=mission.organisation_id, created_by=by)
    apply_changes(kpi, data, KPI_FIELDS)
    _check_parent_kpi(kpi)
    kpi.full_clean()
    kpi.save()
    kpi_refresh_rollups(kpi_ids=[kpi.parent_kpi_id])  # one more contributor, at 0 so far
    audit_record(
        obj=kpi,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        mission=mission,
    )
    request_alignment_check(mission)
    return kpi


@transaction.atomic
def kpi_update(
    *, kpi: Kpi, data: dict[str, Any], by: User, read_at: dt.datetime | None = None
) -> Kpi:
    """Change a KPI's definition; its check-ins stay as they are.

    The changes apply to the stored row, read again under a row lock (as ``mission_update``
    does): saving the caller's copy would write back every other field as it was read, undoing
    a change made in the meantime. Callers use the returned KPI. ``read_at`` is the version
    the changes were made on (the edit page's): a KPI changed since is not overwritten, and
    ``EditConflict`` says who changed it and when. (Check-ins move its figures, not its
    version.)
    """
    kpi = (
        Kpi.objects.select_for_update(of=("self",))
        .select_related("mission__organisation")
        .get(pk=kpi.pk)
    )
    refuse_if_changed_since(kpi, read_at=read_at, noun="KPI")
    old_parent_id = kpi.parent_kpi_id
    changes = apply_changes(kpi, data, KPI_FIELDS)
    if not changes:
        return kpi
    _check_parent_kpi(kpi)
    kpi.full_clean()
    kpi.save()
    # A new target or due date changes progress and forecast, a new weight the parent's
    # roll-up; a new parent KPI takes it from the old one's (both refreshed at once, so that
    # their rows are locked in id order).
    _store_figures(kpi)
    kpi_refresh_rollups(kpi_ids=[old_parent_id, kpi.parent_kpi_id])
    audit_record(
        obj=kpi,
        organisation=kpi.mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=kpi.mission,
        changes=changes,
    )
    request_alignment_check(kpi.mission)
    return kpi


@transaction.atomic
def kpi_record_value(
    *,
    kpi: Kpi,
    value: Decimal,
    by: User,
    confidence: int = 70,
    comment: str = "",
    recorded_on: dt.date | None = None,
    supersedes: CheckIn | None = None,
) -> CheckIn:
    """Append a check-in. A correction is a new check-in that supersedes an earlier one."""
    today = timezone.localdate()
    recorded_on = recorded_on or today
    if kpi.status != Kpi.Status.ACTIVE:
        raise StateConflict("This KPI is archived; it takes no more check-ins.")
    if recorded_on > today:
        raise ValidationError({"recorded_on": "The date cannot be in the future."})
    if supersedes is not None and supersedes.kpi_id != kpi.pk:
        raise ValidationError({"supersedes": "That check-in belongs to another KPI."})
    check_in = CheckIn(
        kpi=kpi,
        value=value,
        confidence=confidence,
        comment=comment,
        recorded_on=recorded_on,
        author=by,
        supersedes=supersedes,
    )
    check_in.full_clean()
    check_in.save()
    # Lock the KPI row after the insert: concurrent check-ins of one KPI then refresh the
    # figures one after the other, each seeing the check-ins committed before it.
    locked = kpi_refresh_figures(kpi=Kpi.objects.select_for_update().get(pk=kpi.pk))
    for name in FIGURE_FIELDS:
        setattr(kpi, name, getattr(locked, name))
    # The whole reading, not the value alone: a late or back-dated check-in, or a drop in
    # confidence, is visible in the history too.
    changes: dict[str, list[Any]] = {
        "value": [None, str(value)],
        "confidence": [None, confidence],
        "recorded_on": [None, recorded_on.isoformat()],
    }
    if supersedes is not None:
        changes["supersedes"] = [None, supersedes.pk]
    audit_record(
        obj=check_in,
        organisation=kpi.mission.organisation,
        verb=AuditEvent.Verb.CHECKED_IN,
        by=by,
        mission=kpi.mission,
        changes=changes,
        comment=comment,
    )
    if not kpi.check_in_due_on(today):
        notifications_done(causes=[cause_of("check_in", kpi.pk)], by=by)
    webhooks.emit(
        organisation=kpi.mission.organisation,
        event=webhooks.Event.CHECK_IN_CREATED,
        data=lambda: check_in_webhook_data(check_in),
        summary=lambda: (
            f"{by.get_full_name() or by.get_username()} checked in {check_in.value}"
            f"{' ' + kpi.unit if kpi.unit else ''} on “{kpi.name}”."
        ),
    )
    request_alignment_check(kpi.mission)
    return check_in


def check_in_webhook_data(check_in: CheckIn) -> dict[str, Any]:
    """What a webhook says of a check-in: its API representation, its KPI's name and mission,
    and the address of the KPI's page."""
    kpi = check_in.kpi
    organisation = kpi.mission.organisation
    return {
        "id": check_in.pk,
        "organisation": organisation.pk,
        "kpi": kpi.pk,
        "kpi_name": kpi.name,
        "mission": kpi.mission_id,
        "value": str(check_in.value),
        "confidence": check_in.confidence,
        "comment": check_in.comment,
        "recorded_on": check_in.recorded_on,
        "author": check_in.author_id,
        "created_at": check_in.created_at,
        "url": absolute_url(
            reverse("measures:kpi", kwargs={"org": organisation.slug, "pk": kpi.pk})
        ),
    }


@transaction.atomic
def kpi_archive(*, kpi: Kpi, by: User) -> Kpi:
    """Retire a KPI: it keeps its history and takes no more check-ins."""
    if kpi.status == Kpi.Status.ARCHIVED:
        return kpi
    kpi.status = Kpi.Status.ARCHIVED
    kpi.save(update_fields=["status", "updated_at"])
    kpi_refresh_rollups(kpi_ids=[kpi.parent_kpi_id])  # it contributes no more
    audit_record(
        obj=kpi,
        organisation=kpi.mission.organisation,
        verb=AuditEvent.Verb.ARCHIVED,
        by=by,
        mission=kpi.mission,
        changes={"status": ["active", "archived"]},
    )
    notifications_done(causes=[cause_of("check_in", kpi.pk)], by=by)
    request_alignment_check(kpi.mission)
    return kpi


@transaction.atomic
def kpi_move(*, kpi: Kpi, to_mission: Mission, by: User) -> Kpi:
    """Move a KPI (with its history) to another mission of the same organisation.

    A link to a parent KPI that is not on the new parent mission no longer holds and is cut.
    """
    if to_mission.organisation_id != kpi.organisation_id:
        raise ValidationError({"mission": "That mission belongs to another organisation."})
    old = kpi.mission
    kpi.mission = to_mission
    changes: dict[str, list[Any]] = {"mission": [old.pk, to_mission.pk]}
    parent_kpi = kpi.parent_kpi if kpi.parent_kpi_id else None
    if parent_kpi is not None and parent_kpi.mission_id != to_mission.parent_id:
        changes["parent_kpi"] = [parent_kpi.pk, None]
        kpi.parent_kpi = None
    kpi.save(update_fields=["mission", "parent_kpi", "updated_at"])
    if "parent_kpi" in changes:
        kpi_refresh_rollups(kpi_ids=[changes["parent_kpi"][0]])
    for mission in (old, to_mission):
        audit_record(
            obj=kpi,
            organisation=mission.organisation,
            verb=AuditEvent.Verb.MOVED,
            by=by,
            mission=mission,
            changes=changes,
        )
        request_alignment_check(mission)
    return kpi


@transaction.atomic
def kpi_carry_over(*, kpi: Kpi, to_mission: Mission, due_date: dt.date, by: User) -> Kpi:
    """A copy of the KPI for the next period, starting from its latest value."""
    current = kpi.check_ins.current()
    data = {name: getattr(kpi, name) for name in KPI_FIELDS}
    data.update(due_date=due_date, parent_kpi=None)
    if current is not None:
        data["baseline"] = current.value
    return kpi_create(mission=to_mission, data=data, by=by)


def kpi_refresh_figures(*, kpi: Kpi) -> Kpi:
    """Recompute and store a KPI's figures from its standing check-ins, then the roll-up of
    the KPI it contributes to. Two queries, and two or three more with a parent KPI."""
    # Part of the caller's transaction when there is one (no savepoint: two queries less).
    with transaction.atomic(savepoint=False):
        _store_figures(kpi)
        kpi_refresh_rollups(kpi_ids=[kpi.parent_kpi_id])
    return kpi


def _store_figures(kpi: Kpi) -> None:
    standing = list(CheckIn.objects.filter(kpi=kpi).standing().in_order())
    calibration = calibration_of(kpi.organisation_id)
    for name, value in kpi_figures(kpi, standing, calibration).items():
        setattr(kpi, name, value)
    Kpi.objects.filter(pk=kpi.pk).update(**{name: getattr(kpi, name) for name in FIGURE_FIELDS})


def kpi_refresh_rollups(*, kpi_ids: Iterable[int | None]) -> None:
    """Recompute and store the roll-up of these KPIs from the active KPIs contributing to
    them: in the transaction that changed a contributor (check-in, correction, archive, new
    weight or parent), so the roll-up never lags its children. Three queries, whatever the
    size of the organisation: the KPIs, their contributors, one update if any changed.

    The KPIs are locked first, in id order. Two check-ins of sibling KPIs then take turns:
    the second reads the first one's progress once it is committed, instead of each adding
    up the other's old progress and the last to write losing the first one's.
    """
    ids = sorted({pk for pk in kpi_ids if pk})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        stored = dict(
            Kpi.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "rollup_progress")
        )
        _store_rollups(stored)


def _store_rollups(stored: dict[int, float | None]) -> int:
    """Roll up the contributors of the KPIs in ``stored`` (pk: roll-up stored now); write the
    ones that changed, in one query. Returns how many changed."""
    children: defaultdict[int, list[tuple[Any, float]]] = defaultdict(list)
    rows = Kpi.objects.filter(parent_kpi_id__in=list(stored), status=Kpi.Status.ACTIVE)
    for parent_id, weight, progress in rows.values_list("parent_kpi_id", "weight", "progress"):
        children[parent_id].append((weight, progress))
    changed = []
    for pk, before in stored.items():
        after = rollup_of(children[pk])
        if after != before:
            changed.append(Kpi(pk=pk, rollup_progress=after))
    Kpi.objects.bulk_update(changed, ROLLUP_FIELDS)
    return len(changed)


def kpi_refresh_all(*, organisation_id: int | None = None, batch: int = 2000) -> int:
    """Recompute the stored figures of every KPI (of one organisation), then every roll-up
    from the fresh figures. For backfills, synthetic data and an operator's command; the
    nightly refresh does the same in chunks (``measures.tasks``). Returns how many KPIs it
    refreshed.

    Each organisation's calibration is learnt afresh from its history first, so every
    probability stored is calibrated by what the organisation's own outcomes teach now.
    """
    kpis = Kpi.objects.all()
    if organisation_id is not None:
        kpis = kpis.filter(organisation_id=organisation_id)
    organisations = (
        [organisation_id]
        if organisation_id is not None
        else kpis.order_by().values_list("organisation_id", flat=True).distinct()
    )
    calibrations = {pk: learn_calibration(pk) for pk in organisations}
    done = _refresh_kpis(kpis, calibrations, batch)
    kpi_refresh_all_rollups(organisation_id=organisation_id, batch=batch)
    return done


def kpi_id_ranges(*, organisation_id: int, size: int) -> list[tuple[int, int]]:
    """The organisation's KPIs cut into runs of ``size`` by id: (first id, last id) each."""
    ids = list(
        Kpi.objects.filter(organisation_id=organisation_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def kpi_refresh_range(
    *, organisation_id: int, first_id: int, last_id: int, batch: int = 2000
) -> int:
    """Recompute the stored figures of the organisation's KPIs with ids from ``first_id``
    to ``last_id``, calibrated by its stored calibration; returns how many. Roll-ups are
    left to ``kpi_refresh_all_rollups``, once every range is done."""
    kpis = Kpi.objects.filter(organisation_id=organisation_id, pk__gte=first_id, pk__lte=last_id)
    return _refresh_kpis(kpis, {organisation_id: calibration_of(organisation_id)}, batch)


def _refresh_kpis(kpis: Any, calibrations: dict[int, Calibration], batch: int) -> int:
    """Refresh ``kpis``' figures, streaming check-ins in KPI order so memory stays bounded.
    A KPI whose figures cannot be computed is logged with its id and skipped.

    Each batch locks its KPIs and skips those locked already: a check-in refreshing one now
    stores its fresh figures itself, and waiting for it here could deadlock with it (it holds
    its own KPI, then waits for its parent's).
    """
    kpis = kpis.order_by("id")
    done, last_id = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(kpis.select_for_update(skip_locked=True).filter(pk__gt=last_id)[:batch])
            if not chunk:
                return done
            _refresh_chunk(chunk, calibrations)
        done += len(chunk)
        last_id = chunk[-1].pk


class _Reading(NamedTuple):
    """What the figures read of a check-in, without building a model object for each (a
    fifth of a refresh's time)."""

    recorded_on: dt.date
    value: Decimal
    confidence: int


def _refresh_chunk(chunk: list[Kpi], calibrations: dict[int, Calibration]) -> None:
    by_kpi: dict[int, list[_Reading]] = {k.pk: [] for k in chunk}
    rows = (
        CheckIn.objects.filter(kpi_id__in=by_kpi)
        .standing()
        .order_by("kpi_id", *ORDER)
        .values_list("kpi_id", "recorded_on", "value", "confidence")
    )
    for kpi_id, recorded_on, value, confidence in rows.iterator(chunk_size=10000):
        by_kpi[kpi_id].append(_Reading(recorded_on, value, confidence))
    figure_rows = []
    for kpi in chunk:
        try:
            figures = kpi_figures(kpi, by_kpi[kpi.pk], calibrations.get(kpi.organisation_id))
        except Exception:
            # One KPI whose check-ins break the arithmetic keeps its old figures; the
            # others are refreshed.
            logger.exception("KPI figures refresh: skipped KPI %s.", kpi.pk)
            continue
        figure_rows.append((kpi.pk, *(figures[name] for name in FIGURE_FIELDS)))
    store_figure_rows(figure_rows)


def store_figure_rows(rows: Sequence[tuple[Any, ...]]) -> None:
    """Store (KPI id, *figures in ``FIGURE_FIELDS`` order) rows: on PostgreSQL one UPDATE
    from one typed array per column; ``bulk_update`` elsewhere. (``bulk_update`` builds a
    CASE of every row for every column in Python: 85% of a refresh's time at 20,000 KPIs.)

    On PostgreSQL only KPIs whose figures moved are written: each row written is a new
    version of it in all seven of the KPIs' indexes, whose old entries stay until a vacuum.
    Rewriting every KPI unchanged grew the index the checks' snapshot reads (all
    organisations') from 17 to 49 MB in a bench day of refreshes; the same nightly run of
    the checks then took 4.3-4.9 s, against 3.9 s on the index rebuilt."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        kpis = [Kpi(pk=row[0], **dict(zip(FIGURE_FIELDS, row[1:], strict=True))) for row in rows]
        Kpi.objects.bulk_update(kpis, FIGURE_FIELDS, batch_size=1000)
        return
    names = ["id", *FIGURE_FIELDS]  # each one's column is its name
    arrays = ", ".join(f"%s::{_db_type(name)}[]" for name in names)
    assignments = ", ".join(f"{name} = f.{name}" for name in FIGURE_FIELDS)
    kept = ", ".join(f"measures_kpi.{name}" for name in FIGURE_FIELDS)
    fresh = ", ".join(f"f.{name}" for name in FIGURE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE measures_kpi SET {assignments} "
            f"FROM unnest({arrays}) AS f({', '.join(names)}) WHERE measures_kpi.id = f.id "
            f"AND ({kept}) IS DISTINCT FROM ({fresh})",
            [list(column) for column in zip(*rows, strict=True)],
        )


def _db_type(name: str) -> str:
    field = Kpi._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.db_type(connection))


def kpi_refresh_all_rollups(*, organisation_id: int | None = None, batch: int = 2000) -> int:
    """Recompute every roll-up (of one organisation) from the stored figures, a batch of KPIs
    at a time (locked, skipping those a check-in holds, as in ``kpi_refresh_all``); returns
    how many changed. For figures written in bulk (``kpi_refresh_all``, generated data)."""
    kpis = Kpi.objects.order_by("id")
    if organisation_id is not None:
        kpis = kpis.filter(organisation_id=organisation_id)
    changed, last_id = 0, 0
    while True:
        with transaction.atomic():
            stored = dict(
                kpis.select_for_update(skip_locked=True)
                .filter(pk__gt=last_id)
                .values_list("pk", "rollup_progress")[:batch]
            )
            if not stored:
                return changed
            changed += _store_rollups(stored)
        last_id = max(stored)
