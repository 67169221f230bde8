"""The course's claims, shown by whole runs: each lever moves the outcome the way the lesson says.

Every check pools several seeded replications. Tolerances: each comparison asks for a
margin well below the effect measured when these tests were written (shown in each
test's comment) and several times larger than the spread between seeds, so a check
fails only if the mechanism itself changes.
"""

from __future__ import annotations

import numpy as np
from support import replicated_frames, weekly_churn

from crmsim import CRMModel, Market, Policy, Stage, scenarios

SEEDS = range(4)
CUSTOMER_CENTRIC = scenarios.load("customer_centric").policy


def test_raising_service_quality_lowers_churn():
    # measured: weekly churn 0.024 at quality 0.4 vs 0.006 at 0.9; seeds vary by +-0.002
    poor = weekly_churn(replicated_frames(SEEDS, 104, policy=Policy(service_quality=0.4)))
    good = weekly_churn(replicated_frames(SEEDS, 104, policy=Policy(service_quality=0.9)))
    assert good < 0.5 * poor


def test_raising_complaint_recovery_lowers_churn_from_failures():
    # measured: 42 % of failures end in a departure without recovery, 26 % with full recovery
    def departures_per_failure(recovery: float) -> float:
        frames = replicated_frames(SEEDS, 104, policy=Policy(recovery=recovery))
        return sum(f["lost_failure"].sum() for f in frames) / sum(
            f["failures"].sum() for f in frames
        )

    assert departures_per_failure(1.0) < departures_per_failure(0.0) - 0.08


def test_a_referral_reward_raises_referrals():
    # measured: about 170 referrals per run without a reward, 400 with a reward of one price
    def referrals(reward: float) -> list[int]:
        frames = replicated_frames(
            SEEDS, 104, policy=CUSTOMER_CENTRIC.replace(referral_reward=reward)
        )
        return [int(f["referrals"].sum()) for f in frames]

    without, with_reward = referrals(0.0), referrals(20.0)
    assert min(with_reward) > 1.5 * max(without)


def test_respect_lowers_leaving_for_disrespect():
    # measured per marketer-week: about 0.022 at respect 0.4, 0.001 at respect 0.9
    def disrespect_rate(respect: float) -> float:
        frames = replicated_frames(SEEDS, 156, policy=CUSTOMER_CENTRIC.replace(respect=respect))
        lost = sum(f["lost_disrespect"].sum() for f in frames)
        marketer_weeks = sum(f["marketer"].sum() for f in frames)
        return lost / marketer_weeks

    assert disrespect_rate(0.9) < 0.25 * disrespect_rate(0.4)


def _share_of_opening_cohort_lost(name: str, seeds) -> float:
    """Of the customers won in the first eight weeks, the share lost in weeks 8-39."""
    cohort_size = lost = 0
    for seed in seeds:
        model = CRMModel(**scenarios.load(name).kwargs, rng=seed, history=False)
        model.run(40, progress=False)
        first = model.state.first_purchase_week
        cohort = np.flatnonzero((first >= 0) & (first < 8))
        losses = model.losses
        gone = losses[
            losses["customer"].isin(cohort) & (losses["week"] >= 8) & (losses["spell_start"] < 8)
        ]
        cohort_size += len(cohort)
        lost += gone["customer"].nunique()
    return lost / cohort_size


def test_customers_won_by_an_opening_discount_leave_more_once_it_ends():
    # measured over six seeds: 32 % of the opening cohort lost vs 20 % with a lasting discount
    seeds = range(6)
    opening = _share_of_opening_cohort_lost("opening_discount", seeds)
    lasting = _share_of_opening_cohort_lost("lasting_discount", seeds)
    assert opening > lasting + 0.03


def test_calculus_trust_dominates_early_and_identification_grows_over_a_good_relationship():
    model = CRMModel(**scenarios.load("customer_centric").kwargs, rng=3)
    model.run(156, progress=False)
    frame = model.frame
    early = frame.loc[10]
    assert early["trust_calculus"] > early["trust_knowledge"] > early["trust_identification"]
    # measured: mean identification trust 0.00 at week 10, about 0.45 at week 155
    assert frame.loc[155, "trust_identification"] > frame.loc[60, "trust_identification"] + 0.2
    s = model.state
    active = s.active_mask()
    newcomers = active & (s.tenure < 30)
    veterans = active & (s.tenure >= 100)
    assert s.trust_identification[veterans].mean() > s.trust_identification[newcomers].mean() + 0.3


def test_a_disrespected_marketer_leaves_and_their_neighbours_hear_about_it():
    # a whole run: wherever a marketer left for disrespect, they did not fall back to loyal
    model = CRMModel(
        **(scenarios.load("customer_centric").kwargs | {"n_customers": 1_500}),
        rng=2,
    )
    model.policy = model.policy.replace(respect=0.3)
    model.run(156, progress=False)
    losses = model.losses
    disrespected = losses.loc[losses["cause"] == "disrespect", "customer"].unique()
    assert len(disrespected) > 0
    for who in disrespected[:20]:
        history = model.customer(int(who)).history
        left_at = next(i for i, line in enumerate(history) if "left (disrespect)" in line)
        before = history[:left_at]
        assert any("tier loyal -> marketer" in line for line in before)
        assert not any("tier marketer -> loyal" in line for line in history)
    assert model.state.angry[disrespected].any() or model.frame["negative_wom"].sum() > 0
    assert model.frame["negative_wom"].sum() > 0


def test_negative_word_of_mouth_from_angry_leavers_slows_acquisition():
    # many angry leavers: failures nobody resolves, and a breach-prone staff
    policy = Policy(service_quality=0.5, recovery=0.0, respect=0.2)

    def acquired(rate: float) -> tuple[int, int]:
        frames = replicated_frames(SEEDS, 104, policy=policy, market=Market(negative_wom_rate=rate))
        return (
            sum(int(f["acquired"].sum()) for f in frames),
            sum(int(f["negative_wom"].sum()) for f in frames),
        )

    # measured: about 10 % fewer first purchases when angry leavers speak
    quiet_acquired, quiet_heard = acquired(0.0)
    loud_acquired, loud_heard = acquired(1.0)
    assert quiet_heard == 0 < loud_heard
    assert loud_acquired < 0.95 * quiet_acquired


def test_win_back_offers_bring_customers_back():
    without = replicated_frames(SEEDS, 104, policy=Policy(win_back=0.0))
    with_offers = replicated_frames(SEEDS, 104, policy=Policy(win_back=0.5))
    assert all(f["won_back"].sum() == 0 for f in without)
    assert sum(f["won_back"].sum() for f in with_offers) > 100
    assert sum(f["active"].iloc[-1] for f in with_offers) > sum(
        f["active"].iloc[-1] for f in without
    )


def test_stage_weights_shift_overall_trust_from_calculus_to_identification():
    from crmsim.state import TRUST_WEIGHTS

    exploration, expansion, commitment = (TRUST_WEIGHTS[s] for s in (2, 3, 4))
    assert exploration.argmax() == 0 and expansion.argmax() == 1 and commitment.argmax() == 2
    assert np.allclose(TRUST_WEIGHTS.sum(axis=1), 1)
    assert Stage.EXPLORATION == 2
