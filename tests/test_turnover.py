"""An open market: people leave the category and newcomers take their places."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import make_customers, make_model, week_of

from crmsim import CRMModel, Market, Stage, Tier, analysis
from crmsim.state import COLUMNS
from crmsim.trials import first_purchases
from crmsim.turnover import people_come_and_go
from crmsim.winback import former_customers_reconsider


def test_a_closed_market_draws_nothing_and_renews_nobody():
    model = CRMModel(n_customers=300, market=Market(category_turnover=0.0), rng=4)
    before = model.rng.bit_generator.state
    week = week_of(model)
    people_come_and_go(model.state, week)
    assert model.rng.bit_generator.state == before
    assert not week.events and not week.departures


def test_leavers_are_replaced_by_newcomers_who_have_not_heard_of_the_firm():
    model = make_model(n=2_000, market=Market(category_turnover=0.05), rng=3)
    s = model.state
    make_customers(model, np.arange(1_000))
    s.trust_knowledge[:1_000] = 0.7
    s.commitment[:1_000] = 0.6
    s.purchases[:1_000] = 5
    s.purchase_window[:, :1_000] = 1
    traits_before = s.price_sensitivity.copy()
    contacts_before = s.active_contacts.copy()
    week = week_of(model, index=9)
    people_come_and_go(s, week)

    moved = week.events[-1].who
    assert week.events[-1].kind == "moved"
    assert 50 < len(moved) < 150  # 5 % of 2,000, give or take four standard deviations
    for name, (_dtype, initial, _meaning) in COLUMNS.items():
        if name in {"counted_active", "active_contacts"}:
            continue  # the place in the network stays
        if name in {"segment", "price_sensitivity", "quality_sensitivity", "values_fit",
                    "sociability", "purchase_rate", "channel", "churn_proneness"}:  # fmt: skip
            continue  # drawn afresh
        assert (getattr(s, name)[moved] == initial).all(), name
    assert (s.stage[moved] == Stage.UNAWARE).all() and (s.tier[moved] == Tier.PROSPECT).all()
    assert not s.purchase_window[:, moved].any()
    assert (s.price_sensitivity[moved] != traits_before[moved]).mean() > 0.99
    np.testing.assert_array_equal(s.active_contacts, contacts_before)
    stayed = np.setdiff1d(np.arange(2_000), moved)
    assert (s.commitment[stayed[stayed < 1_000]] == 0.6).all()


def test_customers_who_leave_the_category_are_lost_with_the_cause_moved():
    model = make_model(n=2_000, market=Market(category_turnover=0.05), rng=5)
    make_customers(model, np.arange(800))
    model.state.spell_start[:800] = 2
    week = week_of(model, index=9)
    people_come_and_go(model.state, week)
    moved = week.events[-1].who
    customers = moved[moved < 800]
    assert week.tally["lost"] == week.tally["lost_moved"] == len(customers) > 0
    (departed,) = week.departures
    np.testing.assert_array_equal(departed.who, customers)
    assert (departed.spell_start == 2).all()  # as they were, not the newcomer's -1
    left = [e for e in week.events if e.kind == "left"]
    assert len(left) == 1 and np.array_equal(left[0].who, customers)


def test_an_open_market_keeps_the_loss_log_and_the_frame_in_step():
    model = CRMModel(n_customers=1_000, market=Market(category_turnover=0.01), rng=2)
    model.run(weeks=80, progress=False)
    frame, losses = model.frame, model.losses
    assert frame["lost_moved"].sum() > 20
    assert (losses["cause"] == "moved").sum() == frame["lost_moved"].sum()
    assert len(losses) == frame["lost"].sum()
    assert (losses["spell_start"] >= 0).all() and (losses["spell_start"] <= losses["week"]).all()
    stages = frame[["unaware", "awareness", "exploration", "expansion", "commitment",
                    "dissolution"]].sum(axis=1)  # fmt: skip
    assert (stages == 1_000).all()  # everyone in exactly one stage, newcomers included
    assert not frame.isna().any().any()


def test_an_open_market_renews_the_prospects_a_closed_one_runs_out_of():
    """After six years a closed market has almost nobody left to win; an open one has.

    Five paired seeds; the difference is large (hundreds of people), so the check is one-sided.
    """

    def unaware_at_the_end(turnover: float, seed: int) -> int:
        model = CRMModel(n_customers=800, market=Market(category_turnover=turnover), rng=seed)
        model.run(weeks=312, progress=False)
        return int(model.frame["unaware"].iloc[-1] + model.frame["awareness"].iloc[-1])

    gains = [unaware_at_the_end(0.004, s) - unaware_at_the_end(0.0, s) for s in range(5)]
    assert min(gains) > 0


def test_category_turnover_is_checked():
    with pytest.raises(ValueError, match=r"Market.category_turnover must be in \[0.0, 0.05\]"):
        Market(category_turnover=0.2)


def test_the_same_seed_gives_the_same_open_market():
    runs = []
    for _ in range(2):
        model = CRMModel(n_customers=400, market=Market(category_turnover=0.01), rng=11)
        model.run(weeks=40, progress=False)
        runs.append(model.frame)
    pd.testing.assert_frame_equal(*runs)


# ---------------------------------------------------------------------------- reconsideration
def test_former_customers_reconsider_once_their_anger_has_passed():
    model = make_model(n=3_000, market=Market(reconsideration=0.3), rng=7)
    s = model.state
    s.stage[:] = Stage.DISSOLUTION
    s.lost_week[:] = 2
    s.lost_week[:500] = 9  # left this very week: not yet
    s.anger_left[500:1_000] = 3  # still angry: not yet
    week = week_of(model, index=9)
    former_customers_reconsider(s, week)
    again = np.flatnonzero(s.stage == Stage.AWARENESS)
    assert again.min() >= 1_000
    assert 0.25 * 2_000 < len(again) < 0.35 * 2_000  # the weekly chance, give or take
    assert [e.kind for e in week.events] == ["reconsidered"]


def test_a_returning_customer_is_counted_as_returned_and_keeps_their_first_purchase():
    model = make_model(n=2_000, market=Market(trial_rate=1.0), rng=3)
    s = model.state
    s.stage[:] = Stage.AWARENESS
    s.first_purchase_week[:1_000] = 4  # former customers who reconsidered
    week = week_of(model, index=30)
    first_purchases(s, week)
    bought = s.stage == Stage.EXPLORATION
    assert week.tally["returned"] == np.count_nonzero(bought[:1_000]) > 0
    assert week.tally["acquired"] == np.count_nonzero(bought[1_000:]) > 0
    assert (s.first_purchase_week[:1_000] == 4).all()
    assert (s.first_purchase_week[1_000:][bought[1_000:]] == 30).all()
    assert (s.spell_start[bought] == 30).all()  # a new relationship either way


def test_without_reconsideration_former_customers_stay_gone():
    model = make_model(n=500, market=Market(reconsideration=0.0), rng=7)
    model.state.stage[:] = Stage.DISSOLUTION
    model.state.lost_week[:] = 0
    before = model.rng.bit_generator.state
    former_customers_reconsider(model.state, week_of(model, index=5))
    assert (model.state.stage == Stage.DISSOLUTION).all()
    assert model.rng.bit_generator.state == before


def test_returns_keep_the_open_market_going():
    """Six years, five paired seeds: with reconsideration the base stays far larger late on.

    Measured: the base of the sixth year is 1.47-1.64 times as large with returns as without.
    """

    def active_late(rate: float, seed: int) -> float:
        market = Market(category_turnover=0.0017, reconsideration=rate)
        model = CRMModel(n_customers=800, market=market, rng=seed, history=False)
        model.run(weeks=312, progress=False)
        frame = model.frame
        assert frame["returned"].sum() > 0 if rate else frame["returned"].sum() == 0
        return float(frame["active"].iloc[-52:].mean())

    gains = [active_late(0.02, s) / active_late(0.0, s) for s in range(5)]
    assert min(gains) > 1.3


def test_the_purchase_log_gives_a_newcomer_a_new_id_and_never_a_negative_amount():
    model = CRMModel(n_customers=300, market=Market(category_turnover=0.03), rng=5)
    log = analysis.run_with_transactions(model, weeks=40, start=None)
    assert set(log["amount"]) == {model.market.price}
    assert np.isclose(log["amount"].sum(), model.frame["revenue"].sum())
    newcomers = log[log["customer_id"] >= 300]
    assert len(newcomers) > 0
    # one id is one person: nobody buys twice in a week, and every id buys in one life only
    assert not log.duplicated(["customer_id", "date"]).any()


def test_cohort_curves_count_movers_as_gone_and_their_newcomers_as_new_customers():
    model = CRMModel(n_customers=800, market=Market(category_turnover=0.02), rng=2)
    log = analysis.run_with_transactions(model, weeks=60, start=None)
    curves = analysis.cohort_retention(model, cohort_weeks=13)
    # everyone who ever bought is in exactly one cohort, movers and newcomers alike
    assert sum(curves.attrs["sizes"].values()) == log["customer_id"].nunique()
    losses = model.losses
    assert (losses["cause"] == "moved").sum() > 0
    assert (losses["first_purchase"] <= losses["spell_start"]).all()


# ------------------------------------------------------------------ movers who keep the firm
@pytest.mark.parametrize("streams", ["sequential", "keyed"])
def test_a_mover_loss_of_one_draws_nothing_more(streams, monkeypatch):
    """With mover_loss 1 every moving customer is lost and no keep draw is made, so such a
    run draws what a model without the rule draws; below 1 the keep draw is made."""
    import crmsim.week

    sites: list[str] = []
    luck = crmsim.week.Week.luck

    def recording_luck(self, site, rows):
        sites.append(site)
        return luck(self, site, rows)

    monkeypatch.setattr(crmsim.week.Week, "luck", recording_luck)
    for mover_loss, drawn in ((1.0, False), (0.5, True)):
        sites.clear()
        market = Market(category_turnover=0.01, mover_loss=mover_loss)
        model = CRMModel(n_customers=600, market=market, rng=7, history=False, streams=streams)
        model.run(40, progress=False)
        assert ("mover-stays" in sites) is drawn
        assert model.frame["lost_moved"].sum() > 0


def _leave_the_market_without_the_keep_rule(self) -> None:
    """The reference's turnover as it would be without ``mover_loss``: every mover lost."""
    model = self.model
    if self.random.random() >= model.market.category_turnover:
        return
    if self.is_active:
        self.leave("moved")
    model.move(self, Stage.UNAWARE)
    model.speakers.pop(self, None)
    self._draw_traits(model.population)
    self._start_afresh()


