"""``detente calibrate``: fit the model-error part of the predictive distributions on real outcomes (docs/calibration.md)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from detente.cli.choices import Capability, ErrorModelKind, MissingSalience
from detente.cli.common import (
    check_min,
    check_output_path,
    console,
    fail,
    parse_sets,
    write_text_atomic,
)

LICENCE = "CC BY 4.0 (DEU III: Arregui & Perarnaud 2022; data/README.md)"
_BASELINE = (
    "; conformal_compromise: compromise forecast + unconditional residual quantiles (docs/calibration.md)"
)
METHODS = {
    "quantile_regression": "per model: linear quantile regression of the outcome (unit scale) on the point "
    "forecast and the c·s-weighted spread of positions at 5, 10, …, 95 %" + _BASELINE,
    "hurdle": "per model: the probabilities of an outcome exactly at the low end, inside, exactly at the high "
    "end from a ridge-penalised multinomial logit on the point forecast (unit scale), whether it sits at an "
    "end, the c·s-weighted spread of positions and the c·s-weighted shares of positions at each end; the "
    "outcomes inside the scale by linear quantile regression on the point forecast and the spread at 5, 10, "
    "…, 95 %" + _BASELINE,
}


def calibrate(
    data: Annotated[
        Path, typer.Argument(help="DEU III file with outcomes (tab-separated; e.g. deu3_dev.tsv)")
    ],
    out: Annotated[Path, typer.Option("--out", help="write the error-model file (JSON) here")],
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="model to fit an error model for (repeatable); default: all"),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="NAME=VALUE hyperparameter for the selected models")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed (stochastic models run seeds N..N+19)")] = 0,
    capability: Annotated[
        Capability, typer.Option(help="votes (pre-registered), ssi, banzhaf or equal")
    ] = Capability.votes,
    missing_salience: Annotated[
        MissingSalience, typer.Option(help="impute (50, pre-registered) or drop")
    ] = MissingSalience.impute,
    error_model: Annotated[
        ErrorModelKind,
        typer.Option(
            "--error-model",
            metavar="KIND",
            help="hurdle (end masses + interior quantile regression, default) or quantile_regression",
        ),
    ] = ErrorModelKind.hurdle,
) -> None:
    """Fit one error model per model on every issue of a DEU file that has an outcome, and write them with their provenance (file hash, date, N, licence) for --calibration FILE.

    With -m, the file has the models asked for plus compromise (the fallback for models without an error model of their own) and conformal_compromise (the baseline of backtest's CRPS comparison).
    """
    from detente._version import __version__
    from detente.analysis.backtest import run_backtest
    from detente.analysis.backtest_calibration import fit_error_model_set
    from detente.analysis.calibration import CONFORMAL_BASELINE, MIN_QR
    from detente.cli.cmd_backtest import load_cases, select_models
    from detente.errors import DetenteWarning
    from detente.io.error_models import dumps_error_models

    check_min("--seed", seed, 0)
    sets = parse_sets(set_)
    check_output_path(out, data)  # a missing folder is said now, not after minutes of fitting
    t0 = time.perf_counter()
    import warnings

    cases, _meta = load_cases(data, str(capability), str(missing_salience), [], "calibrate on")
    try:
        raw = data.read_bytes()  # its sha256 goes into the provenance
    except OSError as exc:
        fail(f"{data}: cannot read ({exc.strerror or type(exc).__name__})")
    # with -m: the asked models plus compromise, whose error model is the fallback for models without
    # their own and whose forecast the conformal_compromise baseline (backtest's CRPS reference) uses
    models = select_models(model, sets, baselines=("compromise",) if model else None)
    warnings.simplefilter("ignore", DetenteWarning)
    with console.status("running the models on every proposal"):
        res = run_backtest(cases, models, seed=seed)
    n_props = len({p for p, v in zip(res.proposal_ids, res.outcome, strict=True) if v == v})
    provenance = {
        "data": data.name,
        "data_sha256": hashlib.sha256(raw).hexdigest(),
        "fitted_on": _dt.datetime.now(_dt.UTC).date().isoformat(),
        "n_issues": int((res.outcome == res.outcome).sum()),
        "n_proposals": n_props,
        "licence": LICENCE,
        "detente_version": __version__,
        "capability": str(capability),
        "missing_salience": str(missing_salience),
        "seed": seed,
        "method": METHODS[str(error_model)],
    }
    try:
        ems = fit_error_model_set(
            res,
            cases,
            source=f"DEU III ({data.name})",
            domain="EU legislation",
            provenance=provenance,
            kind=str(error_model),
        )
    except ValueError as exc:
        fail(f"{data}: {exc}")
    write_text_atomic(out, dumps_error_models(ems), data)
    asked = [n for n in dict.fromkeys(model)] if model else [n for n in ems.models if n != CONFORMAL_BASELINE]
    added = [n for n in ems.models if n not in asked]
    why = (
        f" (added: {', '.join(added)}: compromise is the fallback for models without their own, "
        "conformal_compromise the baseline of backtest's CRPS comparison)"
        if added and model
        else ""
    )
    console.print(
        f"wrote {out}: error models for {', '.join(n for n in asked if n in ems.models)}{why}; fitted on "
        f"{ems.n:,} issues of {n_props} proposals ({time.perf_counter() - t0:.1f} s)",
        soft_wrap=True,
    )
    if ems.n < MIN_QR:  # the file is written (the user asked), but say what it is worth
        print(
            f"warning: {ems.n} {'issue' if ems.n == 1 else 'issues'} with an outcome: below {MIN_QR} the error "
            "model is the residual quantiles of these issues alone (docs/calibration.md §2), so its intervals "
            "say little; the shipped error model was fitted on 210",
            file=sys.stderr,
        )


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate)
