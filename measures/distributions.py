"""Student's t and Fisher's F, for the forecast's probability, interval and season test.

Plain Python (no numerical library in the request path): both come from the regularised
incomplete beta function, evaluated by its continued fraction (modified Lentz), as in
Press et al., *Numerical Recipes*, §6.4. Accurate to about 1e-12, which is far finer than
any forecast needs.
"""

from __future__ import annotations

import math
from functools import lru_cache

_TINY = 1e-300


def _continued_fraction(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 300):
        m2 = 2 * m
        for term in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + term * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + term / c
            c = c if abs(c) > _TINY else _TINY
            result *= d * c
        if abs(d * c - 1) < 1e-13:
            break
    return result


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for a, b > 0."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _continued_fraction(a, b, x) / a
    return 1 - front * _continued_fraction(b, a, 1 - x) / b


def t_cdf(x: float, dof: float) -> float:
    """P(T ≤ x) for Student's t with ``dof`` degrees of freedom."""
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    tail = 0.5 * incomplete_beta(dof / 2, 0.5, dof / (dof + x * x))
    return 1 - tail if x > 0 else tail


@lru_cache(maxsize=64)
def t_quantile(p: float, dof: float) -> float:
    """The x with P(T ≤ x) = p, by bisection; cached, as a forecast asks for few of them."""
    if p < 0.5:
        return -t_quantile(1 - p, dof)
    low, high = 0.0, 1.0
    while t_cdf(high, dof) < p:
        low, high = high, high * 2
    for _ in range(60):
        middle = (low + high) / 2
        if t_cdf(middle, dof) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def f_survival(x: float, d1: float, d2: float) -> float:
    """P(F > x) for Fisher's F with (d1, d2) degrees of freedom: an F-test's p-value."""
    if x <= 0:
        return 1.0
    return 1 - incomplete_beta(d1 / 2, d2 / 2, d1 * x / (d1 * x + d2))
