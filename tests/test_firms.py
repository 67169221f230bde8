"""Several firms in one market (crmsim.firms): the one-firm model unchanged, invariants, the
choice and switching rules against per-person recomputations, and who wins share."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel, Market, Policy
from crmsim.books import cost_per_episode
from crmsim.competition import competitor_offers
from crmsim.firms import (
    MAX_FIRMS,
    Firm,
    choose_among_offers,
    hear_of_firms,
    switch_to_rivals,
)
from crmsim.frame import FIRM_FRAME_COLUMNS
from crmsim.levers import KanoAttribute, default_service
from crmsim.offer import LOSS_AVERSION, update_reference_discount
from crmsim.stages import ACTUAL, AWARENESS, CHURN_CAUSES, DISSOLUTION, EXPLORATION, UNAWARE
from crmsim.state import COLUMNS
from crmsim.trust import update_calculus_trust
from crmsim.winback import win_back

THREE = [
    Firm("Able", Policy(service_quality=0.85)),
    Firm("Baker", Policy(service_quality=0.5, respect=0.3)),
    Firm("Cheap & Co", Policy(discount=0.1, discount_target="new"), price=18.0),
]


def three_firms(n: int = 1_500, rng: int = 4, weeks: int = 60, **kwargs) -> CRMModel:
    model = CRMModel(n_customers=n, firms=THREE, rng=rng, streams="keyed", **kwargs)
    model.run(weeks)
    return model


@pytest.fixture(scope="module")
def market() -> CRMModel:
    return three_firms()


# ---------------------------------------------------------------------------- one firm
@pytest.mark.parametrize("streams", ["sequential", "keyed"])
def test_one_firm_given_as_firms_is_the_one_firm_model(streams):
    policy = Policy(service_quality=0.7, discount=0.05)
    plain = CRMModel(n_customers=800, policy=policy, rng=11, streams=streams)
    as_firm = CRMModel(n_customers=800, firms=[Firm("Solo", policy)], rng=11, streams=streams)
    plain.run(40)
    as_firm.run(40)
    pd.testing.assert_frame_equal(plain.frame, as_firm.frame)
    pd.testing.assert_frame_equal(plain.losses, as_firm.losses)


def test_a_one_firm_model_has_a_firm_frame_with_its_rows():
    model = CRMModel(n_customers=400, rng=2)
    model.run(10)
    frame = model.firm_frame
    assert list(frame.columns) == list(FIRM_FRAME_COLUMNS)
    assert (frame["firm"] == "Firm").all()
    assert frame["active"].tolist() == model.frame["active"].tolist()
    assert (frame["lost_to_rival"] == 0).all()


def test_a_firm_price_replaces_the_market_price_for_that_firm():
    cheap = CRMModel(n_customers=600, firms=[Firm("Solo", Policy(), price=15.0)], rng=3)
    cheap.run(20)
    frame = cheap.firm_frame
    assert (frame["price"] == 15.0).all()
    # every purchase pays the firm's price (no discount is running)
    assert np.allclose(frame["revenue"], 15.0 * frame["episodes"])


# ---------------------------------------------------------------------------- invariants
def test_everyone_belongs_to_at_most_one_firm_and_knows_it(market):
    state = market.state
    assert ((state.firm >= -1) & (state.firm < len(THREE))).all()
    assert np.array_equal(state.firm >= 0, state.stage != UNAWARE)
    known = state.firm >= 0
    bits = state.aware_of[known] >> state.firm[known].astype(np.uint8)
    assert (bits & 1).all()
    # a customer has bought from (or just switched to) their firm
    active = state.active_mask()
    bought = state.bought_from[active] >> state.firm[active].astype(np.uint8)
    assert (bought & 1).all()


def test_the_firms_counts_add_up_to_the_market(market):
    firm_frame, frame = market.firm_frame, market.frame
    assert list(firm_frame.columns) == list(FIRM_FRAME_COLUMNS)
    assert len(firm_frame) == len(frame) * len(THREE)
    by_week = firm_frame.groupby("week")
    for column in ("active", "acquired", "lost", "won_back", "episodes", "referrals"):
        assert by_week[column].sum().tolist() == frame[column].tolist(), column
    for column in ("revenue", "cost", "profit"):
        assert np.allclose(by_week[column].sum(), frame[column]), column
    assert np.allclose(by_week["share"].sum(), 1.0)
    # each firm's means are over its own customers: weighted by them, they give the market's
    for column in ("satisfaction", "trust", "commitment_mean"):
        weighted = (firm_frame[column] * firm_frame["active"]).groupby(firm_frame["week"]).sum()
        assert np.allclose(weighted / frame["active"].to_numpy(), frame[column]), column
    stages = ["unaware", "awareness", "exploration", "expansion", "commitment", "dissolution"]
    assert (firm_frame[stages].sum(axis=1) == market.n_customers).all()
    assert not firm_frame.drop(columns="firm").isna().any().any()


def test_switches_between_firms_are_booked_on_both_sides(market):
    firm_frame, losses = market.firm_frame, market.losses
    switched = losses[losses["to_firm"] != ""]
    assert len(switched) > 0  # the scene is set so that some customers do switch
    assert firm_frame["lost_to_rival"].sum() == len(switched)
    assert firm_frame["won_from_rival"].sum() == len(switched)
    assert (switched["cause"] == "competitor").all()
    assert (switched["firm"] != switched["to_firm"]).all()
    won = firm_frame.groupby("firm")["won_from_rival"].sum()
    by_rival = switched.groupby("to_firm").size().reindex(won.index, fill_value=0)
    assert won.to_dict() == by_rival.to_dict()
    assert set(losses["cause"].cat.categories) == set(CHURN_CAUSES)


# ---------------------------------------------------------------------------- determinism
def test_the_same_seed_gives_the_same_market(market):
    again = three_firms()
    pd.testing.assert_frame_equal(market.firm_frame, again.firm_frame)
    pd.testing.assert_frame_equal(market.losses, again.losses)


def test_a_pickled_market_goes_on_exactly_as_the_original():
    model = three_firms(weeks=20)
    copy = pickle.loads(pickle.dumps(model))
    model.run(15)
    copy.run(15)
    pd.testing.assert_frame_equal(model.firm_frame, copy.firm_frame)
    pd.testing.assert_frame_equal(model.frame, copy.frame)


def test_another_process_runs_the_same_market():
    code = (
        "import sys, pickle;"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r});"
        "from test_firms import three_firms;"
        "sys.stdout.buffer.write(pickle.dumps(three_firms(n=600, weeks=25).firm_frame))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    here = three_firms(n=600, weeks=25).firm_frame
    pd.testing.assert_frame_equal(pickle.loads(done.stdout), here)


def test_new_levers_take_effect_from_the_next_week():
    model = three_firms(n=600, weeks=10)
    model.set_policy("Baker", Policy(advertising=0.0, service_quality=0.5), price=25.0)
    model.run(1)
    last = model.firm_frame.iloc[-len(THREE) :].set_index("firm")
    assert last.loc["Baker", "price"] == 25.0
    assert last.loc["Baker", "cost_advertising"] == 0.0
    assert last.loc["Able", "price"] == 20.0
    assert model.firms[1].policy.advertising == 0.0


# ------------------------------------------------------------------ the rules, person by person
def _value_as_newcomer(model: CRMModel, person: int, firm: Firm) -> float:
    """Firm's value to one person who would come to it new, written out from ODD 7.1/7.29."""
    market, state, policy = model.market, model.state, firm.policy
    price = firm.price if firm.price is not None else market.price
    discount = policy.discount if policy.discount_target in ("all", "new") else 0.0
    gain = discount - (price - market.competitor_price) / market.competitor_price
    change = discount - state.reference_discount[person]
    felt = LOSS_AVERSION * change if change < 0 else change
    quality = market.prior_expectation if policy.promise is None else policy.promise
    return state.quality_sensitivity[person] * quality + state.price_sensitivity[person] * (
        gain + felt
    )


