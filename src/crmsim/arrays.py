"""Lean versions of a few NumPy conveniences, for the weekly processes.

A class-sized market (2,000 people) runs a week in about a millisecond, and at that
size most of the time is per-call overhead rather than arithmetic: ``np.flatnonzero``,
``np.clip`` and ``np.unique`` each spend a few microseconds in Python before any work
is done. These helpers give the same results through the underlying array methods
and ufuncs, which matters for the dashboard's interactive runs and not at all for
large markets. For the same reason the weekly code calls array methods
(``x.repeat``, ``x.cumsum``, ``x.argsort``) rather than NumPy's module-level
wrappers of them, which add a microsecond or two of Python to each call.
"""

from __future__ import annotations

import numpy as np


def rows_of(mask: np.ndarray) -> np.ndarray:
    """Positions where a 1-D boolean ``mask`` is true (the same as ``np.flatnonzero``)."""
    return mask.nonzero()[0]


def clip(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Clip ``values`` into [low, high] in place and return them (``np.clip(..., out=values)``)."""
    np.maximum(values, low, out=values)
    return np.minimum(values, high, out=values)


def unique_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ``values`` and where each first occurs.

    The same as ``np.unique(values, return_index=True)`` for a 1-D integer array.
    """
    order = values.argsort(kind="stable")
    ordered = values[order]
    first = _run_starts(ordered)
    return ordered[first], order[first]


def unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct ``values`` of a 1-D integer array (the same as ``np.unique``)."""
    ordered = values.copy()
    ordered.sort()
    return ordered[_run_starts(ordered)]


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Mask of the positions where a run of equal values begins in sorted ``ordered``."""
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first
