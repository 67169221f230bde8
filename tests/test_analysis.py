"""Churn as the course defines it: lost of those present at the start, over that start."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel, Policy, Tier
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


def test_hazard_by_tenure_counts_departures_over_customer_weeks_at_risk():
    from crmsim.analysis import hazard_by_tenure

    # three spells ended at ages 1, 5 and 60; two still run, at ages 2 and 99 after 100 weeks
    losses = pd.DataFrame({"week": [11, 25, 70], "spell_start": [10, 20, 10]})
    table = hazard_by_tenure(losses, np.array([97, 0]), weeks_run=100)
    # ages 0-3: at risk 5 + 5 + 4 (ages 0, 1, 2 for the one at 2; 4 for the long ones)...
    last_ages = np.array([1, 5, 60, 2, 99])
    at_risk = [
        sum(min(a, stop - 1) - start + 1 for a in last_ages if a >= start)
        for start, stop in [(0, 4), (4, 13), (13, 26), (26, 52), (52, 10_000)]
    ]
    assert table["at_risk"].tolist() == at_risk
    assert table["left"].tolist() == [1, 1, 0, 0, 1]
    np.testing.assert_allclose(table["hazard"], np.array([1, 1, 0, 0, 1]) / at_risk)


def test_expected_future_weeks_is_the_geometric_sum_under_a_constant_hazard():
    from crmsim.analysis import expected_future_weeks

    hazard = 0.02
    table = pd.DataFrame({"from_week": [0, 4, 13, 26, 52], "hazard": [hazard] * 5})
    keep = (1.1 ** (-1 / 52)) * (1 - hazard)
    expected = keep / (1 - keep)
    np.testing.assert_allclose(expected_future_weeks(np.array([0, 10, 300]), table), expected)
    # without discounting and without leaving a customer would be worth forever: finite
    # only because a rate is given; a higher rate is worth less
    assert expected_future_weeks(np.array([0]), table, annual_rate=0.3)[0] < expected


def test_longer_relationships_are_worth_more_when_early_customers_leave_more():
    from crmsim.analysis import expected_future_weeks

    table = pd.DataFrame(
        {"from_week": [0, 4, 13, 26, 52], "hazard": [0.1, 0.05, 0.02, 0.01, 0.005]}
    )
    weeks = expected_future_weeks(np.array([0, 5, 20, 40, 200]), table)
    assert (np.diff(weeks) > 0).all()


def test_customer_equity_rises_with_better_service():
    """Better service keeps customers longer and gets them buying more: more equity.

    Paired seeds; five replications of 600 customers over a year. The difference is large
    (measured: about four times the equity at 0.9 against 0.5), so the check is one-sided.
    """
    from crmsim.analysis import customer_equity

    def equity(quality: float, seed: int) -> float:
        model = CRMModel(n_customers=600, policy=Policy(service_quality=quality), rng=seed)
        model.run(weeks=52, progress=False)
        return customer_equity(model)["equity"]

    better = [equity(0.9, seed) - equity(0.5, seed) for seed in range(5)]
    assert np.mean(better) > 0


def test_customer_equity_needs_a_run_and_a_sane_rate():
    from crmsim.analysis import customer_equity

    model = CRMModel(n_customers=50, rng=1)
    with pytest.raises(ValueError, match="has not run yet"):
        customer_equity(model)
    model.run(weeks=2, progress=False)
    with pytest.raises(ValueError, match=r"annual_rate must be in \[0.0, 10.0\]"):
        customer_equity(model, annual_rate=-0.1)


def test_customer_equity_counts_the_gifts_loyal_customers_go_on_getting():
    from crmsim.analysis import customer_equity, expected_future_weeks, hazard_by_tenure

    model = CRMModel(n_customers=800, policy=Policy(gift_value=6.0, gift_every=3), rng=4)
    model.run(weeks=60, progress=False)
    with_gifts = customer_equity(model)["equity"]
    model.policy = model.policy.replace(gift_value=0.0)
    without = customer_equity(model)["equity"]
    s = model.state
    rows = s.active_indices()
    weeks = expected_future_weeks(
        model.week - 1 - s.spell_start[rows],
        hazard_by_tenure(model.losses, s.spell_start[rows], model.week),
    )
    loyal = s.tier[rows] >= Tier.LOYAL
    assert loyal.sum() > 20
    assert without - with_gifts == pytest.approx((6.0 / 3) * weeks[loyal].sum())
