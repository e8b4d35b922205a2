"""Does a discrete choice among the issue's stated positions lower the hurdle's CRPS? (issue #14)

    python scripts/stated_position_candidates.py [data/deu/deu3_dev.tsv] [--model compromise ...]

On the DEU dev file 65 % of the outcomes sit exactly at a stated position (an actor's position or
the reference point; about 3.5 distinct values per issue). The shipped `hurdle` error model
(docs/calibration.md §2) puts point masses only at the scale ends. This script adds point masses at
the issue's distinct stated positions, with probabilities from a conditional logit (McFadden 1974,
"Conditional logit analysis of qualitative choice behavior", eq. 3: ``P(j) = exp(x_j'β) /
Σ_k exp(x_k'β)`` over the issue's alternatives) and one extra alternative, "elsewhere", which
carries the continuous part (the interior quantile regression on forecast + spread). Features per
candidate value ``c`` (unit scale): distance ``|c − f|`` to the model's forecast and its square, the
c·s-weighted share of the present actors at exactly ``c``, whether the Commission states ``c``,
whether ``c`` is the reference point; the "elsewhere" alternative has a constant and the spread.
Fitted by penalised maximum likelihood (ridge 1 on the standardised slopes, as the end-mass logit;
L-BFGS with the analytic gradient). Variants (at most four, none tuned):

- A: the shipped hurdle's end masses; inside the scale, the logit over the interior stated
  positions + "elsewhere" (fitted on the training issues whose outcome is inside); continuous part
  = the shipped interior quantile regression (all interior outcomes);
- B: as A, but the continuous part refitted on the interior outcomes that are *not* at a stated
  position (the mixture is then coherent: the atoms are not counted twice);
- C: as B with distance and share only;
- D: one conditional logit over all alternatives — both ends always, the interior stated
  positions, "elsewhere" — with the end indicators as free alternative constants; replaces the
  hurdle's end logit (a candidate at 0 or 100 *is* the end mass).

Everything is cross-fitted with the backtest's 5 folds grouped by proposal
(``analysis.backtest.grouped_folds``): no issue's distribution uses any issue of its own proposal.
Printed per model: mixture CRPS with its proposal-bootstrap interval (``probabilistic_metrics``),
the paired difference to the shipped hurdle (``paired_crps_difference``), content-exact and
equal-tailed (closed) coverage at 50/80 %, PIT KS, the mean predicted mass at interior stated
positions against the observed share, and ``exact`` = the CRPS of the weighted mixture itself
before it is stored as 19 quantiles + end masses (``Predictive``; interior atoms are only
approximated there). Development numbers: never run it on a file that is reported as held out.
Template: ``scripts/end_mass_candidates.py``; what did not help before: docs/calibration.md §6.3.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np
from _dev_backtest import dev_backtest
from scipy.optimize import minimize

from detente.analysis.backtest import Case, grouped_folds
from detente.analysis.calibration import fit_error_model
from detente.analysis.end_masses import END_TOL, end_classes, end_design, fit_end_model
from detente.analysis.predictive import Predictive, curve_draws, from_weighted_samples
from detente.analysis.prob_scores import paired_crps_difference, probabilistic_metrics
from detente.core.scale import to_unit

J = 400  # draws of the continuous part per issue, as in end_mass_candidates.py
MATCH = 1e-6  # a unit-scale outcome within this of a candidate value is "at" it
RIDGE = 1.0
COMMISSION = "com"


# ---------------------------------------------------------------------------------------------
# candidates: the distinct stated positions of each issue


def stated_positions(cases: Sequence[Case]) -> dict[str, np.ndarray]:
    """Per issue in case order, padded to the largest choice set (n, K): the distinct positions of
    the present actors and the reference point (unit scale), the c·s-weighted share of actors at
    each, whether the Commission states it, whether it is the reference point, and a validity mask."""
    rows = []
    for c in cases:
        a = c.arrays
        w_all = np.where(a.present, a.capability * a.salience, 0.0)
        com = a.actor_ids.index(COMMISSION) if COMMISSION in a.actor_ids else -1
        for i in range(a.n_issues):
            pres = a.present[:, i]
            pos = a.position[pres, i]
            w = w_all[pres, i]
            tot = w.sum()
            vals = np.unique(np.round(pos, 9))
            ref = float(a.reference[i])
            if np.isfinite(ref) and not np.any(np.abs(vals - ref) < MATCH):
                vals = np.sort(np.append(vals, round(ref, 9)))
            share = np.array([w[np.abs(pos - v) < MATCH].sum() / tot if tot > 0 else 0.0 for v in vals])
            is_com = np.zeros(vals.size)
            if com >= 0 and a.present[com, i]:
                is_com = (np.abs(vals - a.position[com, i]) < MATCH).astype(float)
            is_ref = (np.abs(vals - ref) < MATCH).astype(float) if np.isfinite(ref) else np.zeros(vals.size)
            rows.append((vals, share, is_com, is_ref))
    K = max(r[0].size for r in rows)
    out = {k: np.zeros((len(rows), K)) for k in ("value", "share", "com", "ref")}
    out["mask"] = np.zeros((len(rows), K), dtype=bool)
    for j, (v, sh, cm, rf) in enumerate(rows):
        n = v.size
        out["value"][j, :n], out["share"][j, :n], out["com"][j, :n], out["ref"][j, :n] = v, sh, cm, rf
        out["mask"][j, :n] = True
    return out


def with_ends(cand: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The candidate set with both scale ends always present (variant D): an end that is not a
    stated position enters with share 0 and no Commission/reference flag."""
    n, K = cand["value"].shape
    out = {k: np.zeros((n, K + 2)) for k in ("value", "share", "com", "ref")}
    out["mask"] = np.zeros((n, K + 2), dtype=bool)
    for j in range(n):
        m = cand["mask"][j]
        v = cand["value"][j, m]
        cols = {k: cand[k][j, m] for k in ("share", "com", "ref")}
        for end in (0.0, 1.0):
            if not np.any(np.abs(v - end) < MATCH):
                v = np.append(v, end)
                cols = {k: np.append(x, 0.0) for k, x in cols.items()}
        o = np.argsort(v, kind="stable")
        out["value"][j, : v.size] = v[o]
        for k, x in cols.items():
            out[k][j, : v.size] = x[o]
        out["mask"][j, : v.size] = True
    return out


