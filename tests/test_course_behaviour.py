"""The course's claims, shown by whole runs: each lever moves the outcome the way the lesson says.

Every check pools several seeded replications. Tolerances: each comparison asks for a
margin well below the effect measured when these tests were written (shown in each
test's comment) and several times larger than the spread between seeds, so a check
fails only if the mechanism itself changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import replicated_frames, week_of, weekly_churn

import crmsim.episodes
import crmsim.offer
from crmsim import CRMModel, Market, Policy, Stage, scenarios
from crmsim.calibration.observe import run_following_first_failures
from crmsim.exercises import lesson_03
from crmsim.network import SocialNetwork
from crmsim.reference import ReferenceModel
from crmsim.stages import CHURN_CAUSES

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
    # measured over six seeds: 23.1 % of the opening cohort lost vs 20.3 % with a lasting
    # discount (24 % against 21 % over 20 seeds, the opening store ahead in 16); the seeds'
    # pooled spread of the difference is about 0.7 points
    seeds = range(6)
    opening = _share_of_opening_cohort_lost("opening_discount", seeds)
    lasting = _share_of_opening_cohort_lost("lasting_discount", seeds)
    assert opening > lasting + 0.015


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


def _disrespect_run(history: bool = True) -> tuple[CRMModel, float, float]:
    """A run where marketers are often disrespected (customer-centric levers, respect 0.3),
    and every disrespected marketer leaves (``marketer_breach_exit`` 1: the course's trap).

    Returns the model and, over every disrespected marketer's weeks of anger, the share of
    their contacts who heard negative word of mouth, and the share of everyone else who did.
    """
    kwargs = scenarios.load("customer_centric").kwargs | {"n_customers": 6_000}
    kwargs["market"] = kwargs["market"].replace(marketer_breach_exit=1.0)
    model = CRMModel(**kwargs, rng=2, history=history)
    model.policy = model.policy.replace(respect=0.3)
    heard, disrespected = [], []
    disrespect = CHURN_CAUSES.index("disrespect") + 1

    def watch(report):
        heard.append(np.unique(report.who("heard_negative")))
        left = report.who("left")
        disrespected.extend(
            (report.week, int(m)) for m in left[report.detail("left") == disrespect]
        )

    with model.subscribe(watch):
        model.run(156, progress=False)
    adjacency = model.network.adjacency
    anger = model.market.anger_weeks
    near = near_total = far = far_total = 0
    for week, marketer in disrespected:
        contacts = adjacency.indices[adjacency.indptr[marketer] : adjacency.indptr[marketer + 1]]
        window = heard[week : week + anger]
        hearers = np.unique(np.concatenate(window)) if window else np.empty(0, int)
        told = np.isin(contacts, hearers).sum()
        near += told
        near_total += len(contacts)
        far += len(hearers) - told
        far_total += model.n_customers - 1 - len(contacts)
    return model, near / near_total, far / far_total


def test_a_disrespected_marketer_leaves_and_their_neighbours_hear_about_it():
    model, neighbours_told, others_told = _disrespect_run()
    # the marketer trap: wherever a marketer left for disrespect, they had been a marketer
    # and did not fall back to loyal
    losses = model.losses
    disrespected = losses.loc[losses["cause"] == "disrespect", "customer"].unique()
    assert len(disrespected) > 20
    for who in disrespected[:20]:
        history = model.customer(int(who)).history
        left_at = next(i for i, line in enumerate(history) if "left (disrespect)" in line)
        assert any("tier loyal -> marketer" in line for line in history[:left_at])
        assert not any("tier marketer -> loyal" in line for line in history)
    # ... and their contacts hear about it while they are angry: measured 79 % of contacts
    # against 2 % of everyone else (other angry leavers speak too) in the same weeks. Asked:
    # over 30 % and over five times the rest. With the mutants below: 1.3 % against 1.1 %
    # when they leave calm, 8 % against 9 % when word of mouth reaches strangers
    assert neighbours_told > 0.30
    assert neighbours_told > 5 * others_told


def _calm_disrespect_leavers(leave):
    def calm(state, week, who, cause, angry=False):
        return leave(state, week, who, cause, angry=False if cause == "disrespect" else angry)

    return calm


def _word_reaches_strangers(contacts_reached):
    def strangers(self, talkers, p_talk, rng):
        sources, targets = contacts_reached(self, talkers, p_talk, rng)
        return sources, rng.integers(0, self.n, size=len(targets))

    return strangers


@pytest.mark.parametrize(
    ("owner", "name", "mutant"),
    [
        (crmsim.episodes, "leave", _calm_disrespect_leavers),
        (SocialNetwork, "contacts_reached", _word_reaches_strangers),
    ],
    ids=["disrespected_marketers_leave_calm", "word_of_mouth_reaches_strangers"],
)
def test_the_neighbours_check_fails_if_disrespected_marketers_are_not_the_ones_heard(
    owner, name, mutant, monkeypatch
):
    monkeypatch.setattr(owner, name, mutant(getattr(owner, name)))
    _, neighbours_told, others_told = _disrespect_run(history=False)
    assert not (neighbours_told > 0.30 and neighbours_told > 5 * others_told)


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


def _overall_trust_of_a_dealer_and_an_identifier(stage: Stage) -> tuple[float, float]:
    """Overall trust, at ``stage``, of a customer who trusts the deal (calculus 0.9, knowledge
    0.3, identification 0) and of one who identifies with the firm (0.2, 0.5, 0.9)."""
    state = CRMModel(n_customers=2, rng=0).state
    state.stage[:] = stage
    state.trust_calculus[:] = (0.9, 0.2)
    state.trust_knowledge[:] = (0.3, 0.5)
    state.trust_identification[:] = (0.0, 0.9)
    dealer, identifier = state.overall_trust()
    return float(dealer), float(identifier)


def _deal_trust_counts_early_and_identification_late() -> bool:
    early = _overall_trust_of_a_dealer_and_an_identifier(Stage.EXPLORATION)
    late = _overall_trust_of_a_dealer_and_an_identifier(Stage.COMMITMENT)
    return early[0] > early[1] and late[1] > late[0]


def test_stage_weights_shift_overall_trust_from_calculus_to_identification():
    # seed 003: early on, trust is the deal; in commitment, identification weighs most.
    # The same two customers swap places as the stage changes.
    assert _deal_trust_counts_early_and_identification_late()


def test_equal_stage_weights_would_fail_the_trust_shift_check(monkeypatch):
    # mutant: every stage weighs the three kinds of trust alike
    import crmsim.state

    for name in ("_CALCULUS_WEIGHT", "_KNOWLEDGE_WEIGHT", "_IDENTIFICATION_WEIGHT"):
        monkeypatch.setattr(crmsim.state, name, np.full(len(Stage), 1 / 3))
    assert not _deal_trust_counts_early_and_identification_late()


# ---------------------------------------------------------------- retention rises with tenure
def _cohort(years: int = 5, seeds=range(3), **inputs) -> np.ndarray:
    """Share of a week-0 cohort (3,000 per seed, seeds pooled) still there after each year."""
    from crmsim.calibration import simulate_cohort

    runs = [simulate_cohort(years + 1, 52, n_customers=3_000, rng=s, **inputs) for s in seeds]
    survivors = np.mean(runs, axis=0)
    return survivors / survivors[0]


def _yearly(survival: np.ndarray) -> np.ndarray:
    """Retention of each year: the share of its starters who stay the year."""
    return survival[1:] / survival[:-1]


def test_a_cohorts_retention_rises_with_tenure_into_the_range_of_real_cohorts():
    # measured (3 seeds of 3,000): baseline 0.68 in year 1 -> 0.87 in year 5;
    # customer_centric 0.73 -> 0.91; seeds differ by about 0.01 a year
    baseline = _cohort()
    yearly = _yearly(baseline)
    assert 0.55 <= yearly[0] <= 0.9
    assert yearly[4] > yearly[0] + 0.1
    assert (np.diff(yearly[:3]) > 0).all()  # rising through the early years
    centric = _cohort(policy=CUSTOMER_CENTRIC)
    assert _yearly(centric)[4] >= 0.9
    # measured: 39.7 % of the cohort after five years under customer_centric, 36.1 % at baseline
    assert centric[5] > baseline[5] + 0.02


def test_retention_rises_by_sorting_and_by_deepening():
    """Switching either off costs retention: sorting carries the rise, deepening the level."""
    # measured: year-5 retention 0.87 at defaults, 0.67 with alike customers; five-year
    # survival 0.38 at defaults, 0.16 without deepening
    from crmsim import Population

    full = _cohort()
    alike = _cohort(population=Population(churn_heterogeneity=0.0))
    shallow = _cohort(market=Market(deepening=0.0))
    assert _yearly(alike)[4] < _yearly(full)[4] - 0.15
    assert shallow[5] < 0.6 * full[5]


# ---------------------------------------------------------------------------- voice and exit
def _still_customers_after_a_first_failure() -> tuple[dict[str, float], dict[str, int]]:
    """Share of customers still with the firm 26 weeks after their first failure, by what
    they did about it: three default runs of 100,000 people over three years, pooled."""
    tables = [
        run_following_first_failures(CRMModel(n_customers=100_000, rng=seed, history=False), 156)
        for seed in range(3)
    ]
    stayed = pd.concat(tables).groupby("voice")["still_customer"]
    return stayed.mean().to_dict(), stayed.size().to_dict()


def _voice_is_ordered(share: dict[str, float], n: dict[str, int]) -> bool:
    # a margin of two points: four standard errors of the pooled complained-minus-silent gap
    # (about 0.5 points with some 20,000 complainers and 61,000 silent), so without the
    # rule (gap near 0) it fails; measured at VOICE_RELIEF = 0.3: 66.1 % complained and not
    # helped, 62.5 % silent, 88.6 % resolved; the gap was 3.2-4.3 points in each seed alone
    assert min(n.values()) > 10_000
    return share["resolved"] > share["complained"] + 0.1 and (
        share["complained"] > share["silent"] + 0.02
    )


def test_complainers_stay_more_often_than_the_silent_and_resolved_complainers_most():
    # TARP (1979, 1986): customers who complained stay more often than those who said
    # nothing, even when not helped; those whose complaint was resolved stay most
    assert _voice_is_ordered(*_still_customers_after_a_first_failure())


def test_without_voice_relief_unhelped_complainers_stay_no_more_than_the_silent(monkeypatch):
    monkeypatch.setattr(crmsim.episodes, "VOICE_RELIEF", 0.0)
    assert not _voice_is_ordered(*_still_customers_after_a_first_failure())


# ---------------------------------------------------------------------------- channels
def test_staffing_only_email_silences_complaints_and_loses_more_customers_to_failures():
    # collaborative CRM: 82 % of customers prefer a channel an email-only firm does not staff.
    # Keyed streams, so each person meets the same luck with either staffing. Measured (four
    # seeds of 1,500 people, two years): complaints per failure 0.41 with every channel, 0.23
    # with email only; departures per failure 0.276 and 0.317 (seed by seed the gap is
    # 0.02-0.055 over seeds 0-7, so the mean of four varies by about 0.006); the channels
    # cost about 4,400 a run against about 200. The margin asked, 0.02, is half the effect.
    def per_failure(channels) -> tuple[float, float, float]:
        frames = replicated_frames(SEEDS, 104, policy=Policy(channels=channels), streams="keyed")
        failures = sum(f["failures"].sum() for f in frames)
        return (
            sum(f["complaints"].sum() for f in frames) / failures,
            sum(f["lost_failure"].sum() for f in frames) / failures,
            sum(f["cost_channels"].sum() for f in frames) / len(frames),
        )

    every, email = per_failure("all"), per_failure("email")
    assert email[0] < every[0] - 0.1
    assert email[1] > every[1] + 0.02
    assert email[2] < 0.1 * every[2]


# ---------------------------------------------------------------------------- promises
def test_under_promising_keeps_more_customers_than_over_promising():
    # under-promise, over-deliver: the steady firm of lesson 03 with the same service, told
    # to newcomers as 0.1 or 0.7; keyed streams, so each person meets the same luck.
    # measured (four seeds of 1,500 people, three years): weekly churn 0.521 % under and
    # 0.629 % over; customers at the end about 1,025 and 962. The margins asked, 0.06 points
    # and 25 customers, are about half the effect and several times the spread of a mean of
    # four seeds (about 0.01 points and 8 customers).
    def run(promise: float) -> tuple[float, float]:
        frames = replicated_frames(
            SEEDS, 156, policy=lesson_03.promise_policy(promise), streams="keyed"
        )
        return weekly_churn(frames), float(np.mean([f["active"].iloc[-1] for f in frames]))

    (under_churn, under_active), (over_churn, over_active) = run(0.1), run(0.7)
    assert over_churn > under_churn + 0.0006
    assert under_active > over_active + 25


def _old_firm_value(theta, expectation, pi, discount, premium, reference_discount):
    """The value of the offer before promises were a reference (the quality term is e)."""
    change = discount - reference_discount
    felt = np.where(change < 0, crmsim.offer.LOSS_AVERSION * change, change)
    return theta * expectation + pi * ((discount - premium) + felt)


def test_without_a_promise_the_value_of_the_offer_is_the_old_one_exactly():
    # the default (promise None) is bit-for-bit the model before the promise rule: the
    # quality term is the expectation itself, in both engines
    model = CRMModel(n_customers=500, policy=Policy(discount=0.1), rng=3, history=False)
    model.run(30, progress=False)
    state, week = model.state, week_of(model, model.week)
    assert week.policy.promise is None
    discount = crmsim.offer.discount_received(state, week)
    old = _old_firm_value(
        state.quality_sensitivity,
        state.expectation,
        state.price_sensitivity,
        discount,
        week.market.price_premium,
        state.reference_discount,
    )
    assert np.array_equal(crmsim.offer.firm_value(state, week, discount), old)
    expectation = state.expectation.copy()
    assert crmsim.offer.promised_quality(expectation, None) is expectation

    reference = ReferenceModel.from_crm_model(model, rng=3)
    for person in reference.people[:200]:
        d = person.discount_offered()
        assert person.firm_value(d) == _old_firm_value(
            person.quality_sensitivity,
            person.expectation,
            person.price_sensitivity,
            d,
            reference.market.price_premium,
            person.reference_discount,
        )


def test_the_promise_rule_leaves_a_default_run_unchanged(monkeypatch):
    # a default run with the quality term forced to the expectation (the old rule) is
    # identical to the run with the rule
    def frame() -> pd.DataFrame:
        model = CRMModel(n_customers=800, rng=7, history=False)
        model.run(52, progress=False)
        return model.frame

    with_rule = frame()
    monkeypatch.setattr(crmsim.offer, "promised_quality", lambda expectation, promise: expectation)
    pd.testing.assert_frame_equal(with_rule, frame(), check_exact=True)
