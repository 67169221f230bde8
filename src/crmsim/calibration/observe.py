"""Observing single events of a run: :func:`run_recording_failures` subscribes to the model's
weekly events (:mod:`crmsim.events`) and lists every service failure with the customer's
stage, whether they complained, whether it was resolved and whether they left.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.events import WeekReport
from crmsim.model import CRMModel
from crmsim.stages import CHURN_CAUSES, Stage


def run_recording_failures(model: CRMModel, weeks: int) -> pd.DataFrame:
    """Run ``model`` for ``weeks`` weeks and return one row per service failure in them.

    The course's figures on failures (seed 002: about 40 % of customers who meet a
    failure complain; about half of early-stage customers left with an unresolved one
    leave) are statements about individual failures, so they are measured here from the
    week's events as the model hands them to its observers (:mod:`crmsim.events`): the
    ``failure`` event (with whether the customer complained and the firm resolved it),
    the ``trial`` event and the ``left`` event with its cause. This works whether or not
    the model keeps histories.

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
    weeks = checks.integer("weeks", weeks, low=0)
    tables: list[pd.DataFrame] = []
    left_for_failure = CHURN_CAUSES.index("failure") + 1

    def observe(report: WeekReport) -> None:
        customers = report.who("failure")
        if not len(customers):
            return
        detail = report.detail("failure")
        stage = np.where(
            np.isin(customers, np.concatenate([report.who("trial"), report.who("returned")])),
            Stage.EXPLORATION,
            report.stage_before[customers],
        )
        left = report.who("left")[report.detail("left") == left_for_failure]
        tables.append(
            pd.DataFrame(
                {
                    "week": report.week,
                    "customer": customers,
                    "stage": [Stage(s).name.lower() for s in stage],
                    "complained": detail >= 1,
                    "resolved": detail >= 2,
                    "left": np.isin(customers, left),
                }
            )
        )

    with model.subscribe(observe):
        model.run_for(weeks)
    columns = ["week", "customer", "stage", "complained", "resolved", "left"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
