"""Runs in the store: the manifest and small results as JSON, bulk arrays in a ``.npz`` file."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.errors import StoreError
from detente.store.engine import Engine, _json_safe, _now


@dataclass(frozen=True)
class RunRecord:
    id: int
    created_at: str
    scenario_ref: str
    model: str
    variant: str
    params: dict[str, Any]
    seed: int | None
    input_hash: str
    version: str
    results: dict[str, Any]
    arrays_path: str | None = None


def _run(row: Mapping[str, Any]) -> RunRecord:
    return RunRecord(
        int(row["id"]),
        row["created_at"],
        row["scenario_ref"],
        row["model"],
        row["variant"],
        json.loads(row["params"]),
        row["seed"],
        row["input_hash"],
        row["version"],
        json.loads(row["results"]),
        row["arrays_path"],
    )


class RunMixin(Engine):
    """Recording runs and reading them back."""

    def save_run(
        self,
        *,
        scenario_ref: str,
        model: str,
        params: Mapping[str, Any] | None = None,
        seed: int | None = None,
        input_hash: str = "",
        version: str = "",
        results: Mapping[str, Any] | None = None,
        variant: str = "",
        arrays: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Record a run; ``arrays`` (name -> numpy array) are written to ``<data_dir>/run-<id>.npz``."""
        ts = _now()
        p, r = _json_safe(dict(params or {})), _json_safe(dict(results or {}))

        def work(conn: Any) -> tuple[int, str | None]:
            rid = conn.execute(
                self.t_runs.insert().values(
                    created_at=ts,
                    scenario_ref=scenario_ref[:200],
                    model=model[:100],
                    variant=variant[:100],
                    params=json.dumps(p, sort_keys=True),
                    seed=seed,
                    input_hash=input_hash,
                    version=version,
                    results=json.dumps(r, sort_keys=True),
                    arrays_path=None,
                )
            ).inserted_primary_key[0]
            path: str | None = None
            if arrays:
                path = str(self._write_npz(int(rid), arrays))
                conn.execute(self.t_runs.update().where(self.t_runs.c.id == rid).values(arrays_path=path))
            return int(rid), path

        rid, path = self._transact(work)
        return RunRecord(int(rid), ts, scenario_ref, model, variant, p, seed, input_hash, version, r, path)

    def _write_npz(self, rid: int, arrays: Mapping[str, Any]) -> Path:
        import numpy as np

        self.data_dir.mkdir(parents=True, exist_ok=True)
        final = self.data_dir / f"run-{rid}.npz"
        tmp = self.data_dir / f".run-{rid}.{os.getpid()}.tmp.npz"
        np.savez_compressed(tmp, **{str(k): np.asarray(v) for k, v in arrays.items()})  # type: ignore[arg-type]
        os.replace(tmp, final)
        return final

    def load_arrays(self, run: RunRecord) -> dict[str, Any]:
        import numpy as np

        if not run.arrays_path:
            return {}
        with np.load(run.arrays_path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}

    def get_run(self, run_id: int) -> RunRecord:
        with self._read() as conn:
            row = (
                conn.execute(self._sa.select(self.t_runs).where(self.t_runs.c.id == int(run_id)))
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(f"run {run_id}: not in the store")
        return _run(row)

    def list_runs(self, scenario_ref: str | None = None, limit: int = 100) -> list[RunRecord]:
        sa, t = self._sa, self.t_runs
        q = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if scenario_ref:
            q = q.where(t.c.scenario_ref == scenario_ref)
        with self._read() as conn:
            return [_run(r) for r in conn.execute(q).mappings().all()]
