"""Churn as the course defines it: lost of those present at the start, over that start."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel, Policy
from crmsim.analysis import churn_rate, net_growth, period_churn


def test_the_courses_telecom_example():
    # 17 million at the start of the quarter, 680,000 joined, 170,000 left
    assert churn_rate(start=17_000_000, lost=170_000) == pytest.approx(0.01)
    assert net_growth(start=17_000_000, joined=680_000, lost=170_000) == pytest.approx(0.03)
    # without churn the base would have grown 4 %
    assert net_growth(start=17_000_000, joined=680_000, lost=0) == pytest.approx(0.04)


@pytest.mark.parametrize(
    ("start", "lost", "message"),
    [
        (0, 0, "start must be > 0"),
        (100, 101, "cannot exceed start"),
        (-5, 1, "start must be >= 0"),
        (100, -1, "lost must be >= 0"),
        (float("nan"), 1, "finite"),
        ("100", 1, "finite number"),
        (True, 0, "finite number"),
    ],
)
def test_bad_counts_raise_clear_errors(start, lost, message):
    with pytest.raises(ValueError, match=message):
        churn_rate(start=start, lost=lost)


def test_period_churn_counts_only_customers_present_at_the_periods_start():
    model = CRMModel(n_customers=1_500, policy=Policy(win_back=0.3), rng=5)
    model.run(weeks=52)
    frame, losses = model.frame, model.losses
    table = period_churn(frame, weeks=13)
    assert list(table["period"]) == [0, 1, 2, 3]
    for _, row in table.iterrows():
        a = row["first_week"]
        # by hand: customers active at the start of week a who left during the period
        in_period = losses[(losses["week"] >= a) & (losses["week"] < a + 13)]
        present = in_period[in_period["spell_start"] < a]
        assert row["lost"] == present["customer"].nunique()
        assert row["start"] == frame.loc[frame["week"] == a, "active_start"].item()
        assert row["lost"] <= row["start"]
        if row["start"]:
            assert row["churn"] == pytest.approx(row["lost"] / row["start"])
    # the period's own newcomers who left are not churn: all losses >= churn losses
    assert table["lost"].sum() <= frame["lost"].iloc[: 4 * 13].sum()
    assert (table["end"].iloc[:-1].to_numpy() == table["start"].iloc[1:].to_numpy()).all()


def test_period_churn_needs_the_loss_log():
    model = CRMModel(n_customers=100, rng=1)
    model.run(weeks=13)
    bare = pd.DataFrame(model.frame.to_dict("list"))
    with pytest.raises(ValueError, match="losses=model.losses"):
        period_churn(bare, weeks=13)
    assert len(period_churn(bare, weeks=13, losses=model.losses)) == 1
    with pytest.raises(ValueError, match="weeks must be an integer >= 1"):
        period_churn(model.frame, weeks=0)
    with pytest.raises(ValueError, match="lacks the column"):
        period_churn(pd.DataFrame({"week": [0]}), weeks=1)


def test_weekly_churn_rate_column_follows_the_same_definition():
    model = CRMModel(n_customers=800, rng=2)
    model.run(weeks=40)
    f = model.frame
    expected = np.where(f["active_start"] > 0, f["lost_from_start"] / f["active_start"].clip(1), 0)
    np.testing.assert_allclose(f["churn_rate"], expected)


def test_the_weekly_frame_merges_and_concatenates_like_any_frame():
    model = CRMModel(n_customers=200, rng=1)
    model.run(weeks=13)
    frame = model.frame
    both = pd.concat([frame, model.frame])
    merged = frame.merge(frame[["week", "active"]], on="week", suffixes=("", "_again"))
    assert len(both) == 26 and (merged["active"] == merged["active_again"]).all()
    assert len(period_churn(frame.copy(), weeks=13)) == 1
