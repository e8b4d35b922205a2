"""Closed forms of the reference modes (simulator.md §6), used as tests of the engine.

Each function states its source; nothing here is used by the engine itself.
"""

from __future__ import annotations


def rubinstein_share(delta_1: float, delta_2: float) -> float:
    """First mover's share ``(1 - delta_2)/(1 - delta_1 delta_2)`` (Rubinstein 1982).

    >>> round(rubinstein_share(0.9, 0.8), 6)
    0.714286
    """
    return (1.0 - delta_2) / (1.0 - delta_1 * delta_2)


def breakdown_share(b: float) -> float:
    """First mover's share with ``delta = 1`` and breakdown probability ``b``: ``1/(2 - b)``.

    (Binmore, Rubinstein & Wolinsky 1986: breakdown acts like discounting; simulator.md §6.1.)

    >>> round(breakdown_share(0.1), 6)
    0.526316
    """
    return 1.0 / (2.0 - b)


def outside_option_share(delta_1: float, delta_2: float, w_2: float) -> float:
    """First mover's share when the responder has outside option ``w_2`` (Powell 1996; §6.3).

    The option binds only when better than the bargaining split: ``min(rubinstein, 1 - w_2)``.

    >>> outside_option_share(0.9, 0.8, 0.4), round(outside_option_share(0.9, 0.8, 0.2), 6)
    (0.6, 0.714286)
    """
    return min(rubinstein_share(delta_1, delta_2), 1.0 - w_2)


def fearon_range(p: float, c_R: float, c_U: float) -> tuple[float, float]:
    """Bargaining range for R's share ``[p - c_R, p + c_U]`` (Fearon 1995; simulator.md §6.2).

    >>> tuple(round(x, 2) for x in fearon_range(0.6, 0.10, 0.15))
    (0.5, 0.75)
    """
    return (p - c_R, p + c_U)


def fearon_private_info(p: float, c_R: float, c_low: float, c_high: float) -> tuple[float, float]:
    """R's best offer and war probability when U's cost is ``c_low`` or ``c_high`` with equal odds.

    R either pools at ``p + c_low`` (accepted by both) or screens at ``p + c_high`` (accepted by the
    high-cost type only; war with the low-cost one). Screening pays when
    ``0.5 (p + c_high) + 0.5 (p - c_R) > p + c_low`` (Fearon 1995; simulator.md §6.2).

    >>> tuple(round(x, 4) for x in fearon_private_info(0.6, 0.10, 0.05, 0.25))
    (0.85, 0.5)
    """
    pool = p + c_low
    screen = 0.5 * (p + c_high) + 0.5 * (p - c_R)
    return (p + c_high, 0.5) if screen > pool else (pool, 0.0)


def fearon_shift_war(p: float, c_R: float, c_U: float, delta: float, shift: float) -> bool:
    """True if a power shift makes war certain: ``delta/(1 - delta) shift > c_R + c_U`` (Fearon 1995; Powell 2006).

    The rising side cannot promise to offer more than the shifted war value later, so the declining
    side's reservation today rises by ``delta/(1-delta) shift``; once that exceeds the whole
    bargaining surplus ``c_R + c_U`` no offer is both acceptable to U and better than war for R.

    >>> fearon_shift_war(0.6, 0.10, 0.15, 0.9, 0.1), fearon_shift_war(0.6, 0.10, 0.15, 0.9, 0.0)
    (True, False)
    """
    return delta / (1.0 - delta) * shift > c_R + c_U
