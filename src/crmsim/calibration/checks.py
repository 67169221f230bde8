"""Checks of the inputs shared by the fits: counts, observed curves and the periods fitted."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_curve(name: str, values: Any, increasing: bool) -> np.ndarray:
    try:
        curve = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from err
    if curve.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {curve.shape}")
    if len(curve) < 3:
        raise ValueError(f"{name} needs at least 3 periods, got {len(curve)}")
    if not np.isfinite(curve).all() or (curve < 0).any():
        raise ValueError(f"{name} must be finite and non-negative, got {curve.tolist()}")
    steps = np.diff(curve)
    bad = np.flatnonzero(steps < 0 if increasing else steps > 0)
    if len(bad):
        k = int(bad[0])
        how = "non-decreasing (a cumulative count)" if increasing else "non-increasing"
        raise ValueError(
            f"{name} must be {how}, but goes from {curve[k]:g} in period {k} to "
            f"{curve[k + 1]:g} in period {k + 1}"
        )
    return curve


def _check_fit_periods(fit_periods: Any, periods: int) -> int:
    if fit_periods is None:
        return periods
    if (
        isinstance(fit_periods, bool)
        or not isinstance(fit_periods, numbers.Integral)
        or not 3 <= fit_periods <= periods
    ):
        raise ValueError(
            f"fit_periods must be an integer in [3, {periods}] (the curve's length), "
            f"got {fit_periods!r}"
        )
    return int(fit_periods)
