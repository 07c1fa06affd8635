"""Calibration: what an organisation's own history teaches of its forecasts' probabilities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CALIBRATION_PRIOR = 50  # how many outcomes' worth of trust the raw probability keeps


@dataclass(frozen=True)
class Calibration:
    """Raw probabilities to calibrated ones: the line through ``knots`` (raw, calibrated),
    from (0, 0) to (1, 1), never decreasing. No knots: the identity."""

    knots: tuple[tuple[float, float], ...] = ()

    def __call__(self, probability: float) -> float:
        points = ((0.0, 0.0), *self.knots, (1.0, 1.0))
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if probability <= x1:
                if x1 == x0:
                    return y1
                return y0 + (y1 - y0) * (max(probability, x0) - x0) / (x1 - x0)
        return 1.0


def calibration_from(
    history: Iterable[tuple[float, bool]], prior: float = CALIBRATION_PRIOR
) -> Calibration:
    """What an organisation's own history teaches of its forecasts' probabilities: from
    (probability said, target met) pairs, the isotonic regression of the outcome on the
    probability (pool adjacent violators: the best non-decreasing fit), shrunk toward the
    identity by ``prior`` / (``prior`` + outcomes). With little history the raw probability
    stands; with much, what happened."""
    tallies: dict[float, list[float]] = {}  # probability -> [hits, outcomes]: ties pooled
    for probability, hit in history:
        tally = tallies.setdefault(min(1.0, max(0.0, probability)), [0.0, 0.0])
        tally[0] += hit
        tally[1] += 1
    blocks: list[list[float]] = []  # [sum of probabilities said, hits, outcomes]
    for probability, (hits, count) in sorted(tallies.items()):
        blocks.append([probability * count, hits, count])
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][2] >= blocks[-1][1] * blocks[-2][2]:
            said, hits, count = blocks.pop()
            blocks[-1][0] += said
            blocks[-1][1] += hits
            blocks[-1][2] += count
    total = sum(count for _, _, count in blocks)
    trust = total / (total + prior)
    return Calibration(
        tuple(
            (said / count, trust * hits / count + (1 - trust) * said / count)
            for said, hits, count in blocks
        )
    )
