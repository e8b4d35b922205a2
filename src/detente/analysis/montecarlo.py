"""Monte Carlo ensembles: perturbed draws of a scenario, run through any model in chunks.

Randomness (docs/uncertainty.md §Reproducibility): the one ``seed`` becomes a root
``SeedSequence``. Input noise comes in fixed blocks of ``BLOCK`` (64) draws: block ``b`` is drawn
from the generator of ``root.spawn(2)[0].spawn(n_blocks)[b]`` (always a full block, whatever the
number of draws). Stochastic models get one generator per draw, ``root.spawn(2)[1].spawn(n)[d]``.
Nothing random depends on the chunk a draw falls in, so a sweep gives bit-identical numbers for
any ``chunk_size``, in-process, on a process pool or on a Dask cluster (and the first ``n`` draws
of a longer sweep equal a sweep of ``n`` draws). A model that picks its engine by the size of the
work (EUM ``engine="auto"``, whose engines differ in the last bits) picks it once per sweep through
its ``for_batch(n_runs, n_actors)``: chunks never mix engines, but a sweep long enough to switch
to numba agrees with a shorter one to ~1e-12 rather than bit for bit.

Chunks (``chunk_size`` draws each) bound memory: a deterministic, batched model receives a whole
chunk in one ``predict`` call with a leading draw axis; stochastic or unbatched models are called
once per draw with that draw's generator. ``chunk_size=1`` calls every model once per draw on
unbatched ``(A, I)`` arrays (the reference the batched path must reproduce); its draws are
grouped into tasks of one noise block each so the noise is generated once.

Peak memory of one chunk of ``K`` draws, ``A`` actors, ``I`` issues (bytes, float64)::

    M(K) ≈ K·A·I·96                  noise (3 normals), perturbed inputs, masked copies, bool mask
         + K·A·A·I·8·c               pairwise (A × A) temporaries of the model (c = 8 for
                                     dynamic models, 0 for closed-form ones)

:func:`default_chunk_size` picks the largest ``K`` with ``M(K) <= budget``, capped at 4096 draws and at
``max(64, 2**16 / (A·I))`` draws (cache-sized chunks). The budget is 256 MiB, or less on a machine
with little free memory: ``min(256 MiB, available / (2 · workers))`` with ``available`` the memory the
OS can give without swapping (:func:`detente.parallel.available_memory`, passed in by the shells as
``memory = available / workers``), so the chunks in flight use at most half of it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.core.arrays import ScenarioArrays, to_arrays
from detente.core.perturb import Perturbation
from detente.core.results import Prediction
from detente.core.rng import check_seed
from detente.core.scale import from_unit
from detente.core.scenario import Scenario
from detente.errors import ConvergenceWarning, ModelConfigError, ScenarioError
from detente.models.base import model_params, require_model

MEMORY_BUDGET = 256 * 2**20  # bytes per chunk (see module docstring)
MAX_CHUNK = 4096
CACHE_CELLS = 2**16  # draws × actors × issues per chunk above which batching stops paying off
PAIRWISE_TEMPORARIES = 8  # c in the peak-memory formula (EUM-like models)
BYTES_PER_CELL = 96  # per draw, actor and issue outside the model (measured: 89 for compromise)
LOW_HIGH_SIGMAS = 3.92  # a stance's [low, high] is read as its 95 % range: sd = (high - low) / 3.92


@dataclass(frozen=True, slots=True)
class DrawSpec:
    """Everything needed to build any draw (picklable; shipped to workers).

    ``base`` (A, I) unit-scale arrays; ``pos_sd``/``pos_low``/``pos_high`` (A, I) per-stance
    position noise and clip range on the unit scale; scalar global levels for the rest.
    """

    base: ScenarioArrays
    pos_sd: FloatArray
    pos_low: FloatArray
    pos_high: FloatArray
    salience_sd: float
    capability_sd: float
    dropout: float
    scales: tuple[tuple[float, float], ...]


def prepare(source: Scenario | ScenarioArrays, perturbation: Perturbation | None = None) -> DrawSpec:
    """Resolve the per-stance uncertainty of a scenario plus the global levels into a :class:`DrawSpec`.

    Stance ``sd`` (issue units) wins over ``low``/``high`` (read as a 95 % range, clipped to it),
    which wins over ``perturbation.position_sd`` (share of the scale width).

    Examples
    --------
    >>> from detente.core import Actor, Issue, Scale, Scenario, Stance
    >>> sc = Scenario(id="t", actors=(Actor(id="a"),), issues=(Issue(id="x", scale=Scale(low=0, high=10)),),
    ...               stances=(Stance(actor="a", issue="x", position=5, salience=1, sd=2.0),))
    >>> float(prepare(sc).pos_sd[0, 0])
    0.2
    """
    pert = Perturbation() if perturbation is None else perturbation
    if not isinstance(pert, Perturbation):
        raise ScenarioError(
            "perturbation: expected a Perturbation, e.g. Perturbation(position_sd=0.1), "
            f"received {type(pert).__name__}"
        )
    if isinstance(source, ScenarioArrays):
        base = source
        A, I = base.n_actors, base.n_issues
        sd = np.full((A, I), pert.position_sd)
        return DrawSpec(
            base,
            sd,
            np.zeros((A, I)),
            np.ones((A, I)),
            pert.salience_sd,
            pert.capability_sd,
            pert.dropout,
            tuple((0.0, 1.0) for _ in range(I)),
        )
    base = to_arrays(source)
    A, I = base.n_actors, base.n_issues
    sd = np.full((A, I), pert.position_sd)
    lo = np.zeros((A, I))
    hi = np.ones((A, I))
    if pert.use_stances:
        aidx = {a: k for k, a in enumerate(source.actor_ids)}
        iidx = {i: k for k, i in enumerate(source.issue_ids)}
        for s in source.stances:
            a, i = aidx[s.actor], iidx[s.issue]
            scale = source.issues[i].scale
            if s.low is not None and s.high is not None:
                lo[a, i] = max(0.0, scale.to_unit(s.low))
                hi[a, i] = min(1.0, scale.to_unit(s.high))
                sd[a, i] = (s.high - s.low) / scale.width / LOW_HIGH_SIGMAS
            if s.sd is not None:
                sd[a, i] = s.sd / scale.width
    scales = tuple((it.scale.low, it.scale.high) for it in source.issues)
    return DrawSpec(base, sd, lo, hi, pert.salience_sd, pert.capability_sd, pert.dropout, scales)


BLOCK = 64  # draws per noise block (fixed: part of the definition of a seed's numbers)


def _child(root: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key), pool_size=root.pool_size)


def noise_seed(root: np.random.SeedSequence, block: int) -> np.random.SeedSequence:
    """``root.spawn(2)[0].spawn(n)[block]`` without spawning the siblings: the noise of draws
    ``block·BLOCK .. block·BLOCK + BLOCK − 1``."""
    return _child(root, 0, block)


def model_seed(root: np.random.SeedSequence, draw: int) -> np.random.SeedSequence:
    """``root.spawn(2)[1].spawn(n)[draw]``: the generator a stochastic model gets for draw ``draw``."""
    return _child(root, 1, draw)


def block_noise(spec: DrawSpec, root: np.random.SeedSequence, block: int) -> tuple[FloatArray, FloatArray]:
    """Noise of one block: standard normals (BLOCK, 3, A, I) for position, salience, capability,
    then uniforms (BLOCK, A) for drop-out, from the block's own generator."""
    A, I = spec.base.n_actors, spec.base.n_issues
    g = np.random.Generator(np.random.PCG64(noise_seed(root, block)))
    z = g.standard_normal((BLOCK, 3, A, I))
    u = g.random((BLOCK, A))
    return z, u


