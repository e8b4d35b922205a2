"""``detente backtest``: score every model on real DEU outcomes (validation.md §2, docs/backtest.md)."""

from __future__ import annotations

import csv
import io
import math
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli.choices import Capability, ErrorModelKind, Format, MissingSalience
from detente.cli.common import (
    build_model,
    check_min,
    check_output_path,
    console,
    err_console,
    fail,
    parse_sets,
    print_csv,
    print_json,
    print_table,
    say_warnings,
    show_progress,
    warn_missing_error_models,
    write_text_atomic,
)
from detente.core.text import bracket, plural

BASELINE_MODELS: dict[str, tuple[str, dict[str, Any]] | None] = {
    "compromise": ("compromise", {}),
    "salience_mean": ("compromise", {"weighting": "s"}),
    "mean": ("mean", {}),
    "median": ("median", {}),
    "commission": None,
    "reference": None,
}
BASELINE_LABELS = {
    "compromise": "compromise (c·s mean)",
    "salience_mean": "salience-weighted mean",
    "mean": "unweighted mean",
    "median": "c·s weighted median",
    "commission": "Commission position",
    "reference": "reference point",
}


def select_models(
    names: list[str] | None, sets: dict[str, str], *, baselines: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The ``baselines`` (default: all of ``BASELINE_MODELS``) + the requested models, or every
    available registered model. A requested baseline name (salience_mean, commission, …) is accepted
    as such; a requested registered model that a --set applies to is built with it."""
    from detente.errors import DetenteError
    from detente.models import available_models, get_model, parameter_names

    models: dict[str, Any] = {}
    wanted = list(dict.fromkeys(names or []))
    for label, spec in BASELINE_MODELS.items():
        if baselines is None or label in baselines or label in wanted:
            models[label] = None if spec is None else get_model(spec[0], **spec[1])
    extra = wanted or [n for n in available_models() if n not in BASELINE_MODELS]
    used: set[str] = set()
    tunable: list[str] = []
    for name in extra:
        if name in BASELINE_MODELS and name not in available_models():
            continue  # salience_mean, commission, reference: fixed baselines
        try:
            fields = parameter_names(name)
        except (DetenteError, ImportError, AttributeError) as exc:
            msg = str(exc)
            if "unknown model" in msg:  # the backtest also knows its fixed baselines by name
                accepted = [*available_models(), *(b for b in BASELINE_MODELS if b not in available_models())]
                msg = f"unknown model (expected one of {', '.join(accepted)})"
            fail(f"--model {name}: {msg}")
        tunable.append(name)
        applies = fields & set(sets)
        used |= applies
        if name not in models or applies:
            models[name] = build_model(name, sets)
    unknown = sorted(set(sets) - used)
    if unknown:
        fail(
            f"--set {unknown[0]}: no selected model has this parameter (models it can apply to: "
            f"{', '.join(tunable) or 'none; name one with -m'})"
        )
    return models


def forecasts_csv(res: Any) -> str:
    """``issue_id,proposal_id,model,forecast,low,high,q05,…,q95,p_low_end,p_high_end,lo50,…,hi90``
    for every issue with an outcome (low/high = central 80 % interval of the seeds of stochastic
    models, empty otherwise; q05…q95 and the end masses = the predictive distribution, issue #14;
    lo50…hi90 = its content-exact 50/80/90 % intervals, ``analysis.predictive.interval_table``;
    outcome = what the Council decided, so errors can be computed from the file alone)."""
    from detente.analysis.predictive import INTERVAL_COLUMNS, QUANTILE_COLUMNS, interval_table

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "issue_id",
            "proposal_id",
            "model",
            "forecast",
            "low",
            "high",
            *QUANTILE_COLUMNS,
            "p_low_end",
            "p_high_end",
            *INTERVAL_COLUMNS,
            "outcome",
        ]
    )

    def fmt(v: float) -> str:
        return "" if not math.isfinite(v) else f"{v:.6g}"

    for name, f in res.forecasts.items():
        lo, hi = res.low.get(name), res.high.get(name)
        pred = res.predictive.get(name)
        ivs = None if pred is None else interval_table(pred)
        for k, iid in enumerate(res.issue_ids):
            if not math.isfinite(res.outcome[k]):
                continue
            dist = (
                [fmt(float(v)) for v in pred.quantiles[k]]
                + [fmt(float(pred.p_low_end[k])), fmt(float(pred.p_high_end[k]))]
                + [fmt(float(ivs[c][k])) for c in INTERVAL_COLUMNS]
                if pred is not None and ivs is not None
                else [""] * (len(QUANTILE_COLUMNS) + 2 + len(INTERVAL_COLUMNS))
            )
            w.writerow(
                [
                    iid,
                    res.proposal_ids[k],
                    name,
                    fmt(float(f[k])),
                    "" if lo is None else fmt(float(lo[k])),
                    "" if hi is None else fmt(float(hi[k])),
                    *dist,
                    fmt(float(res.outcome[k])),
                ]
            )
    return buf.getvalue()


def _print_leaderboard(rows: list[dict[str, Any]], n_issues: int, n_props: int) -> None:
    body = []
    for r in rows:
        d = r.get("diff_vs_compromise")
        body.append(
            [
                r["model"] + (f" ({r['failures']} failed)" if r["failures"] else ""),
                str(r["n"]),
                f"{r['mae']:.2f} {bracket(r['mae_ci'])}",
                "—" if d is None else f"{d['diff']:+.2f} {bracket((d['low'], d['high']), sign='+')}",
            ]
        )
    print_table(
        f"Backtest on {plural(n_issues, 'issue')} with an outcome, {plural(n_props, 'proposal')}: point forecasts "
        "(95 % proposal-bootstrap intervals)",
        ["model", "n", "MAE [95 % CI]", "Δ MAE vs compromise"],
        body,
    )
    console.print(
        "Differences below about 3 MAE points are not detectable with ~200 issues "
        "(docs/spec/validation.md §2).",
        style="dim",
    )


def _print_predictive(rows: list[dict[str, Any]], calib: dict[str, Any]) -> None:
    """The predictive distributions' scores (issue #14; docs/calibration.md): CRPS, then coverage."""
    rows = sorted(
        (r for r in rows if r.get("n_prob")), key=lambda r: (not math.isfinite(r["crps"]), r["crps"])
    )
    if not rows:
        return
    scores = []
    cover = []
    for r in rows:
        d = r.get("crps_diff_vs_conformal_compromise")
        scores.append(
            [
                r["model"],
                str(r["n_prob"]),
                f"{r['crps']:.2f} {bracket(r['crps_ci'])}",
                "—" if d is None else f"{d['diff']:+.2f} {bracket((d['low'], d['high']), sign='+')}",
            ]
        )
        cover.append(
            [
                r["model"],
                f"{r['coverage50']:.2f}",
                f"{r['coverage80']:.2f} {bracket(r['coverage80_ci'])}",
                f"{r['coverage90']:.2f}",
                f"{r['width80']:.1f}",
            ]
        )
    print_table(
        "Predictive distributions: CRPS (lower is better; 95 % proposal-bootstrap intervals)",
        ["model", "n", "CRPS [95 % CI]", "Δ CRPS vs conformal"],
        scores,
    )
    console.print(
        "n: issues with a predictive distribution; each Δ is paired, on the issues both models forecast.",
        style="dim",
    )
    print_table(
        "Coverage of the predictive ranges (share of outcomes inside) and mean width of the 80 % range",
        ["model", "cov 50 %", "cov 80 % [95 % CI]", "cov 90 %", "width 80 %"],
        cover,
    )
    console.print(
        "Each range holds its level of the forecast: where exactly 0 or 100 is likelier than the "
        "tail, it starts at that end (equal-tailed coverage: --format json, docs/calibration.md §3).",
        style="dim",
    )
    console.print(f"Model error: {calib.get('description', '')}.", style="dim")
    from detente.analysis.backtest_calibration import zero_width_note

    why = zero_width_note(rows)  # issue #14: no interval of zero width without saying why
    if why:
        console.print(f"{why}", style="dim")


def _print_subgroups(groups: list[dict[str, Any]], order: list[str]) -> None:
    """One table per split (Council rule, procedure): models down, subgroups across, MAE [95 % CI]."""
    from detente.analysis.backtest_groups import SMALL, SPLITS, TOO_FEW, has_interval, split_levels
    from detente.analysis.calibration import CONFORMAL_BASELINE

    for key, label in SPLITS[:2]:  # rule × procedure is in the JSON and the report
        rows = [r for r in groups if r["split"] == key]
        levels = split_levels(rows, key)
        cell = {(r["model"], r["level"]): r for r in rows}
        n_iss = {lev: max(r["n"] for r in rows if r["level"] == lev) for lev in levels}

        def show(r: dict[str, Any] | None) -> str:
            if r is None:
                return ""
            return f"{r['mae']:.1f} " + (bracket(r["mae_ci"], 1) if has_interval(r) else f"({TOO_FEW})")

        print_table(
            f"MAE by {label} (95 % proposal-bootstrap intervals)",
            ["model"] + [f"{lev} ({n_iss[lev]}{', few' if n_iss[lev] < SMALL else ''})" for lev in levels],
            [[m] + [show(cell.get((m, lev))) for lev in levels] for m in order if m != CONFORMAL_BASELINE],
        )
    console.print(
        f"conformal_compromise has compromise's point forecasts; 'few': under {SMALL} issues; "
        f"'{TOO_FEW}': too few proposals for a bootstrap interval.",
        style="dim",
    )


def load_cases(
    data: Path, capability: str, missing_salience: str, skipped: list[str], what: str
) -> tuple[list[Any], Any]:
    """The backtest cases of a DEU file (``backtest_cases``), for backtest and calibrate: a bad file is
    one error line, the reader's warnings one ``warning:`` line each, and a file without any outcome
    is refused (``what`` the command would do: "score", "calibrate on")."""
    import warnings

    from detente.errors import DetenteError, DetenteWarning
    from detente.io.deu import backtest_cases, load_deu

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DetenteWarning)
            scenarios = load_deu(
                data, capability=capability, missing_salience=missing_salience, empty="skip", skipped=skipped
            )
        cases, meta = backtest_cases(scenarios)
    except OSError as exc:
        fail(f"{data}: cannot read ({exc.strerror or type(exc).__name__})")
    except DetenteError as exc:
        fail(str(exc))
    say_warnings(caught)  # e.g. a Council rule the reader does not know
    if not any((c.outcome == c.outcome).any() for c in cases):
        fail(f"{data}: no issue has an outcome (column 'out'); nothing to {what}")
    return cases, meta