def _value_to_own_customer(model: CRMModel, person: int, firm: Firm) -> float:
    market, state, policy = model.market, model.state, firm.policy
    price = firm.price if firm.price is not None else market.price
    tier_new = state.tier[person] == 0 or state.tenure[person] < policy.new_customer_weeks
    eligible = policy.discount_target == "all" or (policy.discount_target == "new" and tier_new)
    discount = policy.discount if eligible else 0.0
    gain = discount - (price - market.competitor_price) / market.competitor_price
    change = discount - state.reference_discount[person]
    felt = LOSS_AVERSION * change if change < 0 else change
    return state.quality_sensitivity[person] * state.expectation[person] + state.price_sensitivity[
        person
    ] * (gain + felt)


@pytest.mark.parametrize(
    ("reach", "expected"), [((0.02, 0.05), (0.02, 0.05)), ((0.8, 0.8), (0.5, 0.5))]
)
def test_each_firm_reaches_people_as_it_would_alone_one_firm_a_week(reach, expected):
    # 20,000 people and advertising only: each firm's share of hearers is its hazard (or, when
    # the hazards add up to more than one, its part of the sum), within four standard errors
    firms = [Firm(name, Policy(advertising=a)) for name, a in zip("AB", reach, strict=True)]
    model = CRMModel(
        n_customers=20_000, firms=firms, market=Market(word_of_mouth=0.0), rng=6, history=False
    )
    state = model.state
    hear_of_firms(state, model._market_week())
    for firm, chance in enumerate(expected):
        heard = np.mean((state.aware_of >> firm) & 1)
        assert abs(heard - chance) < 4 * math.sqrt(chance * (1 - chance) / 20_000), firm
    assert not (state.aware_of == 3).any()  # nobody hears of two firms in one week
    assert np.array_equal(state.stage == AWARENESS, state.aware_of > 0)
    known = state.aware_of.astype(int)
    assert np.array_equal(state.firm, np.where(known > 0, known - 1, -1))