def test_the_reference_with_a_mover_loss_of_one_is_the_reference_without_the_rule(monkeypatch):
    from crmsim.reference import ReferenceCustomer, ReferenceModel

    market = Market(category_turnover=0.01, mover_loss=1.0)
    frames = []
    for patch in (False, True):
        if patch:
            monkeypatch.setattr(
                ReferenceCustomer, "maybe_leave_the_market", _leave_the_market_without_the_keep_rule
            )
        model = ReferenceModel(n_customers=300, market=market, rng=7)
        model.run(20, progress=False)
        frames.append(model.frame)
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
    assert frames[0]["lost_moved"].sum() > 0


def test_movers_who_keep_the_firm_stay_customers_and_are_not_replaced():
    model = make_model(n=2_000, market=Market(category_turnover=0.05, mover_loss=0.0), rng=3)
    s = model.state
    make_customers(model, np.arange(1_000))
    traits = s.price_sensitivity.copy()
    week = week_of(model)
    people_come_and_go(s, week)
    # every customer keeps the firm; only non-customers moved and were replaced
    assert s.active_mask()[:1_000].all()
    assert not week.departures
    np.testing.assert_array_equal(s.price_sensitivity[:1_000], traits[:1_000])
    assert (s.price_sensitivity[1_000:] != traits[1_000:]).sum() > 20


def test_half_the_moving_customers_are_lost_at_mover_loss_one_half():
    lost = {}
    for loss in (1.0, 0.5):
        market = Market(category_turnover=0.05, mover_loss=loss)
        model = make_model(n=4_000, market=market, rng=9)
        make_customers(model, np.arange(4_000))
        people_come_and_go(model.state, week_of(model))
        lost[loss] = 4_000 - int(model.state.active_mask().sum())
    assert 140 < lost[1.0] < 260
    assert 0.35 < lost[0.5] / lost[1.0] < 0.65


@pytest.mark.parametrize("bad", [-0.1, 1.5, "most", None])
def test_mover_loss_is_checked(bad):
    with pytest.raises(ValueError, match=r"Market.mover_loss") as caught:
        Market(mover_loss=bad)
    assert "\n" not in str(caught.value)