def backtest(
    data: Annotated[Path, typer.Argument(help="DEU III file (tab-separated; e.g. deu3_dev.tsv)")],
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="model to score (repeatable; the baselines compromise, salience_mean, mean, median, "
            "commission, reference and, for the CRPS, conformal_compromise are always scored beside it); "
            "default: all",
        ),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="NAME=VALUE hyperparameter for the selected models")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed (stochastic models run seeds N..N+19)")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="write per-issue forecasts CSV")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="how to print the leaderboard")] = Format.table,
    report: Annotated[
        Path | None, typer.Option("--report", help="write a self-contained HTML report")
    ] = None,
    capability: Annotated[
        Capability, typer.Option(metavar="WEIGHTS", help="votes (pre-registered), ssi, banzhaf or equal")
    ] = Capability.votes,
    missing_salience: Annotated[
        MissingSalience, typer.Option(help="impute (50, pre-registered) or drop")
    ] = MissingSalience.impute,
    calibration: Annotated[
        str,
        typer.Option(
            "--calibration",
            metavar="SOURCE",
            help="model error: crossfit (K folds by proposal, default), an error-model FILE "
            "(detente calibrate), default (the shipped DEU one) or none",
        ),
    ] = "crossfit",
    folds: Annotated[int, typer.Option("--folds", min=2, help="K of the cross-fitting")] = 5,
    error_model: Annotated[
        ErrorModelKind,
        typer.Option(
            "--error-model",
            metavar="KIND",
            help="what the cross-fitting fits: hurdle (end masses + interior quantile regression, default) "
            "or quantile_regression",
        ),
    ] = ErrorModelKind.hurdle,
) -> None:
    """Score every model on the real outcomes of a DEU file: leaderboard with proposal-bootstrap intervals."""
    from detente.analysis.backtest import in_sample_note, leaderboard, run_backtest
    from detente.analysis.backtest_groups import subgroup_leaderboard
    from detente.errors import DetenteError, DetenteWarning

    check_min("--seed", seed, 0)
    sets = parse_sets(set_)
    for path in (out, report):  # a missing folder is said now, not after minutes of scoring
        check_output_path(path, data, calibration)
    t_start = time.perf_counter()
    from detente.io.error_models import resolve_calibration

    try:
        error_models = resolve_calibration(calibration)
    except DetenteError as exc:
        fail(f"--calibration: {exc}")
    import warnings

    skipped: list[str] = []
    cases, meta = load_cases(data, str(capability), str(missing_salience), skipped, "score")
    models = select_models(model, sets)
    warn_missing_error_models(calibration, error_models, models)
    warnings.simplefilter("ignore", DetenteWarning)  # statuses are counted and reported instead
    if show_progress():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        n_scored = sum(int((c.outcome == c.outcome).sum()) for c in cases)
        err_console.print(  # README: all 17 models on the DEU dev file took 44 s on 2 cores (2026-12-07)
            f"backtest: {len(models)} models on {plural(n_scored, 'issue')}; all models on the DEU dev file "
            "take about a minute (-m picks fewer)"
        )

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as prog:
            task = prog.add_task("backtest", total=len(models) * len(cases))

            def tick(name: str, k: int) -> None:
                prog.update(task, advance=1, description=f"[bold]{name}[/bold]")

            res = run_backtest(cases, models, seed=seed, progress=tick, clock=time.perf_counter)
    else:
        res = run_backtest(cases, models, seed=seed, clock=time.perf_counter)
    from detente.analysis.backtest_calibration import add_predictive_scores, calibrate_backtest

    calib_info = calibrate_backtest(res, cases, error_models, k=folds, kind=str(error_model))
    rows = leaderboard(res)
    add_predictive_scores(res, rows)
    rows.sort(key=lambda r: (not math.isfinite(r["mae"]), r["mae"]))
    groups = subgroup_leaderboard(res, meta)  # by Council rule and procedure (issue #16)
    n_out = int(sum(1 for v in res.outcome if v == v))
    n_props = len({p for p, v in zip(res.proposal_ids, res.outcome, strict=True) if v == v})
    elapsed = time.perf_counter() - t_start
    settings = {
        "data": str(data),
        "capability": str(capability),
        "missing_salience": str(missing_salience),
        "seed": seed,
        "bootstrap": "proposals (prnr), 2000 draws, numpy default_rng(1), percentile 95 %",
        "models": {
            n: (None if m is None else {"class": type(m).__name__, **_params(m)}) for n, m in models.items()
        },
        "calibration": calib_info,
    }
    text_csv = forecasts_csv(res) if out is not None else None
    html = None
    if report is not None:
        from detente.report.backtest import render_backtest_report

        html = render_backtest_report(res, rows, meta, settings, groups)
    if text_csv is not None and out is not None:
        write_text_atomic(out, text_csv, data, calibration)
    if html is not None and report is not None:
        write_text_atomic(report, html, data, calibration, out)
    if fmt == "json":
        from detente.io.documents import backtest_document

        print_json(
            backtest_document(
                settings,
                n_issues=n_out,
                n_proposals=n_props,
                rows=rows,
                runtime_s={"total": elapsed, **res.seconds},
                failures=res.failures,
                skipped_issues=skipped,
                subgroups=groups,
            )
        )
    elif fmt == Format.csv:
        print_csv(LEADERBOARD_COLUMNS, [_csv_row(r) for r in rows])
    else:
        from rich.text import Text

        _print_leaderboard(rows, n_out, n_props)
        _print_predictive(rows, calib_info)
        _print_subgroups(groups, [r["model"] for r in rows])
        for r in rows:
            st = {k: v for k, v in r["statuses"].items() if k != "closed_form"}
            if st:
                console.print(
                    f"{r['model']} run statuses on the {n_out} issues with an outcome: "
                    + ", ".join(f"{k} {v}" for k, v in sorted(st.items()))
                    + "",
                    style="dim",
                )
        note = in_sample_note(res.forecasts)
        if note:
            console.print(f"{note}", style="dim")
        console.print(
            "RMSE, hit rate, interval score, PIT and the rule × procedure split: --format json|csv or "
            "--report FILE.",
            style="dim",
        )
        if skipped:
            console.print(
                Text.assemble(
                    ("note:", "yellow"),
                    f" {len(skipped)} issue(s) without any usable position skipped, e.g. {skipped[0]}",
                )
            )
        for name, errs in res.failures.items():
            console.print(
                Text.assemble(
                    ("note:", "yellow"), f" {name} failed on {len(errs)} proposal(s), e.g. {errs[0]}"
                )
            )
        console.print(f"{len(models)} models, {elapsed:.1f} s", style="dim")


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)