def test_prospects_weigh_the_offer_worth_most_to_them_person_by_person():
    model = CRMModel(n_customers=400, firms=THREE, rng=8)
    state = model.state
    rng = np.random.default_rng(0)
    state.stage[:] = AWARENESS
    state.firm[:] = rng.integers(0, 3, 400)
    state.aware_of[:] = rng.integers(1, 8, 400) | (1 << state.firm.astype(np.uint8))
    state.expectation[:] = rng.uniform(-0.5, 0.8, 400)
    state.reference_discount[:] = rng.uniform(0, 0.15, 400)
    state.referred_by[:50] = 399  # a friend's word settles the first fifty
    before = state.firm.copy()
    expected = before.copy()
    for person in range(50, 400):
        if bin(int(state.aware_of[person])).count("1") < 2:
            continue
        values = {
            k: (
                _value_to_own_customer(model, person, firm)
                if k == before[person]
                else _value_as_newcomer(model, person, firm)
            )
            for k, firm in enumerate(THREE)
            if state.aware_of[person] >> k & 1
        }
        best = max(values, key=values.get)
        if values[best] > values[before[person]]:
            expected[person] = best
    choose_among_offers(state, model._market_week())
    assert np.count_nonzero(expected != before) > 20  # the scene has prospects who change
    assert state.firm.tolist() == expected.tolist()