# other models' forecasts (unit scale) of the issues being scored, for the features dist_<model> and
# at_<model> of variants E-G (set per model in main; median and procedural, NaN replaced by f)
OTHER: dict[str, np.ndarray] = {}


def candidate_features(cand: dict[str, np.ndarray], f: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The (n, K, p) features ``names`` of every candidate for forecasts ``f`` (n,) (unit scale)."""
    v = cand["value"]
    d = np.abs(v - f[:, None])
    lib = {
        **{f"dist_{k}": np.abs(v - o[:, None]) for k, o in OTHER.items()},
        **{f"at_{k}": (np.abs(v - o[:, None]) < MATCH).astype(float) for k, o in OTHER.items()},
        "dist": d,
        "dist2": d**2,
        "share": cand["share"],
        "com": cand["com"],
        "ref": cand["ref"],
        "low": (v <= END_TOL).astype(float),
        "high": (v >= 1 - END_TOL).astype(float),
    }
    return np.stack([lib[k] for k in names], axis=-1)


def chosen(cand: dict[str, np.ndarray], y: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Index of the allowed candidate the outcome sits at, or K ("elsewhere")."""
    n, K = cand["value"].shape
    hit = allowed & (np.abs(cand["value"] - y[:, None]) < MATCH)
    return np.where(hit.any(axis=1), np.argmax(hit, axis=1), K)


# ---------------------------------------------------------------------------------------------
# the conditional logit (McFadden 1974) with an "elsewhere" alternative


class ConditionalLogit:
    """Utilities ``x_j'β`` for the candidates (standardised features) and ``γ0 + z'γ`` for
    "elsewhere"; penalised ML with ridge ``lam`` on the slopes of the non-free features."""

    def __init__(self, lam: float = RIDGE, free: Sequence[bool] = ()) -> None:
        self.lam, self.free = lam, tuple(free)

    def _u(self, theta: np.ndarray, X: np.ndarray, Z: np.ndarray) -> np.ndarray:
        p = X.shape[-1]
        return np.concatenate([X @ theta[:p], (Z @ theta[p:])[:, None]], axis=1)

    def fit(self, X: np.ndarray, mask: np.ndarray, Z: np.ndarray, choice: np.ndarray) -> ConditionalLogit:
        p, q = X.shape[-1], Z.shape[-1]
        self.mx = X[mask].mean(axis=0)
        sd = X[mask].std(axis=0)
        free = np.array(self.free or (False,) * p)
        self.sx = np.where((sd > 1e-9) & ~free, sd, 1.0)
        self.mx = np.where(free, 0.0, self.mx)
        self.mz, sz = Z.mean(axis=0), Z.std(axis=0)
        self.sz = np.where(sz > 1e-9, sz, 1.0)
        Xs, Zs = self._std(X, Z)
        full = np.concatenate([mask, np.ones((mask.shape[0], 1), dtype=bool)], axis=1)
        Y = np.eye(mask.shape[1] + 1)[choice]
        pen = np.concatenate([np.where(free, 0.0, self.lam), [0.0], np.full(q, self.lam)])

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            U = np.where(full, self._u(theta, Xs, Zs), -np.inf)
            m = U.max(axis=1, keepdims=True)
            lse = m[:, 0] + np.log(np.exp(U - m).sum(axis=1))
            nll = float(lse.sum() - np.where(Y > 0, U, 0.0).sum())
            P = np.exp(U - lse[:, None])
            R = P - Y
            g = np.concatenate([np.einsum("nk,nkp->p", R[:, :-1], Xs), R[:, -1] @ Zs])
            return nll + float((pen * theta**2).sum()), g + 2.0 * pen * theta

        res = minimize(objective, np.zeros(p + 1 + q), jac=True, method="L-BFGS-B")
        self.theta = np.clip(res.x, -50.0, 50.0)
        return self

    def _std(self, X: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Zs = np.column_stack([np.ones(Z.shape[0]), (Z - self.mz) / self.sz])
        return (X - self.mx) / self.sx, Zs

    def probabilities(self, X: np.ndarray, mask: np.ndarray, Z: np.ndarray) -> np.ndarray:
        """(n, K + 1): the candidates' probabilities (0 where masked), then "elsewhere"."""
        Xs, Zs = self._std(X, Z)
        full = np.concatenate([mask, np.ones((mask.shape[0], 1), dtype=bool)], axis=1)
        U = np.where(full, self._u(self.theta, Xs, Zs), -np.inf)
        U -= U.max(axis=1, keepdims=True)
        e = np.exp(U)
        return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# predictives (unit scale) as weighted samples, then Predictive


def _mixture(vals: np.ndarray, w: np.ndarray) -> Predictive:
    """The weighted mixture (unit scale) as the package's Predictive on 0–100."""
    pr = from_weighted_samples(vals, w, 0.0, 1.0)
    n = vals.shape[0]
    return Predictive(pr.quantiles * 100, pr.p_low_end, pr.p_high_end, np.zeros(n), np.full(n, 100.0))


def exact_crps(vals: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of the weighted mixture itself (values clipped to the scale): ``E|X − y| − ½E|X − X'|``
    (Gneiting & Raftery 2007, eq. 20), the double sum by sorting."""
    x = np.clip(vals, 0.0, 1.0)
    o = np.argsort(x, axis=1)
    xs, ws = np.take_along_axis(x, o, axis=1), np.take_along_axis(w, o, axis=1)
    ws = ws / ws.sum(axis=1, keepdims=True)
    C = np.cumsum(ws, axis=1)
    e1 = (ws * np.abs(xs - y[:, None])).sum(axis=1)
    e2 = 2.0 * (ws * xs * (2.0 * C - ws - 1.0)).sum(axis=1)
    return 100.0 * (e1 - 0.5 * e2)


def cross_fit_mixtures(
    variant: str,
    f: np.ndarray,
    s: np.ndarray,
    sh: np.ndarray,
    y: np.ndarray,
    g: np.ndarray,
    cand: dict[str, np.ndarray],
    feats: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold weighted samples (values, weights) per issue and each issue's predicted mass at
    interior stated positions. ``variant``: ``hurdle`` (shipped), ``A``, ``B``, ``D`` (module doc;
    C is B with fewer ``feats``)."""
    n = y.size
    X6 = end_design(f, s, sh)
    cls = end_classes(y)
    if variant == "D":
        cand = with_ends(cand)
        feats = [*feats, "low", "high"]
    K = cand["value"].shape[1]
    interior = cand["mask"] & (cand["value"] > END_TOL) & (cand["value"] < 1 - END_TOL)
    allowed = cand["mask"] if variant == "D" else interior
    X = candidate_features(cand, f, feats) if feats else np.zeros((n, K, 0))
    Z = s[:, None]
    ch = chosen(cand, y, allowed)
    at_stated_inside = (cls == 1) & (ch < K)
    width = 2 + J if variant == "hurdle" else (K + J if variant == "D" else 2 + K + J)
    vals, wts = np.zeros((n, width)), np.zeros((n, width))
    disc = np.zeros(n)
    for test in grouped_folds(g, 5):
        tr = ~test
        cont_rows = tr & (cls == 1)
        if variant in ("B", "D"):
            cont_rows &= ~at_stated_inside
        inner = fit_error_model(f[cont_rows], s[cont_rows], y[cont_rows])
        cont = curve_draws(inner.curves(f[test], s[test]), inner.levels, J)
        m = int(test.sum())
        if variant == "D":
            free = [False] * (len(feats) - 2) + [True, True]
            fit = ConditionalLogit(RIDGE, free).fit(X[tr], allowed[tr], Z[tr], ch[tr])
            P = fit.probabilities(X[test], allowed[test], Z[test])
            v = np.where(allowed[test], cand["value"][test], 0.5)
            vals[test] = np.concatenate([v, cont], axis=1)
            wts[test] = np.concatenate([P[:, :K], np.repeat(P[:, K:] / J, J, axis=1)], axis=1)
            disc[test] = (P[:, :K] * interior[test]).sum(axis=1)
            continue
        ends = fit_end_model(X6[tr], cls[tr], lam=RIDGE)
        p = ends.probabilities(X6[test])
        head_v = np.concatenate([np.zeros((m, 1)), np.ones((m, 1))], axis=1)
        head_w = p[:, [0, 2]]
        if variant == "hurdle":
            vals[test] = np.concatenate([head_v, cont], axis=1)
            wts[test] = np.concatenate([head_w, np.repeat(p[:, 1:2] / J, J, axis=1)], axis=1)
            continue
        inside_tr = tr & (cls == 1)
        fit = ConditionalLogit(RIDGE).fit(X[inside_tr], allowed[inside_tr], Z[inside_tr], ch[inside_tr])
        P = fit.probabilities(X[test], allowed[test], Z[test])
        v = np.where(allowed[test], cand["value"][test], 0.5)
        vals[test] = np.concatenate([head_v, v, cont], axis=1)
        wts[test] = np.concatenate(
            [head_w, p[:, 1:2] * P[:, :K], np.repeat(p[:, 1:2] * P[:, K:] / J, J, axis=1)], axis=1
        )
        disc[test] = p[:, 1] * P[:, :K].sum(axis=1)
    return vals, wts, disc


VARIANTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hurdle, shipped (ends + interior QR)": ("hurdle", ()),
    "A: + stated positions, interior QR as shipped": ("A", ("dist", "dist2", "share", "com", "ref")),
    "B: + stated positions, QR on 'elsewhere'": ("B", ("dist", "dist2", "share", "com", "ref")),
    "C: as B, distance + share only": ("B", ("dist", "share")),
    "D: one logit: ends + stated + elsewhere": ("D", ("dist", "dist2", "share", "com", "ref")),
    # added 2026-12-07 (second stop that day): the other models' forecasts as candidate features
    "E: as C + distances to median/procedural fc": ("B", ("dist", "share", "dist_median", "dist_procedural")),
    "F: as E + at median/procedural fc": (
        "B",
        ("dist", "share", "dist_median", "dist_procedural", "at_median", "at_procedural"),
    ),
    "G: as C + com + ref + at_median": ("B", ("dist", "share", "com", "ref", "at_median")),
}
BASE = "hurdle, shipped (ends + interior QR)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default="data/deu/deu3_dev.tsv")
    ap.add_argument("--model", action="append", default=None)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    names = a.model or ["compromise", "calibrated", "median", "procedural"]
    dev = dev_backtest(a.data, sorted({*names, "median", "procedural"}))
    cases, res, spread, scales = dev.cases, dev.result, dev.spread, dev.scales
    shares = dev.shares
    cand_all = stated_positions(cases)
    for name in names:
        ok = np.isfinite(res.outcome) & np.isfinite(res.forecasts[name])
        y = to_unit(res.outcome, scales)[ok]
        f = to_unit(res.forecasts[name], scales)[ok]
        s, sh, g = spread[ok], shares[ok], np.asarray(res.proposal_ids, dtype=object)[ok]
        cand = {k: v[ok] for k, v in cand_all.items()}
        OTHER.clear()
        for o in ("median", "procedural"):
            fo = to_unit(res.forecasts[o], scales)[ok]
            OTHER[o] = np.where(np.isfinite(fo), fo, f)
        interior = cand["mask"] & (cand["value"] > END_TOL) & (cand["value"] < 1 - END_TOL)
        obs = float(np.mean((interior & (np.abs(cand["value"] - y[:, None]) < MATCH)).any(axis=1)))
        y100 = y * 100
        out = {k: cross_fit_mixtures(v, f, s, sh, y, g, cand, ft) for k, (v, ft) in VARIANTS.items()}
        preds = {k: _mixture(v, w) for k, (v, w, _d) in out.items()}
        base = preds[BASE]
        sys.stdout.write(
            f"\n{name} on {a.data}: {y.size} issues, {len(set(g.tolist()))} proposals, 5 folds; "
            f"outcomes at an interior stated position: {obs:.2f}\n"
        )
        for k, pred in preds.items():
            mtr = probabilistic_metrics(pred, y100, g)
            d = paired_crps_difference(pred, base, y100, g)
            vals, w, disc = out[k]
            ex = float(np.mean(exact_crps(vals, w, y)))
            sys.stdout.write(
                f"{k:46s} CRPS {mtr['crps']:6.2f} [{mtr['crps_ci'][0]:.2f}, {mtr['crps_ci'][1]:.2f}]  "
                f"Δ {d['diff']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]  "
                f"cov50/80 {mtr['coverage50']:.2f}/{mtr['coverage80']:.2f}  "
                f"closed ET 50/80 {mtr['coverage_equal_tailed50']:.2f}/{mtr['coverage_equal_tailed80']:.2f}  "
                f"PIT 50/80 {mtr['coverage_pit50']:.2f}/{mtr['coverage_pit80']:.2f}  "
                f"PIT-KS {mtr['pit_ks']:.3f}  p_low {np.mean(pred.p_low_end):.2f} "
                f"p_high {np.mean(pred.p_high_end):.2f}  stated-inside {np.mean(disc):.2f}  "
                f"exact {ex:6.2f}\n"
            )
        feats = VARIANTS["B: + stated positions, QR on 'elsewhere'"][1]
        inside = interior.any(axis=1) & (end_classes(y) == 1)
        K = cand["value"].shape[1]
        fit = ConditionalLogit(RIDGE).fit(
            candidate_features(cand, f, feats)[inside], interior[inside], s[inside, None],
            chosen(cand, y, interior)[inside],
        )  # fmt: skip
        coef = ", ".join(f"{k} {b:+.2f}" for k, b in zip(feats, fit.theta[: len(feats)], strict=True))
        sys.stdout.write(
            f"B's logit fitted on all {int(inside.sum())} interior outcomes (in sample, standardised; "
            f"descriptive only): {coef}; elsewhere: const {fit.theta[-2]:+.2f}, spread {fit.theta[-1]:+.2f}"
            f" (K ≤ {K})\n"
        )
    sys.stdout.write(f"\nrun time {time.perf_counter() - t0:.0f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
