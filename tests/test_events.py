"""Observers watch the week's events without changing the run; subscriptions nest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel
from crmsim.analysis import run_with_transactions, transactions
from crmsim.calibration import run_recording_failures
from crmsim.events import EVENT_KINDS, WeekReport


def test_observers_see_every_week_and_the_events_add_up_to_the_frame():
    model = CRMModel(n_customers=400, history=False, rng=3)
    reports: list[tuple[int, int, int, int]] = []

    def count(report: WeekReport) -> None:
        reports.append(
            (
                report.week,
                len(report.who("trial")),
                len(report.who("failure")),
                len(report.who("left")),
            )
        )

    with model.subscribe(count):
        model.run(weeks=40, progress=False)
    weeks, trials, failures, left = map(np.array, zip(*reports, strict=True))
    frame = model.frame
    np.testing.assert_array_equal(weeks, frame["week"])
    np.testing.assert_array_equal(trials, frame["acquired"])
    np.testing.assert_array_equal(failures, frame["failures"])
    np.testing.assert_array_equal(left, frame["lost"])
    assert trials.sum() > 0 and failures.sum() > 0 and left.sum() > 0


def test_watching_does_not_change_the_run():
    watched = CRMModel(n_customers=300, history=False, rng=8)
    with watched.subscribe(lambda report: report.who("episode")):
        watched.run(weeks=30, progress=False)
    plain = CRMModel(n_customers=300, history=False, rng=8)
    plain.run(weeks=30, progress=False)
    pd.testing.assert_frame_equal(watched.frame, plain.frame)


def test_subscriptions_nest_and_cancelling_one_leaves_the_others():
    model = CRMModel(n_customers=200, history=False, rng=1)
    outer, inner = [], []
    with model.subscribe(lambda r: outer.append(r.week)) as first:
        model.run(weeks=2, progress=False)
        with model.subscribe(lambda r: inner.append(r.week)) as second:
            model.run(weeks=3, progress=False)
        assert not second.active and first.active
        model.run(weeks=1, progress=False)
    assert not first.active
    model.run(weeks=1, progress=False)
    assert outer == [0, 1, 2, 3, 4, 5]
    assert inner == [2, 3, 4]
    second.cancel()  # twice is harmless


def test_purchase_log_and_failure_table_can_watch_the_same_weeks():
    """Both tools observe the model; nested, each gets what it would get alone."""
    model = CRMModel(n_customers=500, rng=2)
    run_with_transactions(model, weeks=10)
    with model.subscribe(lambda report: None):
        failures = run_recording_failures(model, weeks=30)
    alone = CRMModel(n_customers=500, rng=2)
    alone.run(weeks=10, progress=False)
    pd.testing.assert_frame_equal(failures, run_recording_failures(alone, weeks=30))
    log = transactions(model, start=None)  # it kept recording through the failure table's weeks
    assert int(log["date"].max()) == 39
    assert np.isclose(log["amount"].sum(), model.frame["revenue"].sum())
    assert len(model.history.for_customer(int(log["customer_id"].iloc[0]))) > 0


def test_a_report_names_its_kinds_and_refuses_unknown_ones():
    model = CRMModel(n_customers=100, history=False, rng=1)
    seen: list[WeekReport] = []
    with model.subscribe(seen.append):
        model.run(weeks=1, progress=False)
    report = seen[0]
    for kind in EVENT_KINDS:
        assert len(report.who(kind)) == len(report.detail(kind))
    with pytest.raises(ValueError, match="event kind must be one of"):
        report.who("bought")


def test_an_observer_must_be_callable():
    with pytest.raises(ValueError, match="observer must be callable"):
        CRMModel(n_customers=10, rng=1).subscribe("history")
