"""Monte Carlo ensembles: reproducibility across chunk sizes and executors, and the drawing rules."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from detente.analysis.montecarlo import (
    BLOCK,
    block_noise,
    chunk_layout,
    default_chunk_size,
    draw_arrays,
    model_seed,
    noise_seed,
    prepare,
    run_ensemble,
)
from detente.core import Actor, Issue, Scale, Scenario, Stance
from detente.core.perturb import Perturbation
from detente.errors import ModelConfigError, ScenarioError
from detente.io.builtin import load_builtin
from detente.models import available_models, forecast, get_model

EMISSION = load_builtin("emission-standards-1994")


def toy(n_actors: int = 6, n_issues: int = 3, seed: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    actors = tuple(Actor(id=f"a{k}", capability=float(rng.uniform(0.5, 2))) for k in range(n_actors))
    issues = tuple(Issue(id=f"i{d}", scale=Scale(low=0, high=10)) for d in range(n_issues))
    stances = []
    for a in range(n_actors):
        for d in range(n_issues):
            if (a + d) % 5 == 4:
                continue  # some absent stances
            x = float(np.round(rng.uniform(0, 10), 1))
            kw: dict[str, float] = {}
            if a % 3 == 1:
                kw["sd"] = 1.5
            elif a % 3 == 2:
                kw["low"], kw["high"] = max(0.0, x - 1), min(10.0, x + 2)
            stances.append(
                Stance(actor=f"a{a}", issue=f"i{d}", position=x, salience=float(rng.uniform(0.2, 1)), **kw)
            )
    return Scenario(id="toy", actors=actors, issues=issues, stances=tuple(stances))


FAST = ["compromise", "median", "nbs"]
DYNAMIC = [m for m in ("eum",) if m in available_models()]


@pytest.mark.parametrize("name", FAST + DYNAMIC)
def test_identical_for_any_chunk_size(name: str) -> None:
    model = get_model(name)
    sc = toy()
    pert = Perturbation(dropout=0.15)
    n = 120 if name in FAST else 60
    ref = run_ensemble(model, sc, pert, n_draws=n, seed=11, chunk_size=1)
    assert ref.chunk_size == 1 and ref.n_chunks == n
    for chunk in (7, 1000):
        other = run_ensemble(model, sc, pert, n_draws=n, seed=11, chunk_size=chunk)
        np.testing.assert_array_equal(other.outcomes, ref.outcomes)
        np.testing.assert_array_equal(other.statuses, ref.statuses)
    # different seed -> different numbers; the noise is real
    assert not np.array_equal(run_ensemble(model, sc, pert, n_draws=n, seed=12).outcomes, ref.outcomes)


def test_chunk_one_is_a_loop_of_unbatched_single_calls() -> None:
    """The reference: draw d's arrays run alone through predict give the ensemble's outcome d."""
    model = get_model("median")
    spec = prepare(EMISSION)
    root = np.random.SeedSequence(5)
    ens = run_ensemble(model, EMISSION, n_draws=30, seed=5, chunk_size=30)
    for d in range(30):
        arr = draw_arrays(spec, root, d, d + 1).take(0)
        out = model.predict(arr, np.random.default_rng(0)).outcome
        np.testing.assert_array_equal(out, ens.outcomes[d])


def test_stochastic_model_reproducible_across_chunks() -> None:
    if "smp" not in available_models():
        pytest.skip("smp model not available")
    model = get_model("smp")
    sc = toy(5, 2)
    a = run_ensemble(model, sc, n_draws=6, seed=3, chunk_size=1)
    b = run_ensemble(model, sc, n_draws=6, seed=3, chunk_size=4)
    np.testing.assert_array_equal(a.outcomes, b.outcomes)


def test_process_pool_gives_identical_numbers() -> None:
    model = get_model("compromise")
    sc = toy()
    ref = run_ensemble(model, sc, Perturbation(dropout=0.2), n_draws=200, seed=9, chunk_size=200)
    with ProcessPoolExecutor(max_workers=2) as ex:
        par = run_ensemble(
            model, sc, Perturbation(dropout=0.2), n_draws=200, seed=9, chunk_size=13, executor=ex
        )
    np.testing.assert_array_equal(par.outcomes, ref.outcomes)
    np.testing.assert_array_equal(par.statuses, ref.statuses)


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_numbers() -> None:
    pytest.importorskip("distributed")  # the dev extra installs it; CI runs this test
    from detente.parallel import get_executor

    model = get_model(DYNAMIC[0] if DYNAMIC else "median")
    sc = toy()
    ref = run_ensemble(model, sc, Perturbation(dropout=0.1), n_draws=90, seed=21, chunk_size=1)
    with get_executor("dask", workers=2) as ex:
        par = run_ensemble(
            model, sc, Perturbation(dropout=0.1), n_draws=90, seed=21, chunk_size=8, executor=ex
        )
    np.testing.assert_array_equal(par.outcomes, ref.outcomes)
    np.testing.assert_array_equal(par.statuses, ref.statuses)


def test_progress_counts_every_draw() -> None:
    seen: list[int] = []
    run_ensemble(get_model("compromise"), EMISSION, n_draws=25, seed=0, chunk_size=10, progress=seen.append)
    assert seen == [10, 10, 5]


def test_seeds_are_spawn_children() -> None:
    root = np.random.SeedSequence(42)
    noise_kids, model_kids = np.random.SeedSequence(42).spawn(2)
    blocks = noise_kids.spawn(4)
    draws = model_kids.spawn(4)
    for k in range(4):
        np.testing.assert_array_equal(
            np.random.default_rng(noise_seed(root, k)).random(3), np.random.default_rng(blocks[k]).random(3)
        )
        np.testing.assert_array_equal(
            np.random.default_rng(model_seed(root, k)).random(3), np.random.default_rng(draws[k]).random(3)
        )


def test_draw_noise_layout_and_prefix_property() -> None:
    """Draw d reads row d mod BLOCK of block d // BLOCK; a sweep of n draws is a prefix of a longer one."""
    spec = prepare(toy(), Perturbation(position_sd=0.1, salience_sd=0.0, capability_sd=0.0))
    root = np.random.SeedSequence(8)
    arr = draw_arrays(spec, root, BLOCK - 3, BLOCK + 5)  # straddles two blocks
    z1, _ = block_noise(spec, root, 1)
    d = BLOCK + 2
    want = np.clip(spec.base.position + spec.pos_sd * z1[d - BLOCK, 0], spec.pos_low, spec.pos_high)
    p = spec.base.present
    np.testing.assert_array_equal(arr.position[d - (BLOCK - 3)][p], want[p])
    model = get_model("median")
    short = run_ensemble(model, spec, n_draws=70, seed=8, chunk_size=9)
    long = run_ensemble(model, spec, n_draws=200, seed=8, chunk_size=64)
    np.testing.assert_array_equal(short.outcomes, long.outcomes[:70])


