"""Reading a run the way the course does: churn by its definition, and the KPIs.

Churn (seed 001): pick a period, count the customers at its start, count how
many *of those* were lost during it; churn is lost / start. Customers who join
during the period do not enter that period's churn; the period's end count is
the next period's base.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd


def _count(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return float(value)


def churn_rate(start: float, lost: float) -> float:
    """Churn of one period: customers lost of those there at its start, over that start.

    Parameters
    ----------
    start : float
        Customers at the start of the period (> 0).
    lost : float
        How many of *those* customers left during the period (0 <= lost <= start).

    Returns
    -------
    float
        The churn rate, in [0, 1].

    Examples
    --------
    The telecom example of the course: 17 million subscribers at the start of a
    quarter, 170,000 of them lost.

    >>> churn_rate(start=17_000_000, lost=170_000)
    0.01
    """
    start, lost = _count("start", start), _count("lost", lost)
    if start == 0:
        raise ValueError(
            "start must be > 0: churn is undefined for a period that starts with no customers"
        )
    if lost > start:
        raise ValueError(
            f"lost ({lost:g}) cannot exceed start ({start:g}): churn counts only the customers "
            "present at the start of the period"
        )
    return lost / start


def net_growth(start: float, joined: float, lost: float) -> float:
    """Growth of the customer base over a period, as a share of its start.

    Examples
    --------
    >>> round(net_growth(start=17_000_000, joined=680_000, lost=170_000), 4)
    0.03
    """
    start, joined, lost = _count("start", start), _count("joined", joined), _count("lost", lost)
    if start == 0:
        raise ValueError("start must be > 0")
    return (joined - lost) / start


def loss_log(source: pd.DataFrame | object) -> pd.DataFrame | None:
    """The loss log from a weekly frame's ``attrs``, a ``LossLog`` or a log itself (else None)."""
    if isinstance(source, pd.DataFrame) and "spell_start" in source.columns:
        return source
    if isinstance(source, pd.DataFrame):
        source = source.attrs.get("losses")
    source = getattr(source, "frame", source)
    return source if isinstance(source, pd.DataFrame) else None


def period_churn(
    frame: pd.DataFrame, weeks: int = 13, losses: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Churn per period of ``weeks`` weeks, by the course's definition.

    Parameters
    ----------
    frame : pandas.DataFrame
        A model's weekly frame (``model.datacollector.get_model_vars_dataframe()``).
    weeks : int
        Period length in weeks (13 = a quarter), >= 1.
    losses : pandas.DataFrame, optional
        The loss log (``model.losses``); taken from ``frame.attrs`` when not given.

    Returns
    -------
    pandas.DataFrame
        One row per complete period: ``period``, ``first_week``, ``start`` (customers at its
        start), ``lost`` (of those), ``joined`` (new and won back during it), ``end`` and ``churn``.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=300, rng=1)
    >>> model.run(weeks=26)
    >>> table = period_churn(model.datacollector.get_model_vars_dataframe(), weeks=13)
    >>> list(table["period"])
    [0, 1]
    """
    if isinstance(weeks, bool) or not isinstance(weeks, numbers.Integral) or weeks < 1:
        raise ValueError(f"weeks must be an integer >= 1, got {weeks!r}")
    missing = {"week", "active_start", "active", "acquired", "won_back"} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks the column(s) {sorted(missing)}; pass a crmsim weekly frame")
    losses = loss_log(frame if losses is None else losses)
    if losses is None:
        raise ValueError(
            "period churn needs the loss log to know who was there at each period's start: "
            "pass losses=model.losses (or a frame straight from the model's datacollector)"
        )
    rows = []
    first_week = int(frame["week"].iloc[0]) if len(frame) else 0
    n_periods = len(frame) // weeks
    by_week = frame.set_index("week")
    for period in range(n_periods):
        a = first_week + period * weeks
        b = a + weeks
        start = int(by_week.loc[a, "active_start"])
        in_period = (losses["week"] >= a) & (losses["week"] < b)
        lost = int((in_period & (losses["spell_start"] < a)).sum())
        block = by_week.loc[a : b - 1]
        rows.append(
            {
                "period": period,
                "first_week": a,
                "start": start,
                "lost": lost,
                "joined": int(block["acquired"].sum() + block["won_back"].sum()),
                "end": int(by_week.loc[b - 1, "active"]),
                "churn": lost / start if start else np.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=["period", "first_week", "start", "lost", "joined", "end", "churn"]
    )
