"""Checks of the observed curves the fits take, and of the periods fitted."""

from __future__ import annotations

from typing import Any

import numpy as np

from crmsim import checks


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
    return checks.integer("fit_periods (at most the curve's length)", fit_periods, 3, periods)