def test_draws_respect_scales_and_ranges() -> None:
    sc = toy(8, 3, seed=4)
    spec = prepare(sc, Perturbation(position_sd=0.3, salience_sd=0.5, capability_sd=1.0, dropout=0.3))
    arr = draw_arrays(spec, np.random.SeedSequence(1), 0, 2000)
    p = arr.present
    assert ((arr.position >= spec.pos_low - 1e-15) | ~p).all() and (
        (arr.position <= spec.pos_high + 1e-15) | ~p
    ).all()
    assert (arr.salience >= 0).all() and (arr.salience <= 1).all() and (arr.capability >= 0).all()
    # masked cells carry no weight
    assert (arr.salience[~p] == 0).all() and (arr.capability[~p] == 0).all()
    # drop-out removes whole actors and never empties an issue
    base_p = spec.base.present
    assert (~p | base_p).all()
    assert (p.any(axis=-2) == base_p.any(axis=-2)).all()
    dropped = ~p.any(axis=-1) & base_p.any(axis=-1)  # actor absent everywhere in a draw
    assert 0.15 < dropped.mean() < 0.35
    # low/high stances never leave their range
    for s in sc.stances:
        if s.low is not None:
            a, i = sc.actor_ids.index(s.actor), sc.issue_ids.index(s.issue)
            col = arr.position[p[:, a, i], a, i] * 10
            assert col.min() >= s.low - 1e-9 and col.max() <= s.high + 1e-9


def test_stance_uncertainty_resolution() -> None:
    sc = Scenario(
        id="t",
        actors=(Actor(id="a"), Actor(id="b"), Actor(id="c")),
        issues=(Issue(id="x", scale=Scale(low=0, high=200)),),
        stances=(
            Stance(actor="a", issue="x", position=100, salience=1, sd=20.0),
            Stance(actor="b", issue="x", position=100, salience=1, low=60, high=160),
            Stance(actor="c", issue="x", position=100, salience=1),
        ),
    )
    spec = prepare(sc, Perturbation(position_sd=0.07))
    np.testing.assert_allclose(spec.pos_sd[:, 0], [0.1, 100 / 200 / 3.92, 0.07])
    np.testing.assert_allclose(spec.pos_low[:, 0], [0, 0.3, 0])
    np.testing.assert_allclose(spec.pos_high[:, 0], [1, 0.8, 1])
    # the sample sd of an unclipped stance matches its sd
    arr = draw_arrays(spec, np.random.SeedSequence(0), 0, 4000)
    assert abs(arr.position[:, 0, 0].std() * 200 - 20) < 1.0
    # clipping keeps the median at the stated position
    assert abs(np.median(arr.position[:, 1, 0]) * 200 - 100) < 2.0
    # use_stances=False ignores the stance's own uncertainty
    spec2 = prepare(sc, Perturbation(position_sd=0.07, use_stances=False))
    np.testing.assert_allclose(spec2.pos_sd[:, 0], [0.07] * 3)


