"""``manage.py forecast_backtest``: how well the KPI forecast foresaw futures it did not see.

Over a synthetic suite (``measures.backtest``; the reporting seed by default, ``--tuning`` for
the seed the method was tuned on) and, with ``--organisation``, over that organisation's own
KPI histories, each cut before its later check-ins: v2 beside the two baselines and v1, by
MASE, right calls, Brier score, calibration and 80% coverage. The same figures on every run;
``--timing`` adds the cost of one forecast, which is not.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kernel.commands import organisations_named
from measures import backtest
from measures.backtest import Case, Outcome, Score
from measures.calibrating import kpi_histories

Point = tuple[dt.date, float]
NIGHTLY_KPIS = 300_000  # the nightly recompute's load, for the timing's projection
NIGHTLY_CORES = 2


class Command(BaseCommand):
    help = (
        "Backtest the KPI forecast against the naive and least-squares baselines and print "
        "error, right calls, Brier score and calibration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="Also backtest this organisation's KPIs.")
        parser.add_argument(
            "--size",
            type=int,
            default=backtest.SUITE_SIZE,
            help="Histories in the synthetic suite (0: none).",
        )
        parser.add_argument("--seed", type=int, help="The synthetic suite's seed.")
        parser.add_argument(
            "--tuning",
            action="store_true",
            help="The suite the method was tuned on, instead of the one it is reported on.",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument(
            "--timing", action="store_true", help="Also measure the cost of one forecast."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report: dict[str, Any] = {}
        synthetic: list[Case] = []
        if options["size"] > 0:
            seed = options["seed"]
            if seed is None:
                seed = backtest.TUNING_SEED if options["tuning"] else backtest.REPORTING_SEED
            synthetic = backtest.synthetic_suite(seed, options["size"])
            results = backtest.run(synthetic, progress=self._progress("synthetic"))
            scores = _scores(results)
            report["synthetic"] = {
                "seed": seed,
                "half": "tuning" if seed == backtest.TUNING_SEED else "reporting",
                "methods": {name: score.as_dict() for name, score in scores.items()},
                "by_kind": _by_kind(results),
                "acceptance": backtest.acceptance(scores),
            }
        if options["organisation"]:
            report["organisation"] = self._organisation(options["organisation"])
        if options["timing"]:
            report["timing"] = _timing(synthetic or backtest.synthetic_suite())
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self._print(report)

    def _progress(self, part: str) -> backtest.Progress:
        def progress(method: str, done: int, total: int) -> None:
            self.stderr.write(f"[{part}] {method}: {done}/{total}")

        return progress

    def _organisation(self, slug: str) -> dict[str, Any]:
        organisation = organisations_named(slug).get()
        cases = backtest.organisation_cases(
            (goal, points, due) for _, goal, points, due in kpi_histories(organisation.pk)
        )
        if not cases:
            raise CommandError(f"No KPI of {slug!r} has three check-ins to backtest.")
        results = backtest.run(cases, progress=self._progress(slug))
        results[backtest.CALIBRATED] = backtest.cross_calibrated(results[backtest.V2])
        return {
            "slug": slug,
            "methods": {name: score.as_dict() for name, score in _scores(results).items()},
        }

    def _print(self, report: dict[str, Any]) -> None:
        if "synthetic" in report:
            part = report["synthetic"]
            self.stdout.write(
                f"Synthetic suite, {part['half']} half (seed {part['seed']}): "
                f"{part['methods'][backtest.V2]['cases']} KPI histories"
            )
            self._table(part["methods"])
            names = list(part["methods"])
            self.stdout.write(f"  By kind, MASE then right calls ({', '.join(names)}):")
            for kind, methods in part["by_kind"].items():
                mase = " ".join(f"{_number(methods[name]['mase']):>6}" for name in names)
                calls = " ".join(f"{_share(methods[name]['right_calls']):>6}" for name in names)
                self.stdout.write(f"    {kind:<16} {mase}   {calls}")
            self.stdout.write("Acceptance:")
            for check, held in part["acceptance"].items():
                self.stdout.write(f"  {'yes' if held else 'NO ':<4}{check}")
        if "organisation" in report:
            part = report["organisation"]
            self.stdout.write(
                f"Organisation {part['slug']}: {part['methods'][backtest.V2]['cases']} KPIs, "
                "each cut before the later third of its check-ins"
            )
            self._table(part["methods"])
        if "timing" in report:
            part = report["timing"]
            self.stdout.write(f"Cost of one forecast (median of {part['runs']} runs):")
            longest = part["microseconds_25_check_ins_or_more"]
            for name, micros in part["microseconds"].items():
                self.stdout.write(
                    f"  {name:<18} {micros:8.1f} µs; {longest[name]:8.1f} µs with 25–30 check-ins"
                )
            self.stdout.write(
                f"  {NIGHTLY_KPIS:,} KPIs on {NIGHTLY_CORES} cores with v2: "
                f"{part['nightly_seconds']:.0f} s of forecasting"
            )

    def _table(self, methods: dict[str, dict[str, Any]]) -> None:
        self.stdout.write(
            f"  {'method':<18} {'MASE':>6} {'median':>7} {'right calls':>12} {'Brier':>7} "
            f"{'80% coverage':>13}"
        )
        for name, figures in methods.items():
            self.stdout.write(
                f"  {name:<18} {_number(figures['mase']):>6} {_number(figures['mase_median']):>7}"
                f" {_share(figures['right_calls']):>12} {_number(figures['brier']):>7}"
                f" {_share(figures['coverage_80']):>13}"
            )
        shown = backtest.CALIBRATED if backtest.CALIBRATED in methods else backtest.V2
        self.stdout.write(f"  calibration of {shown} (probability said: cases, said, hit rate):")
        for band in methods[shown]["calibration"]:
            if band["cases"]:
                self.stdout.write(
                    f"    {band['probability']:<9} {band['cases']:>5}  "
                    f"{_share(band['said']):>5}  {_share(band['hit_rate']):>5}"
                )


def _scores(results: dict[str, list[Outcome]]) -> dict[str, Score]:
    return {name: backtest.score(outcomes) for name, outcomes in results.items()}


def _by_kind(results: dict[str, list[Outcome]]) -> dict[str, dict[str, dict[str, object]]]:
    """Each kind's figures, for every method (calibration aside)."""
    kinds = sorted({o.kind for o in results[backtest.V2]}, key=backtest.KINDS.index)
    return {
        kind: {
            name: {
                key: value
                for key, value in backtest.score([o for o in outcomes if o.kind == kind])
                .as_dict()
                .items()
                if key != "calibration"
            }
            for name, outcomes in results.items()
        }
        for kind in kinds
    }


def _timing(cases: list[Case]) -> dict[str, Any]:
    """v1 and v2 in the same runs, over every history and over the longest (25 check-ins or
    more: a forecast reads 30 at most)."""
    methods = {name: backtest.METHODS[name] for name in ("v1 (recent line)", backtest.V2)}
    runs = 5
    every = backtest.cost(cases, methods, runs=runs)
    long = backtest.cost([c for c in cases if len(c.history) >= 25] or cases, methods, runs=runs)
    return {
        "runs": runs,
        "cases": len(cases),
        "microseconds": {name: round(value, 1) for name, value in every.items()},
        "microseconds_25_check_ins_or_more": {
            name: round(value, 1) for name, value in long.items()
        },
        "nightly_seconds": round(every[backtest.V2] * NIGHTLY_KPIS / NIGHTLY_CORES / 1e6, 1),
    }


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"
