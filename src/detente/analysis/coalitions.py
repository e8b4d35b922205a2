"""Alliance cohesion between actor groups, and a coalition map of all actors.

**Distance between two groups on issue d** (unit scale; docs/uncertainty.md §Cohesion):
the salience-weighted mean distance over every cross pair of present members,

    D_d(G, H) = Σ_{a∈G, b∈H} s_ad s_bd |x_ad − x_bd| / Σ_{a∈G, b∈H} s_ad s_bd ,

reported in issue units as ``D_d × width``. **Cohesion index** over all issues, with the same
pair weights:

    C(G, H) = 1 − Σ_d Σ_{a,b} s_ad s_bd |x_ad − x_bd| / Σ_d Σ_{a,b} s_ad s_bd   ∈ [0, 1].

``C = 1``: every pair that cares stands at the same point; ``C = 0``: all weight sits on pairs at
opposite ends of their scales. An issue's share of the split is its term of the numerator over
the whole numerator. Pairs with zero combined salience are ignored; an actor in both groups is
paired with the others but not with itself.

**Coalition map**: the actor distance is the same weighted distance over the issues both address
(``1/2`` when they share none); average-linkage hierarchical clustering (UPGMA; Sokal & Michener
1958) cut at ``cut`` joins actors into blocs; classical multidimensional scaling (Torgerson 1952)
gives 2-D coordinates for a plot (signs fixed so the largest |coordinate| of each axis is > 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente._typing import FloatArray, IntArray
from detente.core.arrays import to_arrays
from detente.core.scale import from_unit
from detente.core.scenario import Scenario
from detente.errors import ScenarioError


def resolve_group(scenario: Scenario, name: str) -> tuple[str, ...]:
    """Members of group ``name`` (``Actor.groups``), or the actor ``name`` itself."""
    groups = scenario.groups()
    if name in groups:
        return groups[name]
    if name in scenario.actor_ids:
        return (name,)
    known = ", ".join(sorted(groups)) or "none"
    raise ScenarioError(  # an actor id is as good as a group: say which ones there are
        f"groups: unknown group or actor {name!r} (groups in the scenario: {known}; "
        f"actor ids: {', '.join(scenario.actor_ids)})"
    )


@dataclass(frozen=True, slots=True)
class Cohesion:
    """Between-group read-out: ``distance`` (I,) issue units (NaN where no pair is present),
    ``unit_distance`` (I,), ``split_share`` (I,), ``index`` in [0, 1] (NaN if no pair at all),
    and each group's own internal index (``within_a``, ``within_b``; NaN for fewer than two members)."""

    group_a: str
    group_b: str
    members_a: tuple[str, ...]
    members_b: tuple[str, ...]
    issue_ids: tuple[str, ...]
    distance: FloatArray
    unit_distance: FloatArray
    split_share: FloatArray
    index: float
    within_a: float
    within_b: float
    mean_a: FloatArray  # salience-weighted mean position of each group (I,), issue units
    mean_b: FloatArray

    def splits(self, n: int = 3) -> list[tuple[str, float, float]]:
        """The ``n`` issues that split the groups most: (issue, distance in issue units, share of the split)."""
        order = sorted(
            (d for d in range(len(self.issue_ids)) if np.isfinite(self.split_share[d])),
            key=lambda d: (-self.split_share[d], d),
        )
        return [(self.issue_ids[d], float(self.distance[d]), float(self.split_share[d])) for d in order[:n]]


def _pair_terms(
    x: FloatArray, s: FloatArray, p: np.ndarray, ga: list[int], gb: list[int]
) -> tuple[FloatArray, FloatArray]:
    """Per issue Σ w |Δx| and Σ w over cross pairs (a in ga, b in gb, a != b)."""
    xa, xb = x[ga][:, None, :], x[gb][None, :, :]
    w = np.where(p[ga], s[ga], 0.0)[:, None, :] * np.where(p[gb], s[gb], 0.0)[None, :, :]
    same = np.array([[a == b for b in gb] for a in ga], dtype=bool)
    w = np.where(same[:, :, None], 0.0, w)
    return (w * np.abs(xa - xb)).sum(axis=(0, 1)), w.sum(axis=(0, 1))