def test_no_noise_reproduces_the_point_forecast() -> None:
    for name in FAST + DYNAMIC:
        model = get_model(name)
        ens = run_ensemble(model, EMISSION, Perturbation.none(), n_draws=5, seed=1)
        point = forecast(model, EMISSION, seed=1).unit_outcome
        np.testing.assert_allclose(
            ens.outcomes, np.broadcast_to(point, ens.outcomes.shape), rtol=0, atol=1e-12
        )


def test_raw_outcomes_in_issue_units() -> None:
    ens = run_ensemble(get_model("compromise"), EMISSION, n_draws=50, seed=2)
    np.testing.assert_allclose(ens.raw_outcomes(), 4 + 6 * ens.outcomes)
    assert ens.seed == 2 and ens.model == "compromise" and ens.n_draws == 50


def test_bad_arguments() -> None:
    with pytest.raises(ModelConfigError, match="n_draws"):
        run_ensemble(get_model("compromise"), EMISSION, n_draws=0)
    with pytest.raises(ModelConfigError, match="chunk_size"):
        run_ensemble(get_model("compromise"), EMISSION, n_draws=3, chunk_size=0)
    with pytest.raises(ScenarioError, match="dropout"):
        Perturbation(dropout=1.0)
    with pytest.raises(ScenarioError, match="position_sd"):
        Perturbation(position_sd=-0.1)
    with pytest.raises(ScenarioError, match="uncertainty.salience_sd"):
        Perturbation.from_metadata((("uncertainty.salience_sd", "lots"),))


def test_perturbation_from_metadata_and_overrides() -> None:
    p = Perturbation.from_metadata(
        (("uncertainty.position_sd", "0.1"), ("uncertainty.dropout", "0.05"), ("x", "y")),
        dropout=0.2,
        salience_sd=None,
    )
    assert (p.position_sd, p.dropout, p.salience_sd) == (0.1, 0.2, Perturbation().salience_sd)


def test_chunk_layout_and_default_size() -> None:
    assert chunk_layout(10, 4) == [(0, 4), (4, 8), (8, 10)]
    k = default_chunk_size(100, 10, budget=256 * 2**20)  # memory-bound: largest K within 256 MiB
    assert k * 100 * 10 * (96 + 8 * 8 * 100) <= 256 * 2**20 < (k + 1) * 100 * 10 * (96 + 8 * 8 * 100)
    assert default_chunk_size(50, 10, pairwise=0) == 131  # cache-bound: 2**16 cells
    assert default_chunk_size(100, 10, pairwise=0) == 65
    assert default_chunk_size(300, 10, pairwise=0) == 64  # never below 64 for cache reasons
    assert default_chunk_size(1, 1) == 4096 and default_chunk_size(1000, 100) == 1


def test_chunk_budget_follows_the_available_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default chunk fits in min(256 MiB, memory / 2), ``memory`` being what the machine can give
    each chunk in flight (the shells pass ``detente.parallel.memory_per_worker``): a machine short of
    memory gets smaller chunks and the same numbers."""
    from detente import parallel
    from detente.analysis.montecarlo import MEMORY_BUDGET, memory_budget

    avail = parallel.available_memory()
    assert avail is None or avail > 0
    monkeypatch.setattr(parallel, "available_memory", lambda: 64 * 2**20)
    assert parallel.memory_per_worker(2) == 32 * 2**20
    assert memory_budget(parallel.memory_per_worker(2)) == 16 * 2**20
    small = default_chunk_size(20, 10, budget=memory_budget(32 * 2**20))
    assert small * 20 * 10 * (96 + 8 * 8 * 20) <= 16 * 2**20 < (small + 1) * 20 * 10 * (96 + 8 * 8 * 20)
    monkeypatch.setattr(parallel, "available_memory", lambda: None)  # unknown: the fixed budget
    assert parallel.memory_per_worker(4) is None and memory_budget(None) == MEMORY_BUDGET
    sc = toy(6, 2)
    tiny = run_ensemble(get_model("eum"), sc, n_draws=5, seed=4, memory=2**15)  # 16 KiB: 2 draws a chunk
    big = run_ensemble(get_model("eum"), sc, n_draws=5, seed=4, memory=2**40)
    assert tiny.chunk_size == 2 and big.chunk_size == 5
    np.testing.assert_array_equal(tiny.outcomes, big.outcomes)
    np.testing.assert_array_equal(tiny.statuses, big.statuses)