def draw_arrays(spec: DrawSpec, root: np.random.SeedSequence, start: int, stop: int) -> ScenarioArrays:
    """Perturbed arrays for draws ``start..stop-1`` with a leading draw axis ``(K, A, I)``.

    Draw ``d`` uses row ``d mod BLOCK`` of block ``d // BLOCK`` (:func:`block_noise`).
    """
    b = spec.base
    A, I = b.n_actors, b.n_issues
    K = stop - start
    b0, b1 = start // BLOCK, (stop - 1) // BLOCK
    parts = [block_noise(spec, root, k) for k in range(b0, b1 + 1)]
    off = start - b0 * BLOCK
    z = np.concatenate([p[0] for p in parts])[off : off + K] if len(parts) > 1 else parts[0][0][off : off + K]
    u = np.concatenate([p[1] for p in parts])[off : off + K] if len(parts) > 1 else parts[0][1][off : off + K]
    pos = np.clip(b.position + spec.pos_sd * z[:, 0], spec.pos_low, spec.pos_high)
    sal = np.clip(b.salience + spec.salience_sd * z[:, 1], 0.0, 1.0)
    cap = b.capability * np.exp(spec.capability_sd * z[:, 2])
    present = np.broadcast_to(b.present, (K, A, I))
    if spec.dropout > 0.0:
        stay = u >= spec.dropout  # (K, A)
        cand = present & stay[:, :, None]
        # a draw that would empty an issue keeps everyone (documented rule)
        empties = np.asarray((b.present.any(axis=-2) & ~cand.any(axis=-2)).any(axis=-1))  # (K,)
        present = np.where(empties[:, None, None], present, cand)
    out = ScenarioArrays(
        b.actor_ids,
        b.issue_ids,
        np.where(present, pos, b.position),
        np.where(present, sal, 0.0),
        np.where(present, cap, 0.0),
        np.ascontiguousarray(present),
        np.broadcast_to(b.reference, (K, I)).copy(),
        b.rules,  # decision rules are not drawn
    )
    return out.readonly()