def _index(num: FloatArray, den: FloatArray) -> float:
    tot = float(den.sum())
    return float("nan") if tot <= 0 else 1.0 - float(num.sum()) / tot


def cohesion(scenario: Scenario, group_a: str, group_b: str) -> Cohesion:
    """Distance per issue, the issues that split two groups and their cohesion index (module docstring).

    Examples
    --------
    >>> from detente.core import Actor, Issue, Scenario, Stance
    >>> sc = Scenario(id="t", actors=(Actor(id="u", groups=("us",)), Actor(id="e", groups=("eu",))),
    ...     issues=(Issue(id="x"), Issue(id="y")),
    ...     stances=(Stance(actor="u", issue="x", position=0, salience=1), Stance(actor="e", issue="x", position=50, salience=1),
    ...              Stance(actor="u", issue="y", position=10, salience=1), Stance(actor="e", issue="y", position=10, salience=1)))
    >>> c = cohesion(sc, "us", "eu")
    >>> round(c.index, 3), [round(float(v), 1) for v in c.distance]
    (0.75, [50.0, 0.0])
    """
    ma, mb = resolve_group(scenario, group_a), resolve_group(scenario, group_b)
    arr = to_arrays(scenario)
    idx = {a: k for k, a in enumerate(arr.actor_ids)}
    ga, gb = [idx[a] for a in ma], [idx[a] for a in mb]
    x, s, p = np.asarray(arr.position), np.asarray(arr.salience), np.asarray(arr.present)
    num, den = _pair_terms(x, s, p, ga, gb)
    scales = [it.scale for it in scenario.issues]
    width = np.array([it.scale.width for it in scenario.issues])
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        tot = num.sum()
        share = np.where(den > 0, num / tot if tot > 0 else 0.0, np.nan)
    wa, wb = [_pair_terms(x, s, p, g, g) for g in (ga, gb)]

    def gmean(g: list[int]) -> FloatArray:
        w = np.where(p[g], s[g], 0.0)
        sw = w.sum(axis=0)
        m = np.where(sw > 0, (w * x[g]).sum(axis=0) / np.where(sw > 0, sw, 1.0), np.nan)
        return from_unit(m, scales)

    return Cohesion(
        group_a,
        group_b,
        ma,
        mb,
        arr.issue_ids,
        np.asarray(unit * width, dtype=np.float64),
        np.asarray(unit, dtype=np.float64),
        np.asarray(share, dtype=np.float64),
        _index(num, den),
        _index(*wa),
        _index(*wb),
        gmean(ga),
        gmean(gb),
    )


def actor_distances(scenario: Scenario) -> FloatArray:
    """(A, A) salience-weighted mean unit distance over shared issues (1/2 where none is shared)."""
    arr = to_arrays(scenario)
    x, s, p = np.asarray(arr.position), np.asarray(arr.salience), np.asarray(arr.present)
    w = np.where(p, s, 0.0)
    ww = w[:, None, :] * w[None, :, :]
    both = p[:, None, :] & p[None, :, :]
    d = np.abs(x[:, None, :] - x[None, :, :])
    num = (ww * d).sum(-1)
    den = ww.sum(-1)
    # pairs sharing issues but with zero salience on them: unweighted mean over shared issues
    nb = both.sum(-1)
    plain = np.where(both, d, 0.0).sum(-1) / np.maximum(nb, 1)
    out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(nb > 0, plain, 0.5))
    np.fill_diagonal(out, 0.0)
    return np.asarray(out, dtype=np.float64)


