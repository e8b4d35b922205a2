"""The best candidate exchange of a step without re-evaluating every candidate (issue 15; models.md §5).

The greedy exchange phase realises, at each step, the valid candidate ``(i, j, p, q)`` with the
highest equal gain (``kernels.exchange.select``: ties within ``TIE_RTOL`` go to the first in
``(p, q, i, j)`` order, or to a uniform pick). Re-evaluating all ``A²·I²/2`` candidates at each of
hundreds of steps is what made 200 actors × 10 issues take most of a minute. This search finds the
same candidate (same gains, bit for bit, because it calls the same ``evaluate`` on a subset) with:

* **a static bound** (docs/exchange.md "Search"): the equal gain is
  ``G = ΔO_p·k_ij`` with ``k_ij = (s_iq s_jp − s_ip s_jq)/(s_iq + s_jq)`` (from
  ``ΔO_q = ρ ΔO_p``, ``ρ = (s_ip + s_jp)/(s_iq + s_jq)``), and
  ``ΔO_p ≤ min(w_ip |x_jp − y_ip| / S_p, w_jq |x_iq − y_jq| / (S_q ρ))``. Moves of a cell never
  reverse within a phase (the ``moved`` rule) and every move goes toward the demander, so for any
  valid candidate ``|x_jp − y_ip| ≤ |x_jp − x_ip|``: the bound with ``y = x`` holds for the whole
  phase. Candidates are scanned in (binned) decreasing bound, the first block as far as the
  previous step's scan, and the scan stops once the largest bound still ahead is below the best
  gain found minus the tie tolerance; nothing unscanned can then be best or tied. If a zero-length move ever resets ``moved`` of a moved cell, the argument no
  longer holds and that step scans every candidate;
* **a live mask**: a candidate can only be valid if its four cells may trade (``Cells.ok``) and
  ``i``, ``j`` sit on opposite sides on both issues. A step changes the state of issues ``p`` and
  ``q`` only, usually of a handful of cells; the mask is updated for the candidates of the cells
  whose state changed (found through a per-cell index), and the scan evaluates live candidates only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:  # kernels.exchange imports this module; it passes its ``evaluate`` and tie tolerance in
    from detente.kernels.exchange import Cells, Evaluation, Pairs

BOUND_SLACK = 1e-9
"""Relative slack on the static bound (covers rounding; the gains it bounds are computed differently)."""

BINS = 32767
"""Scan-order bins (16-bit keys) of 1/256 octave of the bound each."""

FIRST_BLOCK = 4096
"""Candidates scanned in the first block of a step; each further block is twice as long."""


class CandidateSearch:
    """Static bound, scan order, live mask and per-cell index of one exchange phase (one draw)."""

    def __init__(self, pairs: Pairs, x: FloatArray, w: FloatArray, present: BoolArray, cells: Cells) -> None:
        self.pairs = pairs
        n_actors, n_issues = x.shape
        # flat cell numbers (actor·I + issue) of each candidate's four cells
        cell_type = np.int16 if n_actors * n_issues <= np.iinfo(np.int16).max else np.int64  # radix sort
        flat = [
            (a * n_issues + d)
            for a, d in ((pairs.i, pairs.p), (pairs.j, pairs.p), (pairs.i, pairs.q), (pairs.j, pairs.q))
        ]
        xf, wf = x.ravel(), w.ravel()
        ip, jp, iq, jq = flat
        k_ij = (pairs.s_iq * pairs.s_jp - pairs.s_ip * pairs.s_jq) / (pairs.s_iq + pairs.s_jq)
        a = wf[ip] * np.abs(xf[jp] - xf[ip]) / cells.safe[pairs.p]
        b = wf[jq] * np.abs(xf[iq] - xf[jq]) / cells.safe[pairs.q]
        bound = k_ij * np.minimum(a, b / pairs.rate_eq) * (1.0 + BOUND_SLACK)
        del k_ij, a, b, ip, jp, iq, jq
        # scan order: decreasing bound in bins of 1/256 octave (a radix sort of 16-bit keys; any
        # order is correct because the scan stops on the largest bound still ahead)
        with np.errstate(divide="ignore"):
            octaves = np.log2(np.maximum(bound, 1e-300))
        top = float(octaves.max(initial=0.0))
        key = np.clip((top - octaves) * 256.0, 0, BINS - 1).astype(np.int16)
        del octaves
        pos_type = (
            np.int32 if bound.size < np.iinfo(np.int32).max else np.int64
        )  # index arrays: half the memory
        self.order: IntArray = np.argsort(key, kind="stable").astype(pos_type)
        # −(largest bound at or after each scan position): non-decreasing, for searchsorted
        self.neg_ahead: FloatArray = -np.maximum.accumulate(bound[self.order][::-1])[::-1]
        # the four cells in scan order, and per cell the scan positions of the candidates using it
        n_cells = n_actors * n_issues
        self._cells: list[IntArray] = []
        self._index: list[tuple[IntArray, IntArray]] = []
        del key
        for k in range(4):
            cell = flat[k][self.order].astype(cell_type)
            flat[k] = cell  # the candidate-order copy is no longer needed
            starts = np.zeros(n_cells + 1, dtype=np.int64)
            np.cumsum(np.bincount(cell, minlength=n_cells), out=starts[1:])
            self._cells.append(cell)
            self._index.append((np.argsort(cell, kind="stable").astype(pos_type), starts))
        self.cells = cells
        self.live: BoolArray = self._live(slice(None), cells)
        self._reach = 0  # scan positions the last step covered

    def _live(self, at: IntArray | slice, c: Cells) -> BoolArray:
        """Candidates (scan positions ``at``) whose four cells may trade, ``i``/``j`` on opposite sides."""
        ip, jp, iq, jq = (cell[at] for cell in self._cells)
        ok, side = c.ok.ravel(), c.side_y.ravel()
        live = ok[ip] & ok[jp] & ok[iq] & ok[jq]
        return np.asarray(live & (side[ip] == -side[jp]) & (side[iq] == -side[jq]), dtype=bool)

    def update(self, cells: Cells) -> None:
        """New cell state after a step: refresh the live mask of the candidates of every changed cell.

        A cell that can no longer trade kills all its candidates outright; the candidates of the
        other changed cells are recomputed.
        """
        diff = ((cells.ok != self.cells.ok) | (cells.side_y != self.cells.side_y)).ravel()
        self.cells = cells
        ok = cells.ok.ravel()
        for dead in (True, False):
            changed = np.flatnonzero(diff & (ok != dead)).tolist()
            if not changed:
                continue
            pos = np.concatenate(
                [perm[starts[c] : starts[c + 1]] for perm, starts in self._index for c in changed]
            )
            self.live[pos] = False if dead else self._live(pos, cells)

    def best(
        self,
        x: FloatArray,
        y: FloatArray,
        w: FloatArray,
        present: BoolArray,
        moved: IntArray,
        *,
        min_gain: float,
        tie_break: str,
        rng: np.random.Generator,
        evaluate: Callable[..., Evaluation],
        tie_rtol: float,
        exhaustive: bool = False,
    ) -> tuple[int, float, float] | None:
        """``(k, cap_p, cap_q)`` of the exchange ``kernels.exchange.select`` would pick, or None.

        ``k`` indexes :class:`Pairs`; ``evaluate`` and ``tie_rtol`` are ``kernels.exchange.evaluate``
        and ``TIE_RTOL``; ``exhaustive`` scans every live candidate (no bound).
        """
        neg = self.neg_ahead
        # past ``end`` every bound is ≤ min_gain: nothing there can be valid
        end = neg.size if exhaustive else int(np.searchsorted(neg, -min_gain, side="left"))
        found: list[tuple[IntArray, FloatArray, FloatArray, FloatArray]] = []
        best = -np.inf
        # first block: as far as the previous step had to scan (gains fall slowly from step to step),
        # so that one evaluate call usually settles the step
        pos, block = 0, max(FIRST_BLOCK, self._reach)
        while pos < end:
            if found and not exhaustive:  # up to the last bound that can still reach the tie limit
                limit = best - tie_rtol * max(1.0, abs(best))
                stop = min(end, int(np.searchsorted(neg, -limit, side="right")))
                if stop <= pos:
                    break
            else:
                stop = min(end, pos + block)
                block *= 2
            at = pos + np.flatnonzero(self.live[pos:stop])
            pos = stop
            if at.size == 0:
                continue
            k = self.order[at]
            ev = evaluate(self.pairs, x, y, w, present, moved, min_gain=min_gain, index=k, cells=self.cells)
            v = np.flatnonzero(ev.valid)
            if v.size:
                found.append((k[v], ev.gain[v], ev.cap_p[v], ev.cap_q[v]))
                best = max(best, float(ev.gain[v].max()))
        self._reach = pos
        if not found:
            return None
        ks, gains, cap_p, cap_q = (np.concatenate(col) for col in zip(*found, strict=True))
        tied = np.flatnonzero(gains >= best - tie_rtol * max(1.0, abs(best)))
        tied = tied[np.argsort(ks[tied], kind="stable")]  # (p, q, i, j) order, as select()
        pick = tied[0] if tie_break == "index" or tied.size == 1 else tied[int(rng.integers(tied.size))]
        return int(ks[pick]), float(cap_p[pick]), float(cap_q[pick])
