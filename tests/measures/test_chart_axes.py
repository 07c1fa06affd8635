"""A KPI chart's value axis fits its data: round ticks around the history, baseline and target,
and never below 0 for a quantity that never was negative (a count, a share)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from measures import charts, services
from measures.models import Kpi
from measures.summary import figures_for
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = pytest.mark.django_db


def _chart_of(world, *, values: list[int], **fields) -> tuple[float, float, float, str]:
    today = timezone.localdate()
    kpi = KpiFactory(mission=world.staff_mission, due_date=today + dt.timedelta(days=60), **fields)
    for back, value in enumerate(reversed(values)):
        CheckInFactory(
            kpi=kpi,
            author=world.staff,
            value=value,
            recorded_on=today - dt.timedelta(days=back * 7),
        )
    services.kpi_refresh_figures(kpi=kpi)
    figures = figures_for(Kpi.objects.prefetch_related("check_ins").get(pk=kpi.pk))
    lo, hi, step = charts._value_range(figures)
    return lo, hi, step, charts.line_chart(figures)


def _axis_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="[^"]+">(-?[\d,.]+)</text>', svg)


def test_a_count_falling_to_zero_has_no_negative_axis(world) -> None:
    # Falling fast: the forecast at the due date is far below 0, the padding would be too.
    lo, hi, step, svg = _chart_of(
        world, values=[40, 25, 10, 2], unit="incidents", direction="decrease", baseline=50, target=0
    )
    assert lo == 0 and hi >= 50
    assert _axis_labels(svg)[0] == "0"
    assert not any(label.startswith("-") for label in _axis_labels(svg))


def test_a_count_from_zero_keeps_zero_as_its_floor(world) -> None:
    # The forecast at the due date (about 15) is drawn, so the axis reaches 20.
    lo, hi, step, _ = _chart_of(world, values=[0, 3, 5], unit="beds", baseline=0, target=12)
    assert (lo, hi) == (0, 20) and step == 5


def test_the_ticks_are_round_around_the_data(world) -> None:
    lo, hi, step, svg = _chart_of(world, values=[812, 845, 870], baseline=800, target=900)
    assert lo <= 800 and hi >= 900 and lo > 0
    assert step in (10, 20, 25, 50) and lo % step == 0 and hi % step == 0
    assert _axis_labels(svg)[0] == charts.number(lo)


def test_a_value_that_was_negative_may_have_a_negative_axis(world) -> None:
    lo, _, _, _ = _chart_of(world, values=[-4, -2, 1], unit="°C", baseline=-5, target=3)
    assert lo < -5