def test_customers_take_a_rival_offer_that_beats_their_firm_by_enough_person_by_person():
    # every customer who knows a rival is reached (2 * rate * price sensitivity * proneness
    # >= 1): the rule's decision is then deterministic
    model = CRMModel(n_customers=400, firms=THREE, market=Market(competitor_offer_rate=1.0), rng=9)
    state = model.state
    rng = np.random.default_rng(1)
    state.stage[:] = EXPLORATION
    state.tier[:] = ACTUAL
    state.spell_start[:] = 0
    state.tenure[:] = 20
    state.firm[:] = rng.integers(0, 3, 400)
    state.aware_of[:] = rng.integers(0, 8, 400) | (1 << state.firm.astype(np.uint8))
    state.bought_from[:] = 1 << state.firm.astype(np.uint8)
    state.price_sensitivity[:] = rng.uniform(0.5, 1, 400)
    state.churn_proneness[:] = 1.0
    state.expectation[:] = rng.uniform(-0.6, 0.6, 400)
    state.commitment[:] = rng.uniform(0, 0.3, 400)
    state.switching_cost[:] = rng.uniform(0, 0.1, 400)
    before = state.firm.copy()
    expected = {}
    for person in range(400):
        own = _value_to_own_customer(model, person, THREE[before[person]])
        rivals = {
            k: _value_as_newcomer(model, person, firm)
            for k, firm in enumerate(THREE)
            if k != before[person] and state.aware_of[person] >> k & 1
        }
        threshold = state.commitment[person] + state.switching_cost[person]
        if rivals and max(rivals.values()) - own > threshold:
            expected[person] = max(rivals, key=rivals.get)
    week = model._market_week()
    switch_to_rivals(state, week)
    moved = np.flatnonzero(state.firm != before)
    assert len(expected) > 20  # the scene has switchers
    assert dict(zip(moved.tolist(), state.firm[moved].tolist(), strict=True)) == expected
    assert (state.stage[moved] == EXPLORATION).all() and (state.commitment[moved] == 0).all()
    for firm_week in week.firm_weeks:
        won = sum(1 for k in expected.values() if k == firm_week.firm)
        lost = sum(1 for p in expected if before[p] == firm_week.firm)
        assert firm_week.tally["won_from_rival"] == won
        assert firm_week.tally["lost_to_rival"] == lost


# ---------------------------------------------------------------------------- the course's point
def second_year_shares(firms: list[Firm], seeds: range = range(8)) -> np.ndarray:
    """Each firm's share averaged over the second year, one row per seed of 2,000 people."""
    shares = []
    for seed in seeds:
        model = CRMModel(n_customers=2_000, firms=firms, rng=seed, streams="keyed")
        model.run(104)
        frame = model.firm_frame
        second_year = frame[frame["week"] >= 52].groupby("firm")["share"].mean()
        shares.append(second_year.reindex([firm.name for firm in firms]).to_numpy())
    return np.array(shares)


def test_identical_firms_share_the_market_equally_whatever_their_order():
    # The rules run firm by firm, in order; that order must not favour anyone. Four identical
    # firms, eight seeds of 2,000 over two years, shares averaged over the second year: each
    # firm's mean share is within 0.03 of a quarter, about four standard errors of an
    # eight-seed mean (their spread across seeds is about 0.02).
    shares = second_year_shares([Firm(f"Firm {k}", Policy()) for k in range(4)])
    assert np.abs(shares.mean(axis=0) - 0.25).max() < 0.03


