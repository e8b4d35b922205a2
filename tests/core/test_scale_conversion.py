"""The one unit <-> issue-unit conversion (detente.core.scale.to_unit / from_unit)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.core.scale import Scale, bounds, from_unit, to_unit

SCALES = [(0.0, 100.0), (-20.0, 20.0), (1.5, 2.0)]


def test_round_trip_and_hand_values() -> None:
    u = np.array([[0.0, 0.5, 1.0], [0.25, 0.0, 0.5]])
    raw = from_unit(u, SCALES)
    assert raw.tolist() == [[0.0, 0.0, 2.0], [25.0, -20.0, 1.75]]
    np.testing.assert_allclose(to_unit(raw, SCALES), u, rtol=0, atol=1e-15)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 5, 3), (1, 2, 4, 3)])
def test_vectorised_over_leading_axes(shape: tuple[int, ...]) -> None:
    u = np.random.default_rng(0).random(shape)
    raw = from_unit(u, SCALES)
    assert raw.shape == shape and raw.dtype == np.float64
    lo, hi = np.array(SCALES).T
    # the same float operations as the per-issue form low + u * (high - low): bit for bit
    assert np.array_equal(raw, lo + u * (hi - lo))
    assert np.array_equal(to_unit(raw, SCALES), (raw - lo) / (hi - lo))


def test_nan_passes_through() -> None:
    u = np.array([np.nan, 0.5, np.nan])
    raw = from_unit(u, SCALES)
    assert np.isnan(raw[0]) and np.isnan(raw[2]) and raw[1] == 0.0
    back = to_unit(raw, SCALES)
    assert np.isnan(back[0]) and np.isnan(back[2]) and back[1] == 0.5


def test_scales_as_pairs_scale_objects_array_or_one_pair() -> None:
    objs = [Scale(low=lo, high=hi) for lo, hi in SCALES]
    u = np.array([0.1, 0.2, 0.3])
    ref = from_unit(u, SCALES)
    assert np.array_equal(from_unit(u, objs), ref)
    assert np.array_equal(from_unit(u, np.array(SCALES)), ref)
    assert np.array_equal(from_unit(u, tuple(SCALES)), ref)
    # one (low, high) pair: a scalar in, a 0-d array out, like Scale.from_unit
    assert float(from_unit(0.25, (-20, 20))) == Scale(low=-20, high=20).from_unit(0.25) == -10.0
    assert float(to_unit(5.0, (0, 10))) == 0.5
    lo, hi = bounds(objs)
    assert lo.tolist() == [0.0, -20.0, 1.5] and hi.tolist() == [100.0, 20.0, 2.0]


def test_scale_methods_use_the_same_conversion() -> None:
    s = Scale(low=-20, high=20)
    v = np.array([[0.0, 0.3], [0.7, 1.0]])
    assert np.array_equal(s.from_unit_array(v), from_unit(v, (-20, 20)))
    assert np.array_equal(s.to_unit_array(s.from_unit_array(v)), to_unit(from_unit(v, (-20, 20)), (-20, 20)))


def test_bad_scales_shape_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"\(low, high\) pairs"):
        from_unit([0.5], [(0, 1, 2)])
