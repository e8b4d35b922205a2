"""Offer and acceptance policies of the simulator (simulator.md §1, §4 step 3, §6).

* the package grid (simulator.md §1: ``terr`` in steps of 0.05 x buf x cap x align x guar =
  21 x 3 x 3 x 2 x 4 = 1,512 packages) and issue values toward each side;
* offer look-up tables: "the package maximising the opponent's estimated utility subject to own
  utility >= aspiration" as a prefix arg-max over packages sorted by own utility, so an offer is
  one ``searchsorted`` per run (simulator.md §1 "offers ... are table look-ups");
* time-dependent aspiration (Faratin, Sierra & Jennings 1998; simulator.md §4 step 3);
* equilibrium policies of the reference modes: Rubinstein (1982) offers by backward induction
  with breakdown (Binmore, Rubinstein & Wolinsky 1986) and outside option (Powell 1996); Fearon
  (1995) take-it-or-leave-it offer against (private) cost types and a power shift (Powell 2006).

Shapes: ``P`` packages, ``N`` runs; all functions are pure NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray

TERR_STEPS = 21
BUF_LEVELS = (0.0, 0.5, 1.0)
CAP_LEVELS = (0.0, 0.5, 1.0)
ALIGN_LEVELS = (0.0, 1.0)
GUAR_LEVELS = (0, 1, 2, 3)


def package_grid(max_guar: int = 3) -> FloatArray:
    """All packages ``(P, 5)`` with columns (terr, buf, cap, align, guar); simulator.md §1.

    ``max_guar`` drops packages whose guarantee is not on the table (P = 1,512 when 3).

    Examples
    --------
    >>> package_grid().shape
    (1512, 5)
    """
    terr = np.linspace(0.0, 1.0, TERR_STEPS)
    g = np.array([x for x in GUAR_LEVELS if x <= max_guar], dtype=float)
    mesh = np.meshgrid(
        terr, np.array(BUF_LEVELS), np.array(CAP_LEVELS), np.array(ALIGN_LEVELS), g, indexing="ij"
    )
    return np.stack([m.ravel() for m in mesh], axis=-1)


def values_R(pkgs: FloatArray) -> FloatArray:
    """Issue values toward R on [0, 1] (simulator.md §3 'each issue valued on [0,1] toward the actor's side').

    R gains from land, a buffer, caps on U's forces and neutrality; guarantees count against it.
    """
    v = pkgs.copy()
    v[..., 4] = 1.0 - pkgs[..., 4] / 3.0
    return v


def values_U(pkgs: FloatArray) -> FloatArray:
    """Issue values toward U: the complement of R's on every issue (constant-sum per issue)."""
    return 1.0 - values_R(pkgs)


def capitulatory(pkgs: FloatArray) -> BoolArray:
    """EU's definition of a capitulatory package: ``buf > 0``, ``cap >= 0.5`` or ``guar = 0`` (simulator.md §3 EU)."""
    out: BoolArray = (pkgs[..., 1] > 0) | (pkgs[..., 2] >= 0.5) | (pkgs[..., 4] == 0)
    return out


def terr_value(x: FloatArray, ref: FloatArray, lam: float, side: str, rho: float = 1.0) -> FloatArray:
    """Value of the line ``x`` (share of land under R) to ``side`` ("R" or "U") with reference line ``ref``.

    Own land ``y`` (``x`` for R, ``1 - x`` for U) is valued ``u(y) = y^rho``: ``rho < 1`` is a concave
    (risk-averse, diminishing) utility over the issue (Fearon 1995 on risk aversion and the bargaining
    range). The value is kinked at the reference point (Kahneman & Tversky 1979; Tversky & Kahneman 1992):
    ``u(y_ref) + (u(y) - u(y_ref))`` for gains and ``lam`` times that for losses (endowment: Kahneman,
    Knetsch & Thaler 1990; territory: Levy 1996). ``lam = rho = 1`` gives the linear-additive v1 value.
    """
    x = np.asarray(x, dtype=float)
    ref = np.asarray(ref, dtype=float)
    y, y0 = (x, ref) if side == "R" else (1.0 - x, 1.0 - ref)
    if rho != 1.0:
        y, y0 = np.power(np.clip(y, 0.0, 1.0), rho), np.power(np.clip(y0, 0.0, 1.0), rho)
    d = y - y0
    if np.ndim(d) == 0:
        out: FloatArray = y0 + np.where(d >= 0, d, lam * d)
        return out
    np.multiply(d, lam, out=d, where=d < 0)  # losses count lam times (the same products, in place)
    out = y0 + d
    return out


_GH_X, _GH_W = np.polynomial.hermite.hermgauss(12)


def expected_terr_value(
    mean: FloatArray, sd: float, ref: FloatArray, lam: float, side: str, rho: float = 1.0
) -> FloatArray:
    """``E[terr_value(X)]`` for ``X ~ Normal(mean, sd^2)`` by 12-point Gauss-Hermite quadrature.

    The war lottery valued by the kinked (and concave) value function: it is worth less than the value of
    its mean, which widens the bargaining range (risk aversion, Fearon 1995). ``sd = 0``: the value of
    the mean.
    """
    return expected_terr_values(mean, sd, ref, lam, rho, sides=(side,))[0]


def expected_terr_values(
    mean: FloatArray,
    sd: float,
    ref: FloatArray,
    lam: float,
    rho: float = 1.0,
    sides: tuple[str, ...] = ("R", "U"),
) -> list[FloatArray]:
    """:func:`expected_terr_value` for each of ``sides`` on the same war lottery (its nodes built once)."""
    mean = np.asarray(mean, dtype=float)
    if sd <= 0 or (lam == 1.0 and rho == 1.0):
        return [terr_value(mean, ref, lam, side, rho) for side in sides]
    nodes = np.clip(mean[..., None] + np.sqrt(2.0) * sd * _GH_X, 0.0, 1.0)
    ref1 = np.asarray(ref, dtype=float)[..., None]
    out: list[FloatArray] = []
    for side in sides:
        vals = terr_value(nodes, ref1, lam, side, rho)
        out.append((vals * _GH_W).sum(axis=-1) / np.sqrt(np.pi))
    return out


@dataclass(frozen=True)
class OfferTable:
    """Look-up table for one (proposer utility, opponent utility) pair.

    ``neg_own_sorted`` is minus the proposer's utility sorted ascending (own utility descending);
    ``best`` ``[j]`` is the package index with the highest opponent utility among the ``j + 1``
    packages best for the proposer (ties: the one better for the proposer).
    """

    neg_own_sorted: FloatArray
    best: IntArray


def offer_table(own: FloatArray, opp: FloatArray) -> OfferTable:
    """Build the prefix arg-max table of :func:`offer_lookup` (own, opp: ``(P,)``)."""
    order = np.argsort(-own, kind="stable")
    ys = opp[order]
    prev = np.concatenate([[-np.inf], np.maximum.accumulate(ys)[:-1]])
    pos = np.maximum.accumulate(np.where(ys > prev, np.arange(len(ys)), 0))
    return OfferTable(neg_own_sorted=-own[order], best=order[pos].astype(np.int64))


def offer_lookup(table: OfferTable, aspiration: FloatArray) -> tuple[IntArray, np.ndarray]:
    """Best package for the opponent with own utility >= ``aspiration`` ``(N,)``.

    Returns (package index ``(N,)``, feasible ``(N,)``); infeasible runs get the proposer's best
    package (an extreme opening offer).
    """
    n = np.searchsorted(table.neg_own_sorted, -aspiration, side="right")
    idx = table.best[np.maximum(n - 1, 0)]
    return idx, n > 0


def offer_slow(own: FloatArray, opp: FloatArray, aspiration: float) -> int:
    """Obvious reference version of :func:`offer_lookup` for one run (used in the tests)."""
    ok = np.flatnonzero(own >= aspiration)
    if ok.size == 0:
        return int(np.argmax(own))
    best = ok[opp[ok] == opp[ok].max()]
    return int(best[np.argmax(own[best])])


def aspiration(r: FloatArray, tau: FloatArray, e: float) -> FloatArray:
    """Normalised aspiration ``a(tau) = r + (1 - r)(1 - tau^(1/e))`` (Faratin, Sierra & Jennings 1998; simulator.md §4.3)."""
    return r + (1.0 - r) * (1.0 - np.power(np.clip(tau, 0.0, 1.0), 1.0 / e))


def logistic_cdf(x: FloatArray, scale: float) -> FloatArray:
    """P(eps <= x) for eps ~ Logistic(0, scale) (acceptance noise, simulator.md §4.3)."""
    if scale <= 0:
        return (x >= 0).astype(float)
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float) / scale))