def test_a_firm_with_better_service_at_the_same_cost_wins_share():
    # Spending the same on service where customers care (speed) rather than where they do not
    # (the logo's colour) is strictly better at equal cost. Eight seeds of 2,000 over two
    # years, each firm's share averaged over the second year: the better firm leads in most
    # seeds, and its mean lead exceeds twice its standard error (who wins the first customers
    # is luck, and word of mouth carries that luck forward, so single seeds can go either way).
    service = default_service()
    wise = dict(service, speed=KanoAttribute("performance", 1.0))
    wise["logo_colour"] = KanoAttribute("indifferent", 0.1)
    firms = [Firm("Wise", Policy(service=wise)), Firm("Vain", Policy(service=service))]
    market = Market()
    assert math.isclose(
        cost_per_episode(firms[0].policy, market), cost_per_episode(firms[1].policy, market)
    )
    shares = second_year_shares(firms)
    leads = shares[:, 0] - shares[:, 1]
    assert sum(lead > 0 for lead in leads) >= 6
    assert np.mean(leads) > 2 * np.std(leads, ddof=1) / math.sqrt(len(leads))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"firms": []}, "firms must hold 1 to 8 firms"),
        ({"firms": [Firm(f"F{i}") for i in range(MAX_FIRMS + 1)]}, "firms must hold 1 to 8"),
        ({"firms": [Firm("A"), Firm("A")]}, "the name 'A' is used twice"),
        ({"firms": [Firm("A")], "policy": Policy()}, "policy: give each firm its policy"),
        ({"firms": Firm("A")}, "firms must be a list of Firm"),
        ({"firms": ["A"]}, r"firms\[0\] must be a Firm"),
        ({"firms": [{"name": "A", "colour": 1}]}, r"firms\[0\]"),
        ({"firms": [Firm("A", Policy(discount_target="students"))]}, "discount_target of 'A'"),
    ],
)
def test_bad_firms_are_refused_with_a_message_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        CRMModel(n_customers=50, **kwargs)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Firm(""), "Firm.name must be a non-empty string"),
        (lambda: Firm("A", price=0.0), "price of firm 'A' must be > 0"),
        (lambda: Firm("A", price=math.nan), "price of firm 'A'"),
        (lambda: Firm("A", {"respect": 2.0}), "respect"),
    ],
)
def test_a_bad_firm_is_refused_with_a_message_naming_the_field(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_new_levers_for_an_unknown_firm_are_refused():
    model = CRMModel(n_customers=50, firms=THREE[:2])
    with pytest.raises(ValueError, match="firm must be one of"):
        model.set_policy("Nobody", Policy())
    with pytest.raises(ValueError, match="firm must be an integer in"):
        model.set_policy(5, Policy())


def test_each_firm_has_its_customer_equity(market):
    from crmsim.analysis import customer_equity

    values = {firm.name: customer_equity(market, firm=firm.name) for firm in THREE}
    last = market.firm_frame.iloc[-len(THREE) :].set_index("firm")
    for name, value in values.items():
        assert value["active"] == last.loc[name, "active"]
        assert value["equity"] > 0
    assert customer_equity(market) == values["Able"]  # the first firm by default


def test_a_firm_wins_back_its_former_customers_even_after_they_tried_a_rival():
    firms = [Firm("Old", Policy(win_back=1.0)), Firm("New", Policy())]
    model = CRMModel(n_customers=2_000, firms=firms, rng=12)
    state = model.state
    state.stage[:] = DISSOLUTION
    state.lost_week[:] = 0
    state.churn_cause[:] = CHURN_CAUSES.index("competitor") + 1
    state.firm[:] = 1  # everyone last left the new firm
    state.bought_from[:1_000] = 0b11  # half of them were the old firm's customers before
    state.bought_from[1_000:] = 0b10
    state.trust_knowledge[:] = 0.6
    week = model._market_week()
    week.index = 5
    for firm_week in week.firm_weeks:
        firm_week.index = 5
        win_back(state, firm_week)
    back = np.flatnonzero(state.stage == EXPLORATION)
    assert len(back) > 0 and back.max() < 1_000  # only the old firm's former customers
    assert (state.firm[back] == 0).all()
    assert (state.trust_knowledge[back] == 0).all()  # nothing of the new firm's carries over
    assert (state.win_back_refusals[1_000:] == 0).all()  # the others got no offer
    assert week.firm_weeks[0].tally["won_back"] == len(back)


def test_the_counts_of_each_firms_customer_contacts_kept_week_by_week_are_exact(market):
    # kept incrementally (only the contacts of people who changed are touched): they must
    # equal a fresh count of the customers each person had at the last count
    state, network = market.state, market.network
    assert (state.counted_firm >= 0).any()
    for firm in range(len(THREE)):
        fresh = network.count_contacts(state.counted_firm == firm)
        assert np.array_equal(state.firm_contacts[:, firm], fresh), firm


# ------------------------------------------------------------------ run once for the market
WITH_PROMISE = [*THREE, Firm("Dee", Policy(promise=0.3, discount=0.05), price=21.0)]


@pytest.mark.parametrize(
    "process",
    [update_calculus_trust, update_reference_discount, competitor_offers],
    ids=lambda process: process.__name__,
)
def test_a_rule_run_once_for_the_market_gives_what_it_gives_firm_by_firm(process):
    # each customer reads their own firm's discount, price and promise, and draws their own
    # firm's numbers: the market's run must equal the firms' runs one after another
    model = CRMModel(n_customers=1_500, firms=WITH_PROMISE, rng=12, streams="keyed")
    model.run(30)
    before = pickle.loads(pickle.dumps(model)).state
    firm_by_firm = pickle.loads(pickle.dumps(model))
    market_week = model._market_week()
    process(model.state, market_week)
    weeks = firm_by_firm._market_week()
    for firm_week in weeks.firm_weeks:
        process(firm_by_firm.state, firm_week)
    changed = []
    for name in COLUMNS:
        once, by_firm = getattr(model.state, name), getattr(firm_by_firm.state, name)
        assert np.array_equal(once, by_firm), name
        if not np.array_equal(once, getattr(before, name)):
            changed.append(name)
    assert changed  # the rule did something to compare
    for ours, theirs in zip(market_week.firm_weeks, weeks.firm_weeks, strict=True):
        assert dict(ours.tally) == dict(theirs.tally), ours.firm


def test_the_rule_reads_each_customers_own_firms_levers():
    model = CRMModel(n_customers=600, firms=WITH_PROMISE, rng=13)
    model.run(5)
    state, week = model.state, model._market_week()
    rows = np.flatnonzero(state.firm >= 0)
    premium = week.per_customer(state, rows, lambda firm: firm.market.price_premium)
    prices = np.array([firm.price or model.market.price for firm in WITH_PROMISE])
    expected = (prices - model.market.competitor_price) / model.market.competitor_price
    assert np.allclose(premium, expected[state.firm[rows]])
    promise = week.per_customer(state, rows, lambda firm: firm.policy.promise)
    assert np.isnan(promise[state.firm[rows] < 3]).all()
    assert (promise[state.firm[rows] == 3] == 0.3).all()
    nobody = np.flatnonzero(state.firm < 0)[:5]
    assert (
        len(nobody)
        and np.isnan(week.per_customer(state, nobody, lambda firm: firm.market.price_premium)).all()
    )
    # levers all firms share come back as one number
    assert week.per_customer(state, rows, lambda firm: firm.market.deepening) == 1.0


def test_a_count_on_the_markets_week_goes_to_each_customers_firm():
    model = CRMModel(n_customers=600, firms=THREE, rng=14)
    model.run(5)
    state, week = model.state, model._market_week()
    who = np.flatnonzero(state.firm >= 0)
    week.count("competitor_offers", who)
    counts = [week_of_firm.tally["competitor_offers"] for week_of_firm in week.firm_weeks]
    assert counts == np.bincount(state.firm[who], minlength=3).tolist()
    assert sum(counts) == len(who) > 0


@pytest.mark.parametrize("network", ["small-world", "well-mixed"])
def test_hearing_of_firms_matches_every_hazard_worked_out_for_everyone(network):
    # the rule works out hazards only for those whose draw the hazards could beat: it must
    # decide as the plain rule does, every firm's hazard for every person
    firms = [
        Firm("Loud", Policy(advertising=0.2)),
        Firm("Quiet", Policy(advertising=0.01)),
        Firm("Mid", Policy(advertising=0.05)),
    ]
    market = Market(word_of_mouth=0.4)
    model = CRMModel(
        n_customers=3_000, firms=firms, market=market, network=network, rng=15, streams="keyed"
    )
    model.run(8)
    state, week = model.state, model._market_week()
    luck = week.luck("awareness", state.n)
    buying = week.active(state)
    hazards = []
    for k, firm in enumerate(firms):
        customers = buying & (state.firm == k)
        share = model.network.share_of_contacts(customers)
        hazard = np.minimum(1.0, firm.policy.advertising + market.word_of_mouth * share)
        hazards.append(np.where((state.aware_of >> k) & 1, 0.0, hazard))
    running = np.cumsum(hazards, axis=0)
    total = running[-1]
    hears = luck < total
    chosen = np.count_nonzero(running <= luck * np.maximum(total, 1.0), axis=0)
    expected = state.aware_of.copy()
    expected[hears] |= (1 << chosen[hears]).astype(np.uint8)
    assert hears.sum() > 100  # word of mouth and advertising both at work
    hear_of_firms(state, week)
    assert np.array_equal(state.aware_of, expected)
