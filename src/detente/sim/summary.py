"""Summaries of a :class:`~detente.sim.engine.SimResult` (simulator.md §5 'Summaries'), pure NumPy.

Everything returned is plain JSON data (floats, ints, lists, dicts; ``None`` for undefined).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente._typing import FloatArray, IntArray
from detente.sim import engine as E
from detente.sim.config import ISSUES


def _f(x: Any, nd: int = 4) -> float | None:
    v = float(x)
    return None if not np.isfinite(v) else round(v, nd)


def cumulative_by_month(month: IntArray, months: int) -> FloatArray:
    """Share of runs with an event month in ``1..k`` for ``k = 1..months`` (0 = never); non-decreasing."""
    m = month[(month > 0) & (month <= months)]
    counts = np.bincount(m, minlength=months + 1)[1:]
    return np.cumsum(counts) / max(len(month), 1)


def monthly(r: E.SimResult) -> list[dict[str, Any]]:
    """Per month k: cumulative probability of a first ceasefire, a settlement, a military decision and US sanctions."""
    T = r.months
    cols = {
        "p_ceasefire": cumulative_by_month(r.first_ceasefire, T),
        "p_settlement": cumulative_by_month(r.settlement_month, T),
        "p_decision": cumulative_by_month(r.decision_month, T),
        "p_sanctions": cumulative_by_month(r.sanction_month, T),
    }
    return [{"month": k + 1, **{n: _f(v[k]) for n, v in cols.items()}} for k in range(T)]


def survival(r: E.SimResult) -> dict[str, list[float]]:
    """Share of runs without a first ceasefire / settlement / any end by month k (k = 0..T)."""
    T = r.months
    first_stop = np.where(r.first_ceasefire > 0, r.first_ceasefire, 0)
    ended = np.where(r.outcome != E.ONGOING_WAR, r.end_month, 0)
    ended = np.where(r.outcome == E.ONGOING_CEASEFIRE, 0, ended)
    out = {}
    for name, m in (
        ("no_ceasefire", first_stop),
        ("no_settlement", r.settlement_month),
        ("war_not_ended", ended),
    ):
        out[name] = [1.0] + [round(1.0 - float(x), 4) for x in cumulative_by_month(m, T)]
    return out


def _quantiles(x: FloatArray) -> dict[str, float | None]:
    if len(x) == 0:
        return {"n": 0, "median": None, "p25": None, "p75": None, "p90": None, "mean": None}
    q = np.quantile(x, [0.25, 0.5, 0.75, 0.9])
    return {
        "n": int(len(x)),
        "median": _f(q[1], 3),
        "p25": _f(q[0], 3),
        "p75": _f(q[2], 3),
        "p90": _f(q[3], 3),
        "mean": _f(x.mean(), 3),
    }


def ceasefire_stats(r: E.SimResult) -> dict[str, Any]:
    """Ceasefire counts, durations (months; completed ones and all), breakdown share, design mix."""
    c = r.ceasefires
    n = len(c.run)
    done = c.duration[c.broke]
    return {
        "count": n,
        "runs_with_any": _f((r.n_ceasefires > 0).mean()),
        "mean_per_run": _f(r.n_ceasefires.mean(), 3),
        "share_broken": _f(c.broke.mean()) if n else None,
        "duration_broken_months": _quantiles(done),
        "duration_all_months": _quantiles(c.duration),
        "share_within_7_days": _f((done <= 7 / 30.4).mean()) if len(done) else None,
        "share_partial": _f(c.partial.mean()) if n else None,
        "share_imposed": _f(c.imposed.mean()) if n else None,
        "guar": {str(g): _f((c.guar == g).mean()) for g in range(4)} if n else {},
        "mean_monthly_hazard": _f(c.hazard.mean()) if n else None,
    }


def outcomes(r: E.SimResult) -> dict[str, Any]:
    """Share of runs ending each way plus ceasefires, sanctions, summit and partial-agreement read-outs."""
    shares = {name: _f((r.outcome == i).mean()) for i, name in enumerate(E.OUTCOME_NAMES)}
    has_summit = bool(np.isfinite(r.alignment).any())
    agreements = {
        "pre_meetings_mean": _f(r.n_meetings.mean(), 3),
        "humanitarian_mean": _f(r.n_humanitarian.mean(), 3),
        "partial_ceasefires_mean": _f(r.ceasefires.partial.sum() / r.n_runs, 3),
        "comprehensive_share": shares["settlement"],
    }
    n_partial = r.n_humanitarian.sum() + r.ceasefires.partial.sum()
    n_comp = int((r.outcome == E.SETTLEMENT).sum())
    agreements["partial_per_comprehensive"] = _f(n_partial / n_comp, 2) if n_comp else None
    return {
        "shares": shares,
        "ceasefires": ceasefire_stats(r),
        "sanctions": {
            "p_by_end": _f((r.sanction_month > 0).mean()),
            "mean_level_end": _f(r.final_S_US.mean()),
        },
        "summit": {
            "alignment_mean": _f(np.nanmean(r.alignment)) if has_summit else None,
            "alignment_p10": _f(np.nanquantile(r.alignment, 0.1)) if has_summit else None,
            "alignment_p90": _f(np.nanquantile(r.alignment, 0.9)) if has_summit else None,
            "p_strong_communique": _f(r.strong_communique.mean()) if has_summit else None,
        },
        "agreements": agreements,
        "blame_end_mean": _f(np.nanmean(r.beta[:, -1])) if np.isfinite(r.beta[:, -1]).any() else None,
        "war_months_mean": _f(r.end_month.mean(), 2),
    }


def terms(r: E.SimResult) -> dict[str, Any]:
    """Distribution of the settled package per issue (share of settlements per value) and of ceasefire guarantees."""
    settled = r.terms[np.isfinite(r.terms[:, 0])]
    out: dict[str, Any] = {"n_settlements": int(len(settled))}
    for k, issue in enumerate(ISSUES):
        if len(settled) == 0:
            out[issue] = {}
            continue
        vals, counts = np.unique(np.round(settled[:, k], 4), return_counts=True)
        out[issue] = {f"{v:g}": round(float(c) / len(settled), 4) for v, c in zip(vals, counts, strict=True)}
    if len(settled):
        out["terr_mean"] = _f(settled[:, 0].mean())
    c = r.ceasefires
    out["ceasefire_guar"] = {str(g): _f((c.guar == g).mean()) for g in range(4)} if len(c.run) else {}
    return out


def summarize(r: E.SimResult, *, version: str = "") -> dict[str, Any]:
    """The JSON document of ``detente simulate`` (issue 6): version, seed, runs, months, monthly, outcomes, terms."""
    doc: dict[str, Any] = {
        "detente_version": version,
        "seed": r.seed,
        "runs": r.n_runs,
        "months": r.months,
        "monthly": monthly(r),
        "outcomes": outcomes(r),
        "terms": terms(r),
    }
    if r.config.run.mode == "rubinstein":
        doc["first_mover_share"] = (
            _f(r.extras["first_mover_share"], 6) if r.extras.get("first_mover_share") is not None else None
        )
        doc["agreement_round"] = r.extras.get("agreement_round")
    elif r.config.run.mode == "fearon":
        doc["outcomes"]["fearon"] = {
            k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.extras.items()
        }
    return doc


def headline(r: E.SimResult) -> dict[str, float | None]:
    """Numbers for ``detente run``: ceasefire within 6/12 months, US sanctions, summit alignment, settlement."""
    cf = cumulative_by_month(r.first_ceasefire, r.months)

    def at(k: int) -> float | None:
        return _f(cf[min(k, r.months) - 1])

    return {
        "p_ceasefire_6": at(6),
        "p_ceasefire_12": at(12),
        "p_sanctions": _f((r.sanction_month > 0).mean()),
        "alignment_mean": _f(np.nanmean(r.alignment)) if np.isfinite(r.alignment).any() else None,
        "p_strong_communique": _f(r.strong_communique.mean()),
        "p_settlement": _f((r.outcome == E.SETTLEMENT).mean()),
    }


def plausibility(r: E.SimResult) -> list[dict[str, Any]]:
    """The result against the stylized-fact envelopes of simulator.md §7 (envelopes, not fit targets).

    One row per fact: ``fact`` (§7 id), ``target`` (the envelope, in words), ``value`` (the model's
    number, None if undefined, e.g. no ceasefire ever happens), ``holds`` (True/False/None).
    A war episode ends at its first ceasefire, a settlement or a military decision (UCDP termination
    counts ceasefires, §7 V6).
    """
    rows: list[dict[str, Any]] = []

    def add(fact: str, target: str, value: float | None, lo: float | None, hi: float | None) -> None:
        holds = None if value is None else bool((lo is None or value >= lo) and (hi is None or value <= hi))
        rows.append(
            {
                "fact": fact,
                "target": target,
                "value": None if value is None else round(value, 4),
                "holds": holds,
            }
        )

    ep_end = np.where(r.first_ceasefire > 0, r.first_ceasefire, 0)
    for m in (r.settlement_month, r.decision_month):
        ep_end = np.where((ep_end == 0) | ((m > 0) & (m < ep_end)), np.where(m > 0, m, ep_end), ep_end)
    ended = ep_end > 0
    exposure = np.where(ended, ep_end, r.months).sum()
    hazard = float(ended.sum() / exposure) if exposure else None
    add(
        "V3",
        "monthly hazard that a war older than 24 months ends: 0.02-0.035 (envelope 0.01-0.05)",
        hazard,
        0.01,
        0.05,
    )
    ends = np.array(
        [
            (r.outcome == E.SETTLEMENT).sum(),
            (
                (r.outcome == E.FROZEN)
                | (r.first_ceasefire > 0)
                & (r.outcome != E.SETTLEMENT)
                & (r.outcome != E.DECISION_R)
                & (r.outcome != E.DECISION_U)
            ).sum(),
            ((r.outcome == E.DECISION_R) | (r.outcome == E.DECISION_U)).sum(),
        ],
        dtype=float,
    )
    tot = ends.sum()
    add(
        "V6",
        "UCDP interstate endings: victory 30% of ended episodes (envelope 15-45%)",
        float(ends[2] / tot) if tot else None,
        0.15,
        0.45,
    )
    add(
        "V5",
        "about 2/3 of interstate wars end by negotiation (envelope 40-80% of ended runs)",
        float((ends[0] + ends[1]) / tot) if tot else None,
        0.40,
        0.80,
    )
    add(
        "V6b",
        "UCDP interstate: peace agreement 20% of ended episodes (envelope 10-35%)",
        float(ends[0] / tot) if tot else None,
        0.10,
        0.35,
    )
    c = r.ceasefires
    add(
        "V9",
        "almost half of interstate ceasefires see renewed fighting (envelope 30-65% broken)",
        float(c.broke.mean()) if len(c.run) else None,
        0.30,
        0.65,
    )
    days = c.duration[c.broke] * 30.4
    add(
        "V11",
        "ceasefire duration median 14 days, IQR 2-70 (envelope: median 2-70 days)",
        float(np.median(days)) if len(days) else None,
        2.0,
        70.0,
    )
    add(
        "V11b",
        "39% of ceasefires end within 7 days (envelope 20-60% of broken ones)",
        float((days <= 7).mean()) if len(days) else None,
        0.20,
        0.60,
    )
    strong_g, weak_g = c.duration[c.guar >= 2], c.duration[c.guar < 2]
    ratio = (
        float(np.median(strong_g) / np.median(weak_g))
        if len(strong_g) and len(weak_g) and np.median(weak_g) > 0
        else None
    )
    add(
        "V12",
        "stronger (written, monitored) ceasefires last longer: median ratio guar>=2 / guar<2 > 1",
        ratio,
        1.0,
        None,
    )
    n_agree = r.n_meetings.sum() + r.n_humanitarian.sum() + len(c.run) + (r.outcome == E.SETTLEMENT).sum()
    add(
        "V15",
        "PA-X: comprehensive agreements are 6% of all agreements (envelope <= 15%)",
        float((r.outcome == E.SETTLEMENT).sum() / n_agree) if n_agree else None,
        0.0,
        0.15,
    )
    imp, non = c.hazard[c.imposed], c.hazard[~c.imposed]
    add(
        "V17",
        "mediator-imposed ceasefires break down more (hazard ratio imposed / not > 1)",
        float(imp.mean() / non.mean()) if len(imp) and len(non) else None,
        1.0,
        None,
    )
    add(
        "V20/column",
        "NATO summit: alignment realised in (0, 1), strong communique sometimes",
        float(np.nanmean(r.alignment)) if np.isfinite(r.alignment).any() else None,
        0.05,
        0.95,
    )
    return rows