def _params(model: Any) -> dict[str, Any]:
    from detente.models import model_params

    return {k: v for k, v in model_params(model).items()}


LEADERBOARD_COLUMNS = [
    "model", "n", "mae", "mae_low", "mae_high", "rmse", "rmse_low", "rmse_high", "hit_rate", "hit_rate_low",
    "hit_rate_high", "diff_vs_compromise", "diff_low", "diff_high", "crps", "coverage80", "failures",
    "crps_low", "crps_high", "crps_quantile", "interval_score80", "coverage50", "coverage90", "width80", "pit_ks",
    "crps_diff_vs_conformal_compromise", "crps_diff_low", "crps_diff_high",
    "coverage_equal_tailed50", "coverage_equal_tailed80", "coverage_equal_tailed90",
    "coverage_pit50", "coverage_pit80", "coverage_pit90",
]  # fmt: skip
"""``backtest --format csv``: one leaderboard row per model (95 % proposal-bootstrap intervals)."""


def _csv_row(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: r.get(k) for k in ("model", "n", "mae", "rmse", "hit_rate", "crps", "coverage80", "failures")}
    for k in ("mae", "rmse", "hit_rate"):
        out[f"{k}_low"], out[f"{k}_high"] = r[f"{k}_ci"]
    d = r.get("diff_vs_compromise")
    if d is not None:
        out |= {"diff_vs_compromise": d["diff"], "diff_low": d["low"], "diff_high": d["high"]}
    for k in ("crps_quantile", "interval_score80", "coverage50", "coverage90", "width80", "pit_ks"):
        out[k] = r.get(k)
    for k in LEADERBOARD_COLUMNS:
        if k.startswith(("coverage_equal_tailed", "coverage_pit")):
            out[k] = r.get(k)
    if "crps_ci" in r:
        out["crps_low"], out["crps_high"] = r["crps_ci"]
    c = r.get("crps_diff_vs_conformal_compromise")
    if c is not None:
        out |= {
            "crps_diff_vs_conformal_compromise": c["diff"],
            "crps_diff_low": c["low"],
            "crps_diff_high": c["high"],
        }
    return out
