"""The tier ladder over whole runs, and how long customers take to climb it.

Loyalty needs a relationship past exploration and purchases sustained over the quarter; a
marketer has brought the firm a customer; a former customer is counted by the highest tier
they reached, not as a prospect; and the time to a tier counts every customer acquired,
those who never get there included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel, Stage, Tier, scenarios
from crmsim.analysis import tier_journeys, time_to_tier
from crmsim.frame import FORMER_COLUMNS, TIER_COLUMNS

WEEKS = 156


@pytest.fixture(scope="module", params=["baseline", "customer_centric"])
def class_run(request) -> tuple[CRMModel, list[str]]:
    """A class-sized run (2,000 people, three years), checked after every week.

    Returns the model and the weeks' broken ladder rules (empty when none broke).
    """
    model = CRMModel(**scenarios.load(request.param).kwargs, rng=3)
    s = model.state
    broken = []
    for _ in range(WEEKS):
        model.step()
        active = s.active_mask()
        explorers = active & (s.stage == Stage.EXPLORATION)
        if (s.tier[explorers] >= Tier.LOYAL).any():
            broken.append(f"week {model.week - 1}: a loyal customer or marketer in exploration")
        if (s.referrals_made[active & (s.tier == Tier.MARKETER)] < 1).any():
            broken.append(f"week {model.week - 1}: a marketer who has brought nobody")
    return model, broken


def test_nobody_is_loyal_or_a_marketer_in_exploration_nor_a_marketer_without_a_referral(
    class_run,
):
    model, broken = class_run
    assert broken == []
    frame = model.frame
    # the rules bind: the tiers are there to be reached
    assert frame["loyal"].iloc[-1] > 100 and frame["marketer"].iloc[-1] > 5


def test_every_person_is_counted_once_in_the_tier_and_former_columns(class_run):
    model, _ = class_run
    frame = model.frame
    counted = frame[[*TIER_COLUMNS, *FORMER_COLUMNS]].sum(axis=1)
    assert (counted == model.n_customers).all()
    # people who left and were not won back are former customers, not prospects
    assert frame["former_loyal"].iloc[-1] > 0 and frame["former_actual"].iloc[-1] > 0
    assert (frame["former_marketer"] >= 0).all()


def test_the_counts_remember_the_loyal_customers_the_firm_has_lost(class_run):
    """Rebuilt from the week's events alone: everyone who climbed to loyal or above, still in
    their row (no newcomer took it) and not a customer at the end is a former loyal
    customer or marketer in the last row of the frame."""
    model, _ = class_run
    highest: dict[int, int] = {}
    for _, event in model.history.events("climbed", "moved"):
        if event.kind == "moved":
            for row in event.who.tolist():
                highest.pop(row, None)
        else:
            for row in event.who.tolist():
                highest[row] = max(highest.get(row, 0), int(event.detail))
    active = model.state.active_mask()
    gone = {row: tier for row, tier in highest.items() if not active[row]}
    last = model.frame.iloc[-1]
    assert last["former_loyal"] == sum(t == Tier.LOYAL for t in gone.values())
    assert last["former_marketer"] == sum(t == Tier.MARKETER for t in gone.values())
    # and none of them is counted as a prospect, who never bought
    assert last["prospect"] == np.count_nonzero(model.state.first_purchase_week < 0)


@pytest.mark.parametrize("tier", ["loyal", "marketer"])
def test_time_to_tier_is_a_curve_of_shares_that_only_falls(class_run, tier):
    model, _ = class_run
    curve = time_to_tier(model, tier)
    for column in ("share_reached", "share_not_yet", "share_left", "share_climbing"):
        assert ((curve[column] >= 0) & (curve[column] <= 1)).all(), column
    assert curve["share_not_yet"].iloc[0] == 1.0  # nobody holds the tier at the first purchase
    assert curve["share_not_yet"].is_monotonic_decreasing
    assert curve["share_left"].is_monotonic_increasing
    parts = curve["share_reached"] + curve["share_left"] + curve["share_climbing"]
    assert np.allclose(parts, 1.0)
    assert curve.attrs["customers"] == int(model.frame["acquired"].sum())


@pytest.mark.parametrize("tier", ["loyal", "marketer"])
def test_time_to_tier_counts_the_customers_who_never_got_there(class_run, tier):
    """For customers acquired early enough to be followed for ``d`` weeks, the curve is the
    plain share of them who reached the tier within ``d`` weeks: those who left first and
    those still climbing count as not there."""
    model, _ = class_run
    # a year for loyalty; a year and a half for the marketer tier, which few reach in a year
    d = 52 if tier == "loyal" else 78
    cohort_end = model.week - d  # followed for at least d weeks
    curve = time_to_tier(model, tier, acquired_before=cohort_end)
    journeys = tier_journeys(model, tier)
    cohort = journeys[journeys["first_purchase"] < cohort_end]
    time = cohort["reached"] - cohort["first_purchase"]
    direct = np.mean((cohort["reached"] >= 0) & (time <= d))
    assert curve["share_reached"].loc[d] == pytest.approx(direct, abs=1e-12)
    left_first = np.mean((cohort["left"] >= 0) & (cohort["left"] - cohort["first_purchase"] <= d))
    assert curve["share_left"].loc[d] == pytest.approx(left_first, abs=1e-12)
    # far below the share among those who got there by then (all of them), since many do not
    assert direct < 0.95
    # censoring the leavers instead (Kaplan-Meier) would pretend they might still get there
    censored = 1 - np.cumprod(1 - curve["reached"] / curve["at_risk"])
    assert censored.loc[d] > curve["share_reached"].loc[d]


def test_the_journeys_agree_with_the_highest_tier_on_record(class_run):
    """A customer still in their first relationship has reached loyal in it exactly when
    their highest tier on record is loyal or above."""
    model, _ = class_run
    s = model.state
    journeys = tier_journeys(model, "loyal")
    assert (journeys["first_purchase"] >= 0).all()
    # the people in the rows now (a newcomer may have taken a row since)
    now = journeys.drop_duplicates("customer", keep="last")
    now = now[now["first_purchase"].to_numpy() == s.first_purchase_week[now["customer"]]]
    running = now[(now["left"] < 0) & s.active_mask()[now["customer"]]]
    running = running[s.spell_start[running["customer"]] == running["first_purchase"]]
    assert len(running) > 100
    reached = running["reached"] >= 0
    assert (reached == (s.highest_tier[running["customer"]] >= Tier.LOYAL)).all()
    # reached before leaving: the two weeks never both set
    assert not ((journeys["reached"] >= 0) & (journeys["left"] >= 0)).any()


def test_time_to_tier_is_the_same_for_the_same_seed_and_needs_the_history():
    def curve(seed: int) -> pd.DataFrame:
        model = CRMModel(n_customers=600, rng=seed)
        model.run(weeks=80, progress=False)
        return time_to_tier(model, "loyal")

    pd.testing.assert_frame_equal(curve(5), curve(5))
    assert not curve(5).equals(curve(6))
    quiet = CRMModel(n_customers=100, rng=1, history=False)
    quiet.run(weeks=5, progress=False)
    with pytest.raises(ValueError, match="history=True"):
        time_to_tier(quiet, "loyal")
    with pytest.raises(ValueError, match="tier must be one of"):
        time_to_tier(CRMModel(n_customers=10, rng=1), "actual")
    with pytest.raises(TypeError, match="CRMModel or its History"):
        time_to_tier(quiet.frame, "loyal")
