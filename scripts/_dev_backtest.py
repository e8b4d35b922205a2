"""What the calibration experiment scripts share (``*_candidates.py``): a DEU file's backtest cases
as the backtest builds them (``detente backtest``'s DEU settings), the models' point forecasts on
them (``run_backtest``), and the per-issue columns the error models read (docs/calibration.md §2).
Imported by the scripts next to it (``python scripts/<name>.py`` puts this folder on the path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.analysis.backtest import run_backtest
from detente.analysis.backtest_calibration import case_columns, case_end_shares
from detente.io.deu import backtest_cases, load_deu
from detente.models import get_model


@dataclass(frozen=True)
class DevBacktest:
    cases: list[Any]
    result: Any  # analysis.backtest.BacktestResult: outcome, forecasts, groups
    spread: np.ndarray
    shares: np.ndarray  # c·s-weighted shares of positions at each end (case_end_shares)
    scales: np.ndarray  # (n, 2): each issue's scale ends


def dev_backtest(path: str, names: list[str]) -> DevBacktest:
    """The backtest of ``names`` on the DEU file ``path``. Never use it on a file reported as held out."""
    sc = load_deu(path, capability="votes", missing_salience="impute", empty="skip", skipped=[])
    cases, _meta = backtest_cases(sc)
    res = run_backtest(cases, {m: get_model(m) for m in names})
    spread, lo, hi = case_columns(cases)
    return DevBacktest(cases, res, spread, case_end_shares(cases), np.stack([lo, hi], axis=-1))
