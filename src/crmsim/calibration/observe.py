"""Observing single events of a run: :func:`run_recording_failures` lists every service failure
with the customer's stage, whether they complained, whether it was resolved and whether they
left.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from crmsim.customer import CHURN_CAUSES, Stage
from crmsim.model import CRMModel


def run_recording_failures(model: CRMModel, weeks: int) -> pd.DataFrame:
    """Run ``model`` for ``weeks`` weeks and return one row per service failure in them.

    The course's figures on failures (seed 002: about 40 % of customers who meet a
    failure complain; about half of early-stage customers left with an unresolved one
    leave) are statements about individual failures, so they are measured here from the
    week's events as the model hands them to its history: the ``failure`` event (with
    whether the customer complained and the firm resolved it), the ``trial`` event and
    the ``left`` event with its cause. This works whether or not the model keeps
    histories.

    Parameters
    ----------
    model : CRMModel
        The model to run (it is stepped ``weeks`` times).
    weeks : int
        Weeks to run, >= 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``week``, ``customer``, ``stage`` (a :class:`crmsim.Stage` name, in lower
        case, at the time of the episode: a first purchase is an exploration episode),
        ``complained``, ``resolved`` and ``left`` (left the same week because of it).

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> failures = run_recording_failures(CRMModel(n_customers=500, rng=2), weeks=52)
    >>> list(failures.columns)
    ['week', 'customer', 'stage', 'complained', 'resolved', 'left']
    >>> bool(failures["resolved"].le(failures["complained"]).all())
    True
    """
    if isinstance(weeks, bool) or not isinstance(weeks, numbers.Integral) or weeks < 0:
        raise ValueError(f"weeks must be an integer >= 0, got {weeks!r}")
    history = model.history
    record = history.record
    tables: list[pd.DataFrame] = []
    left_for_failure = CHURN_CAUSES.index("failure") + 1

    def observe(
        week: int,
        events: list[tuple[str, np.ndarray, np.ndarray]],
        stage_before: np.ndarray,
        stage_after: np.ndarray,
        tier_before: np.ndarray,
        tier_after: np.ndarray,
    ) -> None:
        def who(kind: str, code: float | None = None) -> np.ndarray:
            parts = [w[d == code] if code is not None else w for k, w, d in events if k == kind]
            return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

        failed = [(w, d) for k, w, d in events if k == "failure"]
        if failed:
            customers = np.concatenate([w for w, _ in failed])
            detail = np.concatenate([d for _, d in failed])
            stage = np.where(
                np.isin(customers, who("trial")), Stage.EXPLORATION, stage_before[customers]
            )
            tables.append(
                pd.DataFrame(
                    {
                        "week": week,
                        "customer": customers,
                        "stage": [Stage(s).name.lower() for s in stage],
                        "complained": detail >= 1,
                        "resolved": detail >= 2,
                        "left": np.isin(customers, who("left", left_for_failure)),
                    }
                )
            )
        record(week, events, stage_before, stage_after, tier_before, tier_after)

    history.record = observe
    try:
        model.run_for(int(weeks))
    finally:
        del history.record  # back to the class's method
    columns = ["week", "customer", "stage", "complained", "resolved", "left"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
