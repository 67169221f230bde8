"""Observing single events of a run: :func:`run_recording_failures` subscribes to the model's
weekly events (:mod:`crmsim.events`) and lists every service failure with the customer's
stage, whether they complained, whether it was resolved and whether they left;
:func:`run_following_first_failures` follows each customer from their first failure and says
whether they are still a customer some weeks later.
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
        ``complained``, ``resolved``, ``left`` (left the same week because of it) and
        ``proneness`` (the customer's ``churn_proneness``, the factor on their risk).

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> failures = run_recording_failures(CRMModel(n_customers=500, rng=2), weeks=52)
    >>> list(failures.columns)
    ['week', 'customer', 'stage', 'complained', 'resolved', 'left', 'proneness']
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
                    # read at the week's end: for the rare customer who also left the
                    # category that week, it is the newcomer's (crmsim.turnover)
                    "proneness": model.state.churn_proneness[customers],
                }
            )
        )

    with model.subscribe(observe):
        model.run_for(weeks)
    columns = ["week", "customer", "stage", "complained", "resolved", "left"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


#: How a failure ended for the customer, as :func:`run_following_first_failures` names it.
VOICES = ("silent", "complained", "resolved")


def run_following_first_failures(model: CRMModel, weeks: int, horizon: int = 26) -> pd.DataFrame:
    """Run ``model`` for ``weeks`` weeks and follow every customer from their first failure.

    Complaint-handling studies compare customers who met a problem by what they did about
    it and what the firm did: those who said nothing, those who complained and were not
    helped, and those whose complaint was resolved (TARP 1979, 1986). This follows each
    customer from the first service failure of their life with the firm and asks whether
    they are still a customer (in exploration, expansion or commitment) ``horizon`` weeks
    later, whatever happened in between (they may have left and come back).

    Parameters
    ----------
    model : CRMModel
        The model to run (it is stepped ``weeks`` times).
    weeks : int
        Weeks to run, >= 0. Only failures at least ``horizon`` weeks before the end of the
        run are followed to the end and listed.
    horizon : int
        Weeks after the failure at which the customer is looked at, >= 1.

    Returns
    -------
    pandas.DataFrame
        One row per first failure followed to its horizon: ``week``, ``customer``,
        ``voice`` (one of :data:`VOICES`) and ``still_customer``. A person who left the
        category before the horizon (their row taken by a newcomer, see
        :mod:`crmsim.turnover`) is not listed: they did not choose to stay or go.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> table = run_following_first_failures(CRMModel(n_customers=500, rng=2), weeks=60)
    >>> list(table.columns), bool(table["week"].max() < 60 - 26)
    (['week', 'customer', 'voice', 'still_customer'], True)
    """
    weeks = checks.integer("weeks", weeks, low=0)
    horizon = checks.integer("horizon", horizon, low=1)
    failed_before = np.zeros(model.n_customers, dtype=bool)
    # the customers whose horizon ends in a week, with the week of their failure and voice
    due: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
    rows: list[pd.DataFrame] = []

    def observe(report: WeekReport) -> None:
        moved = report.who("moved")
        if len(moved):  # a newcomer holds the row: a life with the firm starts afresh
            failed_before[moved] = False
            for pending in due.values():
                for i, (week, who, voice) in enumerate(pending):
                    keep = ~np.isin(who, moved)
                    pending[i] = (week, who[keep], voice[keep])
        customers = report.who("failure")
        outcome = report.detail("failure")
        first = ~failed_before[customers]
        # (a customer fails at most once a week, so a week's failures name distinct rows)
        customers, outcome = customers[first], outcome[first]
        failed_before[customers] = True
        # moved in the same week as the failure: not followed
        keep = ~np.isin(customers, moved)
        if keep.any():
            due.setdefault(report.week + horizon, []).append(
                (report.week, customers[keep], outcome[keep].astype(np.int64))
            )
        for week, who, voice in due.pop(report.week, []):
            stage = report.stage_after[who]
            rows.append(
                pd.DataFrame(
                    {
                        "week": week,
                        "customer": who,
                        "voice": [VOICES[v] for v in voice],
                        "still_customer": (stage >= Stage.EXPLORATION)
                        & (stage <= Stage.COMMITMENT),
                    }
                )
            )

    with model.subscribe(observe):
        model.run_for(weeks)
    columns = ["week", "customer", "voice", "still_customer"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