def _statuses(pred: Prediction, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.asarray(pred.diagnostics.status).astype("<U12"), shape)


def run_chunk(
    model: Any, spec: DrawSpec, root: np.random.SeedSequence, start: int, stop: int, unbatched: bool = False
) -> tuple[FloatArray, np.ndarray]:
    """Outcomes (K, I) on the unit scale and statuses (K, I) of draws ``start..stop-1``.

    Lives in an importable module so process pools and Dask workers can run it.
    """
    arrays = draw_arrays(spec, root, start, stop)
    K, I = stop - start, spec.base.n_issues
    info = type(model).info
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)  # statuses are recorded instead
        if info.stochastic or unbatched or not info.batched:
            outs = np.empty((K, I))
            stats = np.empty((K, I), dtype="<U12")
            for k in range(K):
                rng = np.random.Generator(np.random.PCG64(model_seed(root, start + k)))
                pred = model.predict(arrays.take(k), rng)
                outs[k] = pred.outcome
                stats[k] = _statuses(pred, (I,))
            return outs, stats
        pred = model.predict(arrays, np.random.Generator(np.random.PCG64(model_seed(root, start))))
        return np.asarray(pred.outcome, dtype=np.float64).reshape(K, I), _statuses(pred, (K, I)).copy()


@dataclass(frozen=True, slots=True)
class Ensemble:
    """A sweep's result for one model (unit scale; see :func:`detente.analysis.summary.summarize`).

    ``outcomes`` (n_draws, I); ``statuses`` (n_draws, I); ``seed`` as given and the root
    ``entropy`` actually used; chunk layout ``chunk_size``/``n_chunks``; the perturbation; the base
    positions and presence (A, I) and the issue scales for read-outs in issue units.
    """

    model: str
    params: dict[str, Any]
    dynamic: bool
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    outcomes: FloatArray
    statuses: np.ndarray
    seed: int | None
    entropy: int
    chunk_size: int
    n_chunks: int
    perturbation: Perturbation
    base_position: FloatArray
    base_present: BoolArray
    scales: tuple[tuple[float, float], ...]
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def n_draws(self) -> int:
        return int(self.outcomes.shape[0])

    def raw_outcomes(self) -> FloatArray:
        """Outcomes (n_draws, I) in the issues' own units."""
        return from_unit(self.outcomes, self.scales)


