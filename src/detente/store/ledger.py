"""The forecast ledger: timestamped forecasts, their outcomes and scores (Brier; absolute error).

A numeric forecast may carry the quantiles of its predictive distribution (``{"5": x05, ...,
"95": x95}``, the levels in percent); :mod:`detente.store.ledger_scores` scores those with the
CRPS and interval coverage and draws the calibration table of ``detente ledger score``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detente.errors import StoreError
from detente.store.engine import Engine, _now

LEDGER_KINDS = ("binary", "numeric")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    created_at: str
    question: str
    kind: str
    value: float
    resolution_date: str
    scenario_ref: str
    model: str
    note: str
    resolved_at: str | None = None
    outcome: float | None = None
    score: float | None = None
    earlier_resolutions: int = 0  # resolutions replaced by a forced re-resolve (see ledger_history)
    quantiles: dict[str, float] | None = None  # numeric forecasts: level in percent -> value


@dataclass(frozen=True)
class Resolution:
    """One resolution of a forecast; ``replaced_at`` is when a forced re-resolve replaced it."""

    entry_id: int
    resolved_at: str
    outcome: float
    score: float
    replaced_at: str | None = None


def when(ts: str | None) -> str:
    """A stored UTC timestamp for people: ``2025-06-01T12:00:00+00:00`` -> ``2025-06-01 12:00 UTC``."""
    if not ts:
        return "—"
    text = ts.replace("T", " ")[:16]
    return text + " UTC" if ts.endswith("+00:00") else text


class EntryNotFoundError(StoreError):
    """A ledger entry number that the ledger does not have (``entry_id``)."""

    def __init__(self, entry_id: int) -> None:
        self.entry_id = entry_id
        super().__init__(f"ledger entry {entry_id}: not found")


class AlreadyResolvedError(StoreError):
    """``ledger_resolve`` on a forecast that already has an outcome, without ``force``."""

    def __init__(self, entry: LedgerEntry) -> None:
        self.entry = entry
        what = "Brier score" if entry.kind == "binary" else "absolute error"
        super().__init__(
            f"ledger entry {entry.id}: already resolved on {when(entry.resolved_at)} with outcome "
            f"{entry.outcome:g} ({what} {entry.score:.3f}); resolving it again needs force, and the "
            "earlier resolution stays in its history"
        )


def _percent_hint(value: float) -> str:
    return f" ({value:g} % is written {value / 100:g})" if 2.0 <= value <= 100.0 else ""


def quantiles_text(q: Mapping[str, float] | None) -> str:
    """`` (quantiles 10 %: 30, 50 %: 40, 90 %: 45)`` after a forecast's value (the CLI's lines and
    the dashboard's ledger); over five levels the lowest, the median (when given) and the highest.

    >>> quantiles_text({"10": 30.0, "50": 40.0, "90": 45.0})
    ' (quantiles 10 %: 30, 50 %: 40, 90 %: 45)'
    """
    if not q:
        return ""
    shown = list(q)
    if len(shown) > 5:
        shown = [shown[0], *(["50"] if "50" in q else []), shown[-1]]
        return f" ({len(q)} quantiles, " + " … ".join(f"{a} %: {q[a]:g}" for a in shown) + ")"
    return " (quantiles " + ", ".join(f"{a} %: {q[a]:g}" for a in shown) + ")"


def _is_date(text: str) -> bool:
    """``YYYY-MM-DD`` and a real day (``date.fromisoformat`` alone also takes ``20251231`` and
    ``2025-W01-1``, which would be stored as typed)."""
    try:
        return _DATE.fullmatch(text) is not None and bool(_dt.date.fromisoformat(text))
    except ValueError:
        return False


def check_forecast(
    question: str, value: Any, *, kind: str | None = None, resolution_date: str = ""
) -> tuple[str, float, str]:
    """A forecast checked before anything is written: (question stripped, value, kind).

    ``kind`` 'binary' (the value is a probability in [0, 1]) or 'numeric'. Without a kind, a
    question ending with '?' is a yes/no question, so binary, and a value outside [0, 1] is
    refused (it is not silently stored as a number); any other question is numeric.

    >>> check_forecast("Deal by June?", 0.7)
    ('Deal by June?', 0.7, 'binary')
    >>> check_forecast("Tariff rate in 2026", 17)
    ('Tariff rate in 2026', 17.0, 'numeric')
    >>> check_forecast("Deal by June?", 1.7)
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: value: expected a probability in [0, 1] for a yes/no question (it ends with '?'), received 1.7; for a question answered by a number use kind 'numeric'
    """
    if not question or not str(question).strip():
        raise StoreError("question: expected a non-empty text")
    question = str(question).strip()
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"value: expected a number, received {value!r}") from exc
    if not math.isfinite(value):
        raise StoreError(f"value: expected a finite number, received {value!r}")
    if kind is None:
        kind = "binary" if question.endswith("?") else "numeric"
        if kind == "binary" and not 0.0 <= value <= 1.0:
            raise StoreError(
                "value: expected a probability in [0, 1] for a yes/no question (it ends with '?'), "
                f"received {value:g}{_percent_hint(value)}; for a question answered by a number use "
                "kind 'numeric'"
            )
    if kind not in LEDGER_KINDS:
        raise StoreError(f"kind: expected one of {', '.join(LEDGER_KINDS)}, received {kind!r}")
    if kind == "binary" and not 0.0 <= value <= 1.0:
        raise StoreError(
            f"value: expected a probability in [0, 1] for a binary question, received {value:g}"
            + _percent_hint(value)
        )
    if resolution_date and not _is_date(resolution_date):
        raise StoreError(f"resolution date: expected YYYY-MM-DD, received {resolution_date!r}")
    return question, value, kind


def parse_quantiles(text: str) -> dict[str, float]:
    """Quantiles typed on the command line: ``LEVEL:VALUE`` pairs separated by commas (levels in
    percent), or a JSON object as ``detente forecast --format json`` prints it.

    >>> parse_quantiles("10:12, 50:30, 90:61.5")
    {'10': 12.0, '50': 30.0, '90': 61.5}
    >>> parse_quantiles('{"5": 1, "95": 9}')
    {'5': 1.0, '95': 9.0}
    >>> parse_quantiles("10=12")
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: quantiles: expected LEVEL:VALUE pairs separated by commas (e.g. 10:12,50:30,90:61), or a JSON object; received '10=12'
    """
    text = text.strip()
    if text.startswith("{"):
        try:  # the pairs as written, so that a level given twice is refused, not overwritten
            data = json.loads(text, object_pairs_hook=lambda kv: kv)
        except json.JSONDecodeError as exc:
            raise StoreError(f"quantiles: expected a JSON object of level -> value ({exc.msg})") from exc
        if not isinstance(data, list):
            raise StoreError("quantiles: expected a JSON object of level -> value")
        return check_quantiles(data)
    pairs: list[tuple[str, str]] = []
    for part in text.split(","):
        level, sep, value = part.partition(":")
        if not sep or not level.strip() or not value.strip():
            raise StoreError(
                "quantiles: expected LEVEL:VALUE pairs separated by commas (e.g. 10:12,50:30,90:61), "
                f"or a JSON object; received {text!r}"
            )
        pairs.append((level.strip(), value.strip()))
    return check_quantiles(pairs)


def check_quantiles(quantiles: Mapping[Any, Any] | Sequence[tuple[Any, Any]]) -> dict[str, float]:
    """Quantiles checked and put in order: levels strictly between 0 and 100 % (written ``"5"``,
    ``"12.5"``; levels that are all at most 1 % are taken for fractions and refused), each level once, finite values that do not decrease as the level rises.
    ``quantiles``: a mapping or (level, value) pairs (pairs keep a level given twice, to refuse it).

    >>> check_quantiles({90: 7, "10": 3, 50.0: 5})
    {'10': 3.0, '50': 5.0, '90': 7.0}
    >>> check_quantiles({"10": 8, "90": 7})
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: quantiles: expected values that do not decrease as the level rises; the 90 % quantile 7 is below the 10 % quantile 8
    >>> check_quantiles([("10", 1), ("10.0", 2)])
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: quantiles: level 10 given twice
    """
    if not quantiles:
        raise StoreError("quantiles: expected at least one LEVEL:VALUE pair")
    items = quantiles.items() if isinstance(quantiles, Mapping) else quantiles
    out: dict[float, float] = {}
    for key, raw in items:
        try:
            level = float(key)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"quantiles: expected a level in percent, received {key!r}") from exc
        if not 0.0 < level < 100.0:
            raise StoreError(
                f"quantiles: expected levels strictly between 0 and 100 (percent), received {key}"
            )
        try:
            value = float(raw)
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"quantiles: the {level:g} % quantile: expected a number, received {raw!r}"
            ) from exc
        if not math.isfinite(value):
            raise StoreError(
                f"quantiles: the {level:g} % quantile: expected a finite number, received {raw!r}"
            )
        if level in out:
            raise StoreError(f"quantiles: level {level:g} given twice")
        out[level] = value
    levels = sorted(out)
    if levels[-1] <= 1.0:
        shown = ",".join(f"{100 * a:g}:{out[a]:g}" for a in levels)
        raise StoreError(
            f"quantiles: expected levels in percent, received only levels of at most 1 % "
            f"({', '.join(f'{a:g}' for a in levels)}); a 10 % quantile is written 10:VALUE, so "
            f"probably {shown}"
        )
    for lo, hi in zip(levels, levels[1:], strict=False):
        if out[hi] < out[lo]:
            raise StoreError(
                "quantiles: expected values that do not decrease as the level rises; the "
                f"{hi:g} % quantile {out[hi]:g} is below the {lo:g} % quantile {out[lo]:g}"
            )
    return {f"{level:g}": out[level] for level in levels}


def forecast_warnings(
    value: float,
    quantiles: Mapping[str, float] | None = None,
    resolution_date: str = "",
    *,
    today: _dt.date | None = None,
) -> list[str]:
    """What looks wrong in a forecast that is still recorded (docs/store.md, "warnings"): a
    resolution date before ``today`` (default: today in UTC) and a value outside the range of its
    own quantiles (the value is the point forecast scored by the absolute error; it need not be
    the median, since ``detente forecast`` prints a point forecast beside predictive quantiles
    whose median differs from it, but no quantile on its side is almost certainly a typo).
    Input already checked by :func:`check_forecast` and :func:`check_quantiles`.

    >>> forecast_warnings(2.1, {"10": 1.0, "50": 5.0, "90": 9.0})
    []
    >>> forecast_warnings(42, {"10": 1.0, "90": 9.0}, "2025-12-31", today=_dt.date(2026, 12, 7))
    ['resolves 2025-12-31 is in the past (today 2026-12-07)', 'value 42 lies above its highest quantile (90 %: 9)']
    """
    out = []
    today = today or _dt.datetime.now(_dt.UTC).date()
    if resolution_date and _dt.date.fromisoformat(resolution_date) < today:
        out.append(f"resolves {resolution_date} is in the past (today {today.isoformat()})")
    if quantiles:
        levels = sorted(quantiles, key=float)
        lo, hi = levels[0], levels[-1]
        if value < quantiles[lo]:
            out.append(f"value {value:g} lies below its lowest quantile ({lo} %: {quantiles[lo]:g})")
        elif value > quantiles[hi]:
            out.append(f"value {value:g} lies above its highest quantile ({hi} %: {quantiles[hi]:g})")
    return out


def score_forecast(kind: str, value: float, outcome: float) -> float:
    """Brier score for ``binary`` (probability ``value``, outcome 0/1), absolute error for ``numeric``.

    Brier (1950), Monthly Weather Review 78(1): ``(p - o)^2`` for one binary event.

    >>> round(score_forecast("binary", 0.8, 1), 6)
    0.04
    >>> score_forecast("numeric", 7.0, 8.5)
    1.5
    """
    if kind == "binary":
        if outcome not in (0, 1, 0.0, 1.0):
            raise StoreError(f"outcome: expected 0 or 1 for a binary question, received {outcome!r}")
        return float((value - outcome) ** 2)
    if kind == "numeric":
        return float(abs(value - outcome))
    raise StoreError(f"kind: expected one of {', '.join(LEDGER_KINDS)}, received {kind!r}")


def _entry(row: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        int(row["id"]),
        row["created_at"],
        row["question"],
        row["kind"],
        float(row["value"]),
        row["resolution_date"],
        row["scenario_ref"],
        row["model"],
        row["note"],
        row["resolved_at"],
        row["outcome"],
        row["score"],
        int(row.get("earlier") or 0),
        json.loads(row["quantiles"]) if row.get("quantiles") else None,
    )


class LedgerMixin(Engine):
    """Recording forecasts, resolving and scoring them."""

    def ledger_add(
        self,
        question: str,
        value: float,
        *,
        kind: str | None = None,
        resolution_date: str = "",
        scenario_ref: str = "",
        model: str = "",
        note: str = "",
        quantiles: Mapping[Any, Any] | None = None,
    ) -> LedgerEntry:
        """Record a forecast now (checked first by :func:`check_forecast` and, for ``quantiles``
        of a numeric forecast, :func:`check_quantiles`; nothing is written if it is refused)."""
        question, value, kind = check_forecast(question, value, kind=kind, resolution_date=resolution_date)
        qs = None if quantiles is None else check_quantiles(quantiles)
        if qs is not None and kind != "numeric":
            raise StoreError(
                "quantiles: only a numeric forecast has quantiles (a yes/no forecast is one probability)"
            )
        ts = _now()

        def work(conn: Any) -> int:
            lid = int(
                conn.execute(
                    self.t_ledger.insert().values(
                        created_at=ts,
                        question=question,
                        kind=kind,
                        value=value,
                        resolution_date=resolution_date,
                        scenario_ref=scenario_ref[:200],
                        model=model[:100],
                        note=note,
                    )
                ).inserted_primary_key[0]
            )
            if qs is not None:
                conn.execute(self.t_quantiles.insert().values(entry_id=lid, quantiles=json.dumps(qs)))
            return lid

        lid = self._transact(work)
        return LedgerEntry(
            lid, ts, question, kind, value, resolution_date, scenario_ref, model, note, quantiles=qs
        )

    def ledger_resolve(self, entry_id: int, outcome: float, *, force: bool = False) -> LedgerEntry:
        """Record the outcome of a forecast and its score (Brier or absolute error).

        A forecast that is already resolved raises :class:`AlreadyResolvedError` unless ``force``;
        with ``force`` the new outcome replaces the current one and the earlier resolution is kept
        in :meth:`ledger_history`.
        """
        sa, t, h = self._sa, self.t_ledger, self.t_resolutions
        try:
            outcome = float(outcome)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"outcome: expected a number, received {outcome!r}") from exc
        if not math.isfinite(outcome):
            raise StoreError(f"outcome: expected a finite number, received {outcome!r}")

        def work(conn: Any) -> None:
            row = (
                conn.execute(sa.select(t).where(t.c.id == int(entry_id)).with_for_update()).mappings().first()
            )
            if row is None:
                raise EntryNotFoundError(int(entry_id))
            score = score_forecast(row["kind"], row["value"], outcome)
            ts = _now()
            if row["outcome"] is not None:
                if not force:
                    raise AlreadyResolvedError(_entry(row))
                conn.execute(
                    h.insert().values(
                        entry_id=int(entry_id),
                        resolved_at=row["resolved_at"] or "",
                        outcome=row["outcome"],
                        score=row["score"],
                        replaced_at=ts,
                    )
                )
            conn.execute(
                t.update().where(t.c.id == int(entry_id)).values(outcome=outcome, score=score, resolved_at=ts)
            )

        self._transact(work)
        return self.ledger_get(int(entry_id))

    def _ledger_select(self) -> Any:
        sa, t, h, q = self._sa, self.t_ledger, self.t_resolutions, self.t_quantiles
        earlier = (
            sa.select(sa.func.count(h.c.id)).where(h.c.entry_id == t.c.id).scalar_subquery().label("earlier")
        )
        return sa.select(t, earlier, q.c.quantiles).select_from(t.outerjoin(q, q.c.entry_id == t.c.id))

    def ledger_get(self, entry_id: int) -> LedgerEntry:
        with self._read() as conn:
            row = (
                conn.execute(self._ledger_select().where(self.t_ledger.c.id == int(entry_id)))
                .mappings()
                .first()
            )
        if row is None:
            raise EntryNotFoundError(int(entry_id))
        return _entry(row)

    def ledger_history(self, entry_id: int) -> list[Resolution]:
        """Every resolution of a forecast, oldest first; the last one is current (``replaced_at``
        None) unless the forecast is open. Earlier ones were replaced by ``ledger_resolve(force=True)``."""
        sa, h = self._sa, self.t_resolutions
        entry = self.ledger_get(entry_id)
        with self._read() as conn:
            rows = (
                conn.execute(sa.select(h).where(h.c.entry_id == int(entry_id)).order_by(h.c.id))
                .mappings()
                .all()
            )
        out = [
            Resolution(entry.id, r["resolved_at"], float(r["outcome"]), float(r["score"]), r["replaced_at"])
            for r in rows
        ]
        if entry.outcome is not None and entry.score is not None:
            out.append(Resolution(entry.id, entry.resolved_at or "", entry.outcome, entry.score, None))
        return out

    def ledger_list(self, *, resolved: bool | None = None) -> list[LedgerEntry]:
        t = self.t_ledger
        q = self._ledger_select().order_by(t.c.id)
        if resolved is True:
            q = q.where(t.c.outcome.is_not(None))
        elif resolved is False:
            q = q.where(t.c.outcome.is_(None))
        with self._read() as conn:
            return [_entry(r) for r in conn.execute(q).mappings().all()]

    def ledger_score(self) -> dict[str, Any]:
        """Scores of the resolved forecasts and their calibration table
        (:func:`detente.store.ledger_scores.ledger_summary`)."""
        from detente.store.ledger_scores import ledger_summary

        return ledger_summary(self.ledger_list())