def average_linkage(dist: FloatArray, cut: float) -> IntArray:
    """Cluster labels (0..k-1 in order of first member) by UPGMA, merging while the closest pair of
    clusters is at average distance ``<= cut``; ties merge the pair with the lowest indices first.

    >>> d = np.array([[0, .1, .9], [.1, 0, .8], [.9, .8, 0]])
    >>> average_linkage(d, 0.25).tolist()
    [0, 0, 1]
    """
    n = dist.shape[0]
    clusters: list[list[int]] = [[k] for k in range(n)]
    dm = np.array(dist, dtype=np.float64, copy=True)
    np.fill_diagonal(dm, np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {k: [k] for k in range(n)}
    while alive.sum() > 1:
        masked = np.where(alive[:, None] & alive[None, :], dm, np.inf)
        flat = int(np.argmin(masked))  # row-major: lowest indices win ties
        u, v = divmod(flat, n)
        if masked[u, v] > cut:
            break
        u, v = min(u, v), max(u, v)
        # Lance-Williams update for average linkage
        new = (size[u] * dm[u] + size[v] * dm[v]) / (size[u] + size[v])
        dm[u, :], dm[:, u] = new, new
        dm[u, u] = np.inf
        size[u] += size[v]
        alive[v] = False
        members[u] = sorted(members[u] + members.pop(v))
    clusters = [members[k] for k in range(n) if alive[k]]
    clusters.sort(key=min)
    labels = np.empty(n, dtype=np.int64)
    for k, group in enumerate(clusters):
        labels[group] = k
    return labels


def classical_mds(dist: FloatArray, dims: int = 2) -> FloatArray:
    """Torgerson's classical scaling: (n, dims) coordinates whose distances approximate ``dist``.

    ``B = −½ J D² J`` with the centring matrix ``J``; coordinates = top eigenvectors × √eigenvalue
    (negative eigenvalues set to 0). Eigenvalues below the numerical-rank tolerance ``n · ε · max|λ|``
    (the tolerance of ``numpy.linalg.matrix_rank``; Golub & Van Loan 2013, §5.4.1) are rounding noise
    of a lower-dimensional configuration and set to 0 too: otherwise that axis carries coordinates of
    ~1e-8 whose values and signs change with the CPU's floating-point instructions (e.g. AVX-512).

    >>> d = np.array([[0.0, 3.0], [3.0, 0.0]])
    >>> xy = classical_mds(d)
    >>> round(float(abs(xy[0, 0] - xy[1, 0])), 6)
    3.0
    """
    n = dist.shape[0]
    j = np.eye(n) - np.full((n, n), 1.0 / n)
    bmat = -0.5 * j @ (dist**2) @ j
    vals, vecs = np.linalg.eigh((bmat + bmat.T) / 2)
    order = np.argsort(vals)[::-1][:dims]
    tol = n * np.finfo(np.float64).eps * (float(np.abs(vals).max()) if vals.size else 0.0)
    lam = np.where(vals[order] > tol, vals[order], 0.0)
    coords = vecs[:, order] * np.sqrt(lam)[None, :] + 0.0  # + 0.0: no "-0.0" on a zeroed axis
    for k in range(coords.shape[1]):
        col = coords[:, k]
        if col.size and col[np.argmax(np.abs(col))] < 0:
            coords[:, k] = -col
    if coords.shape[1] < dims:
        coords = np.concatenate([coords, np.zeros((n, dims - coords.shape[1]))], axis=1)
    return np.asarray(coords, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class CoalitionMap:
    actor_ids: tuple[str, ...]
    labels: IntArray
    coords: FloatArray
    distances: FloatArray
    cut: float

    def blocs(self) -> list[tuple[str, ...]]:
        return [
            tuple(a for a, lab in zip(self.actor_ids, self.labels, strict=True) if lab == k)
            for k in range(int(self.labels.max()) + 1)
        ]


def coalition_map(scenario: Scenario, *, cut: float = 0.2) -> CoalitionMap:
    """Blocs of actors with similar positions across issues and a 2-D map (module docstring).

    >>> from detente.io.builtin import load_builtin
    >>> m = coalition_map(load_builtin("emission-standards-1994"))
    >>> len(m.blocs())
    3
    """
    d = actor_distances(scenario)
    return CoalitionMap(scenario.actor_ids, average_linkage(d, cut), classical_mds(d), d, cut)
