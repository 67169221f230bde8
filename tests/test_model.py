"""The whole model: invariants after every week, determinism, the weekly frame, customer views."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap

import mesa
import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel, Customer, Policy, Stage, Tier, scenarios
from crmsim.model import FORMER_COLUMNS, FRAME_COLUMNS, STAGE_COLUMNS, TIER_COLUMNS
from crmsim.stages import CHURN_CAUSES
from crmsim.state import COLUMNS

REQUIRED_COLUMNS = {
    "week", "active", "acquired", "lost", "won_back", "churn_rate",
    "unaware", "awareness", "exploration", "expansion", "commitment", "dissolution",
    "prospect", "actual", "loyal", "marketer", "former_actual", "former_loyal", "former_marketer",
    "trust_calculus", "trust_knowledge", "trust_identification", "commitment_mean", "satisfaction",
    "failures", "complaints", "recovered", "referrals", "negative_wom",
    "revenue", "cost", "profit",
    "lost_competitor", "lost_failure", "lost_disrespect", "lost_drift",
}  # fmt: skip


def check_invariants(model: CRMModel, row: pd.Series) -> None:
    s = model.state
    n = model.n_customers
    active = s.active_mask()
    # every customer in exactly one stage and one tier, and the counts add up
    assert s.stage.min() >= 0 and s.stage.max() < len(Stage)
    assert s.tier.min() >= 0 and s.tier.max() < len(Tier)
    assert sum(row[c] for c in STAGE_COLUMNS) == n
    # everyone once in the tier columns: customers by their tier, the rest by the highest
    # tier they reached (prospect: never bought)
    assert sum(row[c] for c in (*TIER_COLUMNS, *FORMER_COLUMNS)) == n
    for tier in (Tier.ACTUAL, Tier.LOYAL, Tier.MARKETER):
        name = tier.name.lower()
        assert row[name] == np.count_nonzero(active & (s.tier == tier)), name
        assert row[f"former_{name}"] == np.count_nonzero(~active & (s.highest_tier == tier))
    assert row["prospect"] == np.count_nonzero(~active & (s.highest_tier == Tier.PROSPECT))
    # the highest tier is never below the tier held, and only buyers have held a tier
    assert (s.highest_tier >= s.tier).all()
    assert ((s.highest_tier >= Tier.ACTUAL) == (s.first_purchase_week >= 0)).all()
    # loyalty and marketing only past exploration; a marketer has brought a customer
    explorers = active & (s.stage == Stage.EXPLORATION)
    assert (s.tier[explorers] == Tier.ACTUAL).all()
    assert (s.referrals_made[active & (s.tier == Tier.MARKETER)] >= 1).all()
    assert (
        row["active"] == active.sum() == row["exploration"] + row["expansion"] + row["commitment"]
    )
    assert row["active"] == (
        row["active_start"] + row["acquired"] + row["won_back"] + row["returned"] - row["lost"]
    )
    assert row["lost"] == sum(row[f"lost_{c}"] for c in CHURN_CAUSES)
    # buyers hold a customer tier; everyone else is a prospect
    assert (s.tier[active] >= Tier.ACTUAL).all()
    assert (s.tier[~active] == Tier.PROSPECT).all()
    for name in ("trust_calculus", "trust_knowledge", "trust_identification", "commitment",
                 "switching_cost", "goodwill"):  # fmt: skip
        values = getattr(s, name)
        assert ((values >= 0) & (values <= 1)).all(), name
    assert ((s.satisfaction >= -1) & (s.satisfaction <= 1)).all()
    for name, (dtype, _, _) in COLUMNS.items():
        if np.issubdtype(dtype, np.floating):
            assert np.isfinite(getattr(s, name)).all(), name
    assert np.isfinite(row.drop("week").astype(float)).all()
    assert 0 <= row["churn_rate"] <= 1
    assert row["recovered"] <= row["complaints"] <= row["failures"]
    assert row["profit"] == pytest.approx(row["revenue"] - row["cost"])


@pytest.mark.parametrize("scenario", ["baseline", "opening_discount", "customer_centric"])
@pytest.mark.parametrize("network", ["small-world", "scale-free", "well-mixed"])
def test_invariants_hold_after_every_week(scenario, network):
    kwargs = scenarios.load(scenario).kwargs | {"n_customers": 600}
    policy = kwargs["policy"].replace(win_back=0.3)
    kwargs["policy"] = policy
    model = CRMModel(network=network, rng=11, **kwargs)
    for _ in range(60):
        model.step()
        check_invariants(model, model.frame.iloc[-1])


def test_frame_has_one_row_per_week_and_every_documented_column():
    model = CRMModel(n_customers=300, rng=3)
    model.run(weeks=20)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 20
    assert list(frame["week"]) == list(range(20))
    assert set(frame.columns) >= REQUIRED_COLUMNS
    assert list(frame.columns) == list(FRAME_COLUMNS)


def test_run_and_mesa_run_for_are_the_same_thing():
    a = CRMModel(n_customers=300, rng=5)
    a.run(weeks=15)
    b = CRMModel(n_customers=300, rng=5)
    b.run_for(15)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert b.time == 15


def test_same_seed_gives_the_same_frame_and_another_seed_does_not():
    def frame(seed):
        model = CRMModel(n_customers=500, policy=Policy(win_back=0.2), rng=seed)
        model.run(weeks=40)
        return model.frame

    pd.testing.assert_frame_equal(frame(7), frame(7))
    assert not frame(7).equals(frame(8))


def _frame_digest(seed: int) -> str:
    model = CRMModel(n_customers=400, network="scale-free", rng=seed)
    model.run(weeks=30, progress=False)
    return hashlib.sha256(model.frame.to_csv().encode()).hexdigest()


def test_same_seed_gives_the_same_frame_in_another_process():
    code = textwrap.dedent(
        """
        import hashlib
        from crmsim import CRMModel
        model = CRMModel(n_customers=400, network="scale-free", rng=21)
        model.run(weeks=30, progress=False)
        print(hashlib.sha256(model.frame.to_csv().encode()).hexdigest())
        """
    )
    # a different hash seed proves nothing depends on Python's set/dict ordering of strings
    env = {"PYTHONHASHSEED": "12345"}
    import os

    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=os.environ | env,
        check=True,
    )
    assert out.stdout.strip() == _frame_digest(21)


def test_customers_are_mesa_agents_viewing_their_row():
    model = CRMModel(n_customers=200, rng=2)
    model.run(weeks=30)
    assert len(model.customers) == 200
    assert all(isinstance(c, Customer) for c in model.customers)
    someone = next(i for i in range(200) if model.state.stage[i] >= Stage.EXPLORATION)
    c = model.customer(someone)
    assert c.stage == Stage(model.state.stage[someone])
    assert c.trust_calculus == model.state.trust_calculus[someone]
    assert c.purchases == model.state.purchases[someone] > 0
    assert 0 <= c.trust <= 1
    assert c.segment in model.population.segment_names
    assert c.channel in ("phone", "face-to-face", "email", "letter")
    assert "first purchase" in " ".join(c.history)
    assert any("bought and was served" in line for line in c.history)
    with pytest.raises(AttributeError):
        _ = c.no_such_thing


def test_history_tells_why_a_customer_left():
    model = CRMModel(n_customers=500, rng=4)
    model.run(weeks=80)
    gone = np.flatnonzero(model.state.stage == Stage.DISSOLUTION)
    assert len(gone) > 0
    c = model.customer(int(gone[0]))
    assert any(f"left ({c.churn_cause})" in line for line in c.history)
    assert any("stage" in line and "-> dissolution" in line for line in c.history)


def test_large_runs_skip_agents_and_history_but_views_come_on_demand():
    model = CRMModel(n_customers=20_000, rng=1)
    model.run(weeks=2, progress=False)
    assert len(model.agents) == 0
    c = model.customer(12_345)
    assert c.stage == Stage(model.state.stage[12_345])
    assert len(model.agents) == 1
    with pytest.raises(ValueError, match="history=True"):
        _ = c.history


def test_losses_log_matches_the_frame():
    model = CRMModel(n_customers=800, rng=9)
    model.run(weeks=50)
    losses, frame = model.losses, model.frame
    assert len(losses) == frame["lost"].sum()
    per_week = losses.groupby("week").size().reindex(frame["week"], fill_value=0)
    np.testing.assert_array_equal(per_week.to_numpy(), frame["lost"].to_numpy())
    assert set(losses["cause"].cat.categories) == set(CHURN_CAUSES)
    assert set(CHURN_CAUSES) == {"competitor", "failure", "disrespect", "drift", "moved"}
    assert (losses["spell_start"] <= losses["week"]).all()
    # the course's churn counts only those who were customers when the week began
    from_start = losses[losses["spell_start"] < losses["week"]]
    per_week = from_start.groupby("week").size().reindex(frame["week"], fill_value=0)
    np.testing.assert_array_equal(per_week.to_numpy(), frame["lost_from_start"].to_numpy())
    assert (frame["lost_from_start"] < frame["lost"]).any()  # some joined and left in a week


def test_class_sized_runs_show_every_customer_as_an_agent_in_row_order():
    model = CRMModel(n_customers=150, rng=4)
    model.run(weeks=5, progress=False)
    # asking for one customer first must not change the order the agents are listed in
    assert model.customer(7).index == 7
    assert [agent.index for agent in model.agents] == list(range(150))
    assert len(model.agents_by_type[Customer]) == 150
    assert model.agent_types == [Customer]


def test_reading_the_frame_mid_run_does_not_disturb_later_weeks():
    whole = CRMModel(n_customers=400, rng=12)
    whole.run(weeks=20, progress=False)
    pieces = CRMModel(n_customers=400, rng=12)
    pieces.run(weeks=7, progress=False)
    early = pieces.frame
    assert len(early) == 7
    held = pieces.datacollector.model_vars["week"]
    assert len(held) == 7
    pieces.run(weeks=13, progress=False)
    assert len(held) == 20  # a column someone holds on to grows with the run
    pd.testing.assert_frame_equal(pieces.frame, whole.frame)
    pd.testing.assert_frame_equal(early, whole.frame.iloc[:7])


def test_loss_log_columns_are_integers_even_when_nobody_left():
    model = CRMModel(n_customers=50, rng=1)
    losses = model.losses
    assert list(losses.columns) == ["week", "customer", "spell_start", "cause", "first_purchase"]
    assert len(losses) == 0
    assert [str(losses[c].dtype) for c in ("week", "customer", "spell_start")] == ["int64"] * 3


def test_removing_all_agents_removes_the_customers_views_too():
    model = CRMModel(n_customers=60, rng=2)
    model.remove_all_agents()
    assert len(model.agents) == 0
    assert model.customer(5).index == 5  # views still come on demand
    assert len(model.agents) == 1


def test_mesa_batch_run_collects_every_week_of_a_crm_model():
    results = mesa.batch_run(
        CRMModel,
        parameters={"n_customers": [150, 250]},
        rng=[3],
        max_steps=4,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert sorted(frame["n_customers"].unique()) == [150, 250]
    assert len(frame) == 2 * 4
    single = CRMModel(n_customers=150, rng=3)
    single.run(4, progress=False)
    mine = frame[frame["n_customers"] == 150].sort_values("Step")
    np.testing.assert_array_equal(mine["active"].to_numpy(), single.frame["active"].to_numpy())


def test_a_customer_view_writes_through_to_the_state():
    model = CRMModel(n_customers=100, rng=3)
    customer = model.customer(3)
    customer.commitment = 0.9
    customer.stage = Stage.EXPANSION
    customer.tenure = 12
    customer.angry = True
    s = model.state
    assert (s.commitment[3], s.stage[3], s.tenure[3], s.angry[3]) == (0.9, 3, 12, True)
    assert model.customer(3).commitment == 0.9


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("trust", 0.5, "Customer.trust cannot be set"),
        ("segment", 0, "Customer.segment cannot be set"),
        ("churn_cause", "drift", "Customer.churn_cause cannot be set"),
        ("stage", 9, "Customer.stage must be a Stage"),
        ("tier", "loyal", "Customer.tier must be a Tier"),
        ("tenure", 2.5, "Customer.tenure must be an integer"),
        ("angry", 1, "Customer.angry must be True or False"),
        ("commitment", float("nan"), "Customer.commitment must be a finite number"),
        ("commitment", "high", "Customer.commitment must be a finite number"),
    ],
)
def test_a_customer_view_refuses_writes_it_cannot_make(field, value, message):
    model = CRMModel(n_customers=20, rng=1)
    before = {name: getattr(model.state, name).copy() for name in model.state.columns}
    with pytest.raises((ValueError, AttributeError), match=message):
        setattr(model.customer(4), field, value)
    for name, column in before.items():
        np.testing.assert_array_equal(getattr(model.state, name), column)


def test_a_customer_has_the_same_id_whether_made_at_once_or_on_demand():
    eager = CRMModel(n_customers=500, history=True, rng=1)
    lazy = CRMModel(n_customers=500, history=False, rng=1)
    assert len(eager.agents) == 500 and len(lazy.agents) == 0
    assert [a.unique_id for a in eager.agents] == list(range(1, 501))
    assert lazy.customer(30).unique_id == 31 == eager.customer(30).unique_id
    assert len(lazy.agents) == 1  # asking for agents makes none
    assert [c.unique_id for c in lazy.customers] == list(range(1, 501))