def log_likelihood_ratio(
    accepted: BoolArray, p_max: FloatArray, p_lim: FloatArray, floor: float = 1e-9
) -> FloatArray:
    """``log P(reply | maximal) - log P(reply | limited)`` for one reply per run (screening, Powell 2004).

    ``p_max``/``p_lim``: each type's probability of accepting the offer (simulator.md §4 step 6);
    probabilities are floored at ``floor`` so that a reply one type never gives is strong, finite evidence.
    """
    pm = np.where(accepted, p_max, 1.0 - p_max)
    pl = np.where(accepted, p_lim, 1.0 - p_lim)
    out: FloatArray = np.log(np.clip(pm, floor, 1.0)) - np.log(np.clip(pl, floor, 1.0))
    return out


def posterior(prior: FloatArray, llr: FloatArray) -> FloatArray:
    """Bayes' rule on the log-odds scale: ``logit(post) = logit(prior) + llr`` (simulator.md §4 step 6)."""
    lo = np.log(np.clip(prior, 1e-12, 1.0)) - np.log(np.clip(1.0 - prior, 1e-12, 1.0)) + llr
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(lo, -50.0, 50.0)))
    return np.where(llr == 0, prior, out)


# ---------------------------------------------------------------- equilibrium policies
def rubinstein_shares(
    delta_1: float,
    delta_2: float,
    n_steps: int,
    breakdown: float = 0.0,
    outside_2: float = 0.0,
    outside_1: float = 0.0,
) -> FloatArray:
    """Equilibrium proposer shares of the finite alternating-offers game, by backward induction.

    Player 1 proposes at even steps, player 2 at odd ones. At step k the responder's value of
    rejecting is ``max(outside, (1 - b) delta x_{k+1})`` (Rubinstein 1982; breakdown as
    discounting: Binmore, Rubinstein & Wolinsky 1986; outside option binds only when better than
    the bargaining split: Powell 1996); the proposer offers exactly that. As ``n_steps`` grows
    ``x_0 -> (1 - delta_2)/(1 - delta_1 delta_2)`` (simulator.md §6.1).
    """
    x = np.empty(n_steps)
    nxt = None
    for k in range(n_steps - 1, -1, -1):
        resp_is_2 = k % 2 == 0
        d = delta_2 if resp_is_2 else delta_1
        out = outside_2 if resp_is_2 else outside_1
        cont = 0.0 if nxt is None else (1.0 - breakdown) * d * nxt
        x[k] = 1.0 - max(out, cont)
        nxt = x[k]
    return x