def memory_budget(memory: int | None = None) -> int:
    """Bytes one chunk may use: ``min(MEMORY_BUDGET, memory / 2)`` (module docstring), where ``memory``
    is what the machine can give each chunk in flight (its available memory divided by the workers:
    :func:`detente.parallel.memory_per_worker`, which the shells pass in); ``MEMORY_BUDGET`` when
    unknown. Pure arithmetic: this layer does not look at the machine.

    >>> memory_budget(100 * 2**20) // 2**20, memory_budget(2**40) // 2**20, memory_budget() // 2**20
    (50, 256, 256)
    """
    if memory is None:
        return MEMORY_BUDGET
    return int(max(1, min(MEMORY_BUDGET, memory // 2)))


def default_chunk_size(
    n_actors: int,
    n_issues: int,
    *,
    budget: int | None = None,
    pairwise: int = PAIRWISE_TEMPORARIES,
) -> int:
    """Largest K with ``K·A·I·(96 + 8·c·A) <= budget`` (module docstring), capped at 4096 draws and
    at ``max(64, 2**16 // (A·I))`` so a chunk's input arrays stay cache-sized (larger chunks measured
    no faster, often slower, for the closed-form models). ``budget`` defaults to ``MEMORY_BUDGET``
    (callers pass :func:`memory_budget` of the machine's memory).

    >>> b = MEMORY_BUDGET
    >>> default_chunk_size(20, 10, budget=b), default_chunk_size(20, 10, budget=b, pairwise=0)
    (327, 327)
    >>> default_chunk_size(10, 1, budget=b), default_chunk_size(100, 10, budget=8 * 2**20)
    (4096, 1)
    """
    if budget is None:
        budget = MEMORY_BUDGET
    per_draw = n_actors * n_issues * (BYTES_PER_CELL + 8 * pairwise * n_actors)
    cells = max(64, CACHE_CELLS // max(n_actors * n_issues, 1))
    return int(max(1, min(MAX_CHUNK, cells, budget // max(per_draw, 1))))


def chunk_layout(n_draws: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of fixed-size chunks (the last may be shorter)."""
    return [(s, min(s + chunk_size, n_draws)) for s in range(0, n_draws, chunk_size)]


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise ModelConfigError(name, f"an integer >= {low}", value)
    return int(value)


def run_ensemble(
    model: Any,
    source: Scenario | ScenarioArrays | DrawSpec,
    perturbation: Perturbation | None = None,
    *,
    n_draws: int,
    seed: int = 0,
    chunk_size: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    memory: int | None = None,
) -> Ensemble:
    """Run ``model`` on ``n_draws`` perturbed copies of a scenario.

    ``executor`` is any ``concurrent.futures.Executor`` (``None`` = in-process; a process pool;
    a Dask ``Client.get_executor()``); ``progress`` is called with the number of draws finished
    after each chunk. ``memory``: bytes the machine can give each chunk in flight (the default chunk
    size then fits in half of it, :func:`memory_budget`). Results do not depend on ``chunk_size``,
    ``memory`` or the executor. ``seed`` is an integer >= 0 (None, a float or a text raise
    :class:`ModelConfigError`: the seed is the only randomness and the ensemble records it).
    The ensemble's arrays are read-only (a result is a record; copy one to change it).

    Examples
    --------
    >>> from detente.io.builtin import load_builtin
    >>> from detente.models import get_model
    >>> sc = load_builtin("emission-standards-1994")
    >>> a = run_ensemble(get_model("median"), sc, n_draws=50, seed=3, chunk_size=1)
    >>> b = run_ensemble(get_model("median"), sc, n_draws=50, seed=3, chunk_size=7)
    >>> bool((a.outcomes == b.outcomes).all())
    True
    """
    model = require_model(model)
    n = _check_int("n_draws", n_draws, 1)
    seed = check_seed(seed)
    spec = source if isinstance(source, DrawSpec) else prepare(source, perturbation)
    pert = Perturbation() if perturbation is None else perturbation
    A, I = spec.base.n_actors, spec.base.n_issues
    info = type(model).info
    pairwise = PAIRWISE_TEMPORARIES if info.dynamic else 0  # closed-form models make no A x A temporaries
    k = (
        default_chunk_size(A, I, pairwise=pairwise, budget=memory_budget(memory))
        if chunk_size is None
        else _check_int("chunk_size", chunk_size, 1)
    )
    k = min(k, n)
    root = np.random.SeedSequence(seed)
    unbatched = k == 1
    # a model that picks an engine by the size of each call (EUM ``engine="auto"``; the engines
    # differ in the last bits) picks it once here, for the whole sweep: every chunk, of any size and
    # in any process, runs on the same engine (the recorded parameters stay the ones asked for)
    for_batch = getattr(model, "for_batch", None)
    run_model = for_batch(n * I, A) if callable(for_batch) else model
    # chunk 1: one predict call per draw, grouped in tasks of one noise block
    layout = chunk_layout(n, BLOCK if unbatched else k)
    outcomes = np.empty((n, I))
    statuses = np.empty((n, I), dtype="<U12")
    if executor is None:
        for s, e in layout:
            outcomes[s:e], statuses[s:e] = run_chunk(run_model, spec, root, s, e, unbatched)
            if progress is not None:
                progress(e - s)
    else:
        futures = {
            executor.submit(run_chunk, run_model, spec, root, s, e, unbatched): (s, e) for s, e in layout
        }
        for fut in as_completed(futures):
            s, e = futures[fut]
            outcomes[s:e], statuses[s:e] = fut.result()
            if progress is not None:
                progress(e - s)
    params = model_params(model)  # the dataclass fields only (not the ClassVar ``info``)
    entropy = root.entropy
    outcomes.setflags(write=False)  # a result is a record (docstring)
    statuses.setflags(write=False)
    return Ensemble(
        model=info.name,
        params=params,
        dynamic=bool(info.dynamic),
        actor_ids=spec.base.actor_ids,
        issue_ids=spec.base.issue_ids,
        outcomes=outcomes,
        statuses=statuses,
        seed=seed,
        entropy=int(entropy) if isinstance(entropy, (int, np.integer)) else 0,
        chunk_size=k,
        n_chunks=n if unbatched else len(layout),
        perturbation=pert,
        base_position=np.asarray(spec.base.position, dtype=np.float64),
        base_present=np.asarray(spec.base.present, dtype=bool),
        scales=spec.scales,
    )


def with_actor_absent(arrays: ScenarioArrays, actors: Sequence[int]) -> ScenarioArrays:
    """Copy of ``arrays`` (no batch axis) with the given actors marked absent on every issue."""
    present = np.array(arrays.present, copy=True)
    present[list(actors), :] = False
    return replace(
        arrays,
        present=present,
        salience=np.where(present, arrays.salience, 0.0),
        capability=np.where(present, arrays.capability, 0.0),
    )
