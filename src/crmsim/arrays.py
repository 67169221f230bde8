"""Lean versions of a few NumPy conveniences, for the weekly processes.

A class-sized market (2,000 people) runs a week in about a millisecond, and at that
size most of the time is per-call overhead rather than arithmetic: ``np.flatnonzero``,
``np.clip`` and ``np.unique`` each spend a few microseconds in Python before any work
is done. These helpers give the same results through the underlying array methods
and ufuncs, which matters for the dashboard's interactive runs and not at all for
large markets. For the same reason the weekly code calls array methods
(``x.repeat``, ``x.cumsum``, ``x.argsort``) rather than NumPy's module-level
wrappers of them, which add a microsecond or two of Python to each call.

The rule modules call these by name, so a rule reads as what it does (``set_where``,
``per_code``, ``count_into``) and the reason for each trick is written once, here.
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


def set_where(values: np.ndarray, mask: np.ndarray, value: float) -> None:
    """``values[mask] = value`` for a boolean ``mask``, through ``np.putmask`` (half the calls)."""
    np.putmask(values, mask, value)


def per_code(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]`` for small non-negative int8 codes (a stage or a tier per customer).

    Read through an unsigned view, ``take`` skips the checks for negative indices.
    """
    return table.take(codes.view(np.uint8))


def count_into(counts: np.ndarray, rows: np.ndarray) -> None:
    """Add 1 to ``counts`` at each of ``rows``, repeats counted (``np.add.at``).

    ``np.add.at`` costs microseconds even with nothing to add, so empty ``rows`` return at once.
    """
    if len(rows):
        np.add.at(counts, rows, 1)


def filled(n: int, value: int, dtype: type = np.int64) -> np.ndarray:
    """``np.full(n, value, dtype)`` without its Python overhead."""
    out = np.empty(n, dtype=dtype)
    out.fill(value)
    return out


def normal(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    """``n`` draws of ``rng.normal(mean, sd, n)``: the same numbers, scaled in place."""
    draws = rng.standard_normal(n)
    draws *= sd
    draws += mean
    return draws