def fearon_reservation(p: float, c_U: FloatArray, delta_U: float, shift: float) -> FloatArray:
    """U's reservation share ``1 - p - c_U`` plus the commitment-problem premium ``delta/(1-delta) shift``.

    (Fearon 1995; Powell 2006: after R's power rises by ``shift`` it will only offer U its new war
    value, so U accepts today only if today's share makes up for the future loss.)
    """
    prem = delta_U / (1.0 - delta_U) * shift if shift > 0 else 0.0
    return 1.0 - p - np.asarray(c_U, dtype=float) + prem


def fearon_offer(p: float, c_R: float, reservations: FloatArray, grid: FloatArray) -> tuple[float, float]:
    """R's take-it-or-leave-it offer maximising its expected payoff over U's equally likely types.

    Expected payoff of offer x: ``P(accept) x + (1 - P(accept)) (p - c_R)`` (Fearon 1995 §"private
    information"). Returns (offer, expected payoff); ties go to the smaller share.
    """
    res = np.asarray(reservations, dtype=float)
    acc = ((1.0 - grid)[:, None] >= res[None, :] - 1e-9).mean(axis=1)
    ev = acc * grid + (1.0 - acc) * (p - c_R)
    k = int(np.argmax(ev))
    return float(grid[k]), float(ev[k])
