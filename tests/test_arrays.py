"""The lean array helpers give exactly what the NumPy functions they stand in for give."""

from __future__ import annotations

import numpy as np
import pytest

from crmsim.arrays import clip, rows_of, unique, unique_first


@pytest.mark.parametrize("size", [0, 1, 2, 7, 300])
def test_helpers_match_numpy(size):
    rng = np.random.default_rng(size)
    mask = rng.random(size) < 0.3
    assert np.array_equal(rows_of(mask), np.flatnonzero(mask))

    values = rng.normal(0, 2, size)
    expected = np.clip(values, -1.0, 1.0)
    result = clip(values, -1.0, 1.0)
    assert result is values  # in place, as documented
    assert np.array_equal(result, expected)

    # few distinct values, so that repeats are common
    ints = rng.integers(0, max(size // 3, 1), size)
    distinct, first = unique_first(ints)
    expected_distinct, expected_first = np.unique(ints, return_index=True)
    assert np.array_equal(distinct, expected_distinct)
    assert np.array_equal(first, expected_first)
    assert np.array_equal(unique(ints), np.unique(ints))
