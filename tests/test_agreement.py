"""Agreement with power: each weekly rule, in both engines, from a state full of its events.

``tests/test_reference.py`` compares long runs; those could not tell a reference without
fading referrals, without the trust hit of negative word of mouth or without the marketer
trap from the vectorized engine, because those events are rare under the scenarios' levers.
Here both engines simulate **one week from one shared state** built so that every rule has
many events to act on (:func:`busy_market`): a quarter of the people are still unaware, a
fifth aware (half of them referred by a friend), two fifths customers in every stage and
tier (explorers actual customers, marketers in commitment, a third of the customers with a
referral that brought someone, everyone close to a ladder's threshold), the rest former
customers who had reached every tier, half of them angry and still talking; the levers make
failures, breaches, complaints, competitor offers, lapses, gifts (a gift week), discounts
for new customers, referrals and win-back offers frequent; the firm is dearer than the
competitor, so customers buy less for it and aware prospects settle elsewhere; it staffs only
e-mail, so most customers who meet a failure reach it through a channel they like less; some
of the aware are former customers who reconsidered, so a purchase is a return; and 2 % of
people leave the category.

The check (:func:`disagreement`): each engine simulates that week ``REPEATS`` times with
fresh random numbers; for every outcome (the weekly row, and a few state summaries the row
lacks: pending referrals, mean reference discount, mean negative word heard, mean tenure,
how many ever reached each tier, and how many customers rose or fell a tier) the two means
must satisfy (``left angry after a failure`` counts those who left this week after a
failure they complained about in vain)::

    |mean_reference - mean_vectorized| < 4 * SE + 1e-3 * |mean_vectorized| + 1e-9

with ``SE = sqrt(s_r^2 / k + s_v^2 / k)``. Why 4: under agreement the difference over its
standard error is about normal (2 x 40 repeats), beyond 4 with probability 6e-5, so over
the ~100 outcomes of a scene a false alarm has a chance under 1 %; the seeds are fixed, so
the verdict does not change from run to run. The relative slack covers rounding (the
reference fades negative word by a power, the engine by repeated products) and outcomes
without spread (costs).

Five scenes: ``busy`` (the events above); ``leaving`` (:data:`LEAVING_MARKET`: the busy
one with failures, breaches and lapses more frequent, customers four times as prone to leave
as average and ``deepening`` 0, so that a rule of leaving that ignores proneness or the
deepening shows); and ``calm`` (:data:`CALM_MARKET`: nobody fails, is disrespected, tempted
or drifts off, and commitment starts well below its target), where the gradual rules
(learning, the calculus of value, the reference discount, investments, commitment,
disconfirmation) show in the means over the week's first customers (a fixed set of people,
so who came and went adds no noise); and ``promised`` (:data:`PROMISED_POLICY`: the busy one
where the firm promises 0.7, more than most customers expect, so that every value of the
offer judges the expectation against the promise, a shortfall weighing ``LOSS_AVERSION``
times a surplus); and ``movers`` (:data:`MOVERS_MARKET`: the busy one where 5 % of people
move and half the moving customers keep the firm, ``Market.mover_loss`` 0.5).

Power. :data:`RULE_OUTCOMES` names, for each process of ``WEEKLY_PROCESSES``, its scene and
the outcomes that show it; ``test_rule_agrees`` checks them. ``test_a_broken_rule_is_caught``
runs the rule-break list (:data:`BREAKS`, 116 variants): every rule removed in the
reference and, separately, in the vectorized engine (serving, which later rules need, has
half the purchases instead), the two price rules inside processes switched off in each
engine (the share of wallet, settling with the competitor), constants changed in each engine
(disconfirmation 0.3 -> 0, referrals that fade four times as fast, no trust hit and no
expectation hit from negative word of mouth, negative word never forgotten, knowledge and
identification gains and commitment speed halved, the gifts' goodwill, win-back acceptance,
explorers allowed to become loyal, loyalty from a burst of purchases, marketers who brought
nobody, a complaint left unresolved protecting fully from leaving instead of relieving 0.3 of
the risk), the highest tier on record never raised, former customers counted as prospects in
the weekly row, the channel rules (a closed channel that silences nobody, shown by the busy
scene's complaints, :attr:`Break.shown_by`; each customer's load counted under the next
channel, shown by the cost of the channels), and each rule of leaving run with everyone
equally prone (proneness ignored) and the three that depth protects run as if
``Market.deepening`` were 1 (the leaving scene has 0), and the promise ignored (the offer
valued by the expectation alone) by each engine's trials, calculus trust and competitor
offers, shown by the promised scene, and ``mover_loss`` ignored (every moving customer lost)
in each engine, shown by the movers scene. Every break makes its rule's check fail. Measured when
last changed (``python tests/test_agreement.py`` prints it): unbroken,
the largest |difference| / limit was 0.58 (busy), 0.82 (leaving), 0.32 (calm) and 0.56
(promised; 0.71 with keyed streams), 0.62 (movers); broken,
the smallest were 1.37 and 1.93 (win-back offers that refusals do not fatigue), 1.82
(deepening ignored in the vectorized failure exits), 1.88 and 2.31 (loyalty from a burst),
1.96 and 2.31 (disconfirmation removed), then at least 2.2 for the other changed constants,
tier and channel rules and dropped inputs, at least 3.5 for the price rules switched
off and for every removed rule (simulated 16 times instead of 40), and 5.8 and 6.3 (trials),
10.5 and 8.1 (competitor offers) and 37 and 38 (calculus trust) for the promise ignored
(reference and vectorized; the promised scene's numbers were measured alone), 3.2 and 2.8
for movers always lost (reference and vectorized). So one week detects a
rule's removal with a wide margin and halving a gain or dropping an input with a margin of
about 1.4-2; a change of 10-20 % in a constant is below what it can see, and so is removing
the relief a complaint gives (a change of 0.3 in the risk of the few complainers a week who
leave angry): the long runs of ``tests/test_reference.py`` and
``tests/test_course_behaviour.py`` cover the rules that move many customers.

Vectorized breaks replace an entry of ``crmsim.model.WEEKLY_PROCESSES`` by a no-op or by the
process run under a changed input, wrap a
helper the process calls, or change a module constant; they never copy a process body.

Size: 1,000 people, 40 repeats per engine and scene, computed once per module; each break
reruns only its engine. The module takes about 50 s; the promised scene adds about 8 s, the
movers scene about as much.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import crmsim.model
from crmsim import (
    CRMModel,
    Policy,
    Stage,
    Tier,
    books,
    episodes,
    gifts,
    ladders,
    reference,
    referrals,
    trust,
    winback,
)
from crmsim import commitment as commitment_module
from crmsim import trials as trials_module
from crmsim.levers import Market
from crmsim.model import WEEKLY_PROCESSES
from crmsim.reference import ReferenceCustomer, ReferenceModel
from crmsim.stages import CHURN_CAUSES
from crmsim.state import LOYALTY_WINDOW, CustomerState
from crmsim.streams import Streams

N_CUSTOMERS = 1_000
REPEATS = 40
REMOVED_REPEATS = 16
WARM_UP_WEEKS = 12
SEED = 5

#: Levers that make every rule's events frequent (both engines read the same ones).
POLICY = Policy(
    service_quality=0.6,
    respect=0.35,
    recovery=0.4,
    discount=0.1,
    discount_target="new",
    gift_value=4.0,
    gift_every=1,  # every week is a gift week
    referral_reward=20.0,  # a purchase's worth: triples the referral rate
    win_back=1.0,  # an offer to every former customer every week
    advertising=0.03,
    # most customers prefer a channel the firm does not staff, and complain less
    channels={"email"},
)
MARKET = Market(
    word_of_mouth=0.4,
    trial_rate=0.25,
    max_failure_rate=0.4,
    max_breach_rate=0.5,
    competitor_offer_rate=0.15,
    competitor_attractiveness=0.1,
    drift_rate=0.03,
    negative_wom_rate=0.8,
    anger_weeks=6,
    complaint_propensity=0.8,  # many complaints, many of them unresolved
    # every channel at its own cost, so that a customer charged to another one shows
    channel_unit_cost={"phone": 0.1, "face-to-face": 0.4, "email": 0.7, "letter": 1.0},
    category_turnover=0.02,
    mover_loss=1.0,  # every moving customer lost: many losses to moves; the movers scene keeps half
    # dearer than the competitor, with customers who buy less for it and prospects who
    # give up on it
    price=24.0,
    price_response=4.0,
    consideration_lapse=0.15,
    reconsideration=0.3,
)


#: The leaving scene: the busy one where every failure, breach and lapse is frequent, the
#: customers far more prone to leave than the inputs say and depth protects no one, so that
#: a rule of leaving that ignores proneness or ``deepening`` shows.
LEAVING_MARKET = MARKET.replace(
    max_failure_rate=0.8,
    max_breach_rate=1.0,
    failure_defection=0.12,
    marketer_breach_exit=0.12,
    drift_rate=0.01,
    deepening=0.0,
)

#: The calm scene: nobody fails, is disrespected, tempted or drifts off, so the gradual
#: rules (learning, the calculus of value, investments, commitment) are seen without the
#: noise of departures.
CALM_POLICY = POLICY.replace(respect=0.8)
CALM_MARKET = MARKET.replace(
    max_failure_rate=0.0,
    max_breach_rate=0.0,
    competitor_offer_rate=0.0,
    drift_rate=0.0,
    negative_wom_rate=0.0,
    category_turnover=0.0,
    price=17.0,  # cheaper: customers buy more, so the episodes' rules show more
)


#: The movers scene: the busy one where people move five times as often (the most allowed)
#: and half the moving customers keep the firm (``Market.mover_loss`` 0.5): they stay
#: customers, not replaced, so a rule that loses every mover shows in the losses to moves.
MOVERS_MARKET = MARKET.replace(category_turnover=0.05, mover_loss=0.5)

#: The promised scene: the busy one where the firm promises more (0.7) than most customers
#: expect, so every value of its offer (trials, calculus trust, competitor offers) judges
#: the expectation against the promise (:func:`crmsim.offer.promised_quality`).
PROMISED_POLICY = POLICY.replace(promise=0.7)


def busy_market(scene: str = "busy") -> CRMModel:
    """A vectorized model in a state where every rule of the week has many events.

    A few warm-up weeks give the market its history (purchases, trust); then each person is
    given a role at random, with the state that role needs. ``scene`` picks the levers:
    "busy", "leaving", "calm", "promised" or "movers".
    """
    policy, market = {
        "busy": (POLICY, MARKET),
        "leaving": (POLICY, LEAVING_MARKET),
        "calm": (CALM_POLICY, CALM_MARKET),
        "promised": (PROMISED_POLICY, MARKET),
        "movers": (POLICY, MOVERS_MARKET),
    }[scene]
    calm = scene == "calm"
    model = CRMModel(N_CUSTOMERS, policy=policy, market=market, rng=SEED, history=False)
    model.run(WARM_UP_WEEKS, progress=False)
    state, week = model.state, model.week
    rng = np.random.default_rng(SEED)
    # the tier ladder's records draw apart, so that the rest of the scene keeps its numbers
    ladder = np.random.default_rng(SEED + 1)
    n = state.n
    role = rng.choice(4, size=n, p=[0.25, 0.2, 0.4, 0.15])  # dormant, aware, active, gone
    dormant, aware, active, gone = (np.flatnonzero(role == r) for r in range(4))

    state.stage[dormant] = Stage.UNAWARE
    state.stage[aware] = Stage.AWARENESS
    state.tier[np.concatenate([dormant, aware, gone])] = Tier.PROSPECT
    prospects = np.concatenate([dormant, aware])
    # who bought before was a customer at least (the warm-up's highest tiers are overwritten)
    state.highest_tier[prospects] = np.where(
        state.first_purchase_week[prospects] >= 0, Tier.ACTUAL, Tier.PROSPECT
    )
    state.referred_by[:] = -1
    # most of the aware were referred by a customer (some referrals fade, some convert)
    referred = aware[: 3 * len(aware) // 4]
    state.referred_by[referred] = rng.choice(active, size=len(referred))
    # a fifth of the aware are former customers who reconsidered: a purchase is a return
    state.first_purchase_week[aware[::5]] = rng.integers(0, week, size=len(aware[::5]))
    state.highest_tier[aware[::5]] = ladder.choice(
        [Tier.ACTUAL, Tier.LOYAL, Tier.MARKETER], size=len(aware[::5])
    )

    # customers in every stage and tier, close to the ladders' thresholds
    k = len(active)
    state.stage[active] = rng.choice(
        [Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT], size=k, p=[0.3, 0.3, 0.4]
    )
    state.tier[active] = rng.choice([Tier.ACTUAL, Tier.LOYAL], size=k)
    # explorers are actual customers (the tiers above need a relationship past exploration);
    # as many others become loyal instead, a third of those past exploration still actual
    explorers = state.stage[active] == Stage.EXPLORATION
    state.tier[active[explorers]] = Tier.ACTUAL
    promoted = ~explorers & (state.tier[active] == Tier.ACTUAL) & (ladder.random(k) < 1 / 3)
    state.tier[active[promoted]] = Tier.LOYAL
    committed = active[state.stage[active] == Stage.COMMITMENT]
    marketers = committed[: len(committed) // 2]
    state.tier[marketers] = Tier.MARKETER
    # a marketer has brought a customer; of the others, a third have (some loyal ones in
    # commitment are then a referral short of the marketer tier)
    referred_someone = ladder.random(k) < 1 / 3
    state.referrals_made[active] = np.where(referred_someone, ladder.integers(1, 4, size=k), 0)
    state.referrals_made[marketers] = np.maximum(state.referrals_made[marketers], 1)
    # some were something more in an earlier relationship
    state.highest_tier[active] = np.maximum(
        state.tier[active], ladder.choice([Tier.ACTUAL, Tier.LOYAL, Tier.MARKETER], size=k)
    )
    for name, low, high in (
        ("trust_calculus", 0.2, 0.8),
        ("trust_knowledge", 0.2, 0.8),
        ("trust_identification", 0.3, 0.7),
        ("commitment", 0.25, 0.55),
        ("switching_cost", 0.0, 0.4),
        ("satisfaction", -0.4, 0.6),
        ("expectation", -0.2, 0.6),
        ("respect_felt", 0.2, 0.8),
        ("reference_discount", 0.0, 0.02),  # below the 0.1 new customers get
        ("goodwill", 0.3, 0.9),
    ):
        getattr(state, name)[active] = rng.uniform(low, high, size=k)
    if scene == "leaving":  # proneness averages 4, so that ignoring it shows in the means
        state.churn_proneness[active] = rng.uniform(2.0, 6.0, size=k)
    if calm:  # commitment well below its target, so that its speed shows in one week
        state.commitment[active] = rng.uniform(0.0, 0.3, size=k)
    state.tenure[active] = rng.integers(0, 16, size=k)
    state.good_episodes[active] = rng.integers(0, 6, size=k)
    state.spell_start[active] = rng.integers(0, week, size=k)
    state.first_purchase_week[active] = state.spell_start[active]
    state.purchases[active] = np.maximum(state.purchases[active], 1)
    # purchases in the loyalty window: around the loyal thresholds
    window = rng.random((LOYALTY_WINDOW, k)) < rng.uniform(0.1, 0.5, size=k)
    window[week % LOYALTY_WINDOW] = False  # this week's slot opens empty
    state.purchase_window[:, active] = window
    state.recent_purchases[:] = state.purchase_window.sum(axis=0)

    # former customers, gone for every reason (not moved: movers are replaced), some after
    # refusing offers; half angry and still talking; all left before this week
    state.stage[gone] = Stage.DISSOLUTION
    state.lost_week[gone] = rng.integers(0, week, size=len(gone))
    state.former_tier[gone] = ladder.choice(
        [Tier.ACTUAL, Tier.LOYAL, Tier.MARKETER], size=len(gone)
    )
    state.highest_tier[gone] = np.maximum(
        state.former_tier[gone], ladder.choice([Tier.ACTUAL, Tier.LOYAL], size=len(gone))
    )
    state.first_purchase_week[gone] = ladder.integers(0, week, size=len(gone))
    state.churn_cause[gone] = rng.integers(1, 5, size=len(gone))
    state.win_back_refusals[gone] = rng.choice([0, 4], size=len(gone))
    angry = gone[: len(gone) // 2]
    state.angry[gone], state.anger_left[gone] = False, 0
    state.angry[angry], state.anger_left[angry] = True, rng.integers(1, 4, size=len(angry))
    # what everyone has heard against the firm so far (it fades each week); little for the
    # aware, whose wish to try it lowers
    state.heard_negative[:] = rng.uniform(3.0, 7.0, size=n)
    state.heard_negative[aware] = rng.uniform(0.0, 1.0, size=len(aware))
    return model


#: State variables whose mean over the week's first customers is compared (over a fixed
#: set of people: the row's means over whoever is active at the end also vary with who
#: came and went, which hides small changes of a rule).
COHORT_VARIABLES = (
    "trust_calculus",
    "trust_knowledge",
    "trust_identification",
    "commitment",
    "satisfaction",
    "switching_cost",
    "reference_discount",
    "goodwill",
)


def summary(
    people: dict[str, np.ndarray], cohort: np.ndarray, tier_before: np.ndarray, week: int
) -> dict[str, float]:
    """State outcomes the weekly row lacks, from per-person arrays (either engine);
    ``cohort`` marks the customers active when the week began, ``tier_before`` everyone's
    tier then, ``week`` is the week run."""
    active = (people["stage"] >= Stage.EXPLORATION) & (people["stage"] <= Stage.COMMITMENT)
    # tier moves of the customers who stayed: the weekly counts net rises against falls
    stayed = cohort & active
    # who left this week after a failure they complained about in vain (angry)
    left_angry = (
        (people["lost_week"] == week)
        & (people["churn_cause"] == CHURN_CAUSES.index("failure") + 1)
        & people["angry"]
    )
    cohort_means = {
        f"{name} of the cohort": float(people[name][cohort].mean()) for name in COHORT_VARIABLES
    }
    return {
        **cohort_means,
        "pending referrals": float(np.count_nonzero(people["referred"])),
        "reference_discount of the active": float(people["reference_discount"][active].mean()),
        "heard_negative": float(people["heard_negative"].mean()),
        "tenure of the active": float(people["tenure"][active].mean()),
        "left angry after a failure": float(np.count_nonzero(left_angry)),
        "expectation of the aware": float(
            people["expectation"][people["stage"] == Stage.AWARENESS].mean()
        ),
        # the highest tier on record: raised by a first purchase and by climbing, kept on
        # leaving (the frame's former_* columns show only those who are not customers now)
        "ever a customer": float(np.count_nonzero(people["highest_tier"] >= Tier.ACTUAL)),
        "ever loyal": float(np.count_nonzero(people["highest_tier"] >= Tier.LOYAL)),
        "ever a marketer": float(np.count_nonzero(people["highest_tier"] == Tier.MARKETER)),
        "tier rises": float(np.count_nonzero(stayed & (people["tier"] > tier_before))),
        "tier falls": float(np.count_nonzero(stayed & (people["tier"] < tier_before))),
    }


#: The per-person variables :func:`summary` reads.
PERSON_VARIABLES = (
    "stage",
    "tier",
    "highest_tier",
    "lost_week",
    "churn_cause",
    "angry",
    "heard_negative",
    "tenure",
    "expectation",
    *COHORT_VARIABLES,
)


def vectorized_week(start: CRMModel, seed: int) -> dict[str, float]:
    """One week of the vectorized engine from ``start``'s state (restored afterwards)."""
    state, week, rng = start.state, start.week, start.rng
    cohort, tier_before = state.active_mask(), state.tier.copy()
    start.state = copy.deepcopy(state)
    start.rng = np.random.default_rng(seed)
    try:
        start.step()
        after = start.state
        people = {name: getattr(after, name) for name in PERSON_VARIABLES}
        people["referred"] = after.referred_by >= 0
        return {**start._row, **summary(people, cohort, tier_before, week)}
    finally:
        start.state, start.week, start.rng = state, week, rng


def keyed_week(start: CRMModel, seed: int) -> dict[str, float]:
    """One week of the vectorized engine with keyed random streams (key ``seed``)."""
    streams = start._streams
    start._streams = Streams(seed)
    try:
        return vectorized_week(start, seed)
    finally:
        start._streams = streams


def reference_week(start: CRMModel, seed: int) -> dict[str, float]:
    """One week of the per-agent reference from ``start``'s state."""
    cohort, tier_before = start.state.active_mask(), start.state.tier.copy()
    model = ReferenceModel.from_crm_model(start, rng=seed)
    model.step()
    people = {name: np.array([getattr(p, name) for p in model.people]) for name in PERSON_VARIABLES}
    people["referred"] = np.array([p.referred_by is not None for p in model.people])
    return {**model._row, **summary(people, cohort, tier_before, start.week)}


def weeks(engine: str, start: CRMModel, repeats: int = REPEATS) -> pd.DataFrame:
    """``repeats`` one-week outcomes of ``engine`` ("vectorized" or "reference")."""
    run = {"vectorized": vectorized_week, "keyed": keyed_week, "reference": reference_week}[engine]
    return pd.DataFrame([run(start, seed) for seed in range(repeats)]).drop(columns="week")


def disagreement(vectorized: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Each outcome's means, |difference| and limit; ``ratio`` > 1 is a disagreement."""
    se = np.sqrt(vectorized.var(ddof=1) / len(vectorized) + reference.var(ddof=1) / len(reference))
    difference = (reference.mean() - vectorized.mean()).abs()
    limit = 4 * se + 1e-3 * vectorized.mean().abs() + 1e-9
    return pd.DataFrame(
        {
            "vectorized": vectorized.mean(),
            "reference": reference.mean(),
            "difference": difference,
            "limit": limit,
            "ratio": difference / limit,
        }
    )


#: For each weekly process, the scene ("busy" or "calm") and the outcomes that show it.
RULE_OUTCOMES: dict[str, tuple[str, list[str]]] = {
    "spread_awareness": ("busy", ["unaware", "awareness"]),
    "first_purchases": (
        "busy",
        [
            "acquired",
            "acquired_with_discount",
            "referral_conversions",
            "returned",
            "unaware",
            "awareness",
            "ever a customer",
        ],
    ),
    "serve_customers": (
        "calm",
        [
            "episodes",
            "revenue",
            "repeat_purchases",
            "repeat_gift",
            "satisfaction of the cohort",
            "cost_channels",
        ],
    ),
    "failure_defections": ("leaving", ["lost_failure", "left angry after a failure"]),
    "disrespect_exits": ("leaving", ["lost_disrespect", "marketer"]),
    "learn_from_episodes": (
        "calm",
        [
            "trust_knowledge of the cohort",
            "trust_identification of the cohort",
            "satisfaction of the cohort",
        ],
    ),
    "update_calculus_trust": ("calm", ["trust_calculus of the cohort"]),
    "update_reference_discount": ("calm", ["reference_discount of the cohort"]),
    "invest_in_relationship": ("calm", ["switching_cost of the cohort", "tenure of the active"]),
    "give_gifts": (
        "busy",
        ["gifts", "cost_gifts", "satisfaction of the cohort", "goodwill of the cohort"],
    ),
    "update_commitment": ("calm", ["commitment of the cohort"]),
    "climb_stages": ("busy", ["exploration", "expansion", "commitment"]),
    "climb_tiers": (
        "busy",
        [
            "actual",
            "loyal",
            "marketer",
            "prospect",
            "former_actual",
            "former_loyal",
            "former_marketer",
            "tier rises",
            "tier falls",
            "ever loyal",
            "ever a marketer",
        ],
    ),
    "competitor_offers": ("leaving", ["competitor_offers", "lost_competitor"]),
    "quiet_lapses": ("leaving", ["lost_drift"]),
    "make_referrals": ("busy", ["referrals", "referrals_gift", "pending referrals", "awareness"]),
    "spread_negative_word": (
        "busy",
        [
            "negative_wom",
            "heard_negative",
            "trust_calculus of the cohort",
            "expectation of the aware",
        ],
    ),
    "win_back": ("busy", ["win_back_offers", "won_back"]),
    "former_customers_reconsider": ("busy", ["awareness", "dissolution"]),
    "people_come_and_go": ("busy", ["lost_moved", "unaware", "tenure of the active"]),
}
SCENES = ("busy", "leaving", "calm", "promised", "movers")


@pytest.fixture(scope="module")
def starts() -> dict[str, CRMModel]:
    return {scene: busy_market(scene) for scene in SCENES}


@pytest.fixture(scope="module")
def unbroken(starts: dict[str, CRMModel]) -> dict[str, dict[str, pd.DataFrame]]:
    """Each scene's unbroken weeks, by engine."""
    return {
        scene: {engine: weeks(engine, starts[scene]) for engine in ("vectorized", "reference")}
        for scene in SCENES
    }


def test_the_rule_outcomes_cover_every_process():
    assert list(RULE_OUTCOMES) == [process.__name__ for process in WEEKLY_PROCESSES]


def test_the_busy_week_is_busy(unbroken):
    """Every rule has many events to act on (else its check could not fail)."""
    means = unbroken["busy"]["vectorized"].mean()
    for outcome in (
        "acquired", "referral_conversions", "episodes", "failures", "gifts", "referrals",
        "negative_wom", "win_back_offers", "won_back", "lost_moved", "returned", "repeat_gift",
        "referrals_gift", "complaints",
    ):  # fmt: skip
        assert means[outcome] >= 4, outcome
    leaving = unbroken["leaving"]["vectorized"].mean()
    for outcome in ("lost_failure", "lost_disrespect", "lost_competitor", "lost_drift"):
        assert leaving[outcome] >= 5, outcome
    assert leaving["left angry after a failure"] >= 2
    calm = unbroken["calm"]["vectorized"].mean()
    assert calm["lost"] == 0 and calm["episodes"] >= 200


@pytest.mark.parametrize("rule", list(RULE_OUTCOMES))
def test_rule_agrees(unbroken, rule):
    scene, outcomes = RULE_OUTCOMES[rule]
    report = disagreement(unbroken[scene]["vectorized"], unbroken[scene]["reference"])
    bad = report.loc[outcomes]
    assert (bad["ratio"] < 1).all(), f"{rule} disagrees\n{bad[bad['ratio'] >= 1]}"


@pytest.mark.parametrize("scene", SCENES)
def test_every_outcome_of_the_week_agrees(unbroken, scene):
    report = disagreement(unbroken[scene]["vectorized"], unbroken[scene]["reference"])
    assert (report["ratio"] < 1).all(), f"disagreement\n{report[report['ratio'] >= 1]}"


@pytest.mark.parametrize("scene", SCENES)
def test_every_outcome_of_the_keyed_week_agrees(starts, unbroken, scene):
    """Keyed streams (``CRMModel(streams="keyed")``) draw every number with the right law:
    one week from the same start agrees with the reference, outcome by outcome."""
    keyed = weeks("keyed", starts[scene])
    report = disagreement(keyed, unbroken[scene]["reference"])
    assert (report["ratio"] < 1).all(), f"disagreement\n{report[report['ratio'] >= 1]}"
    # and the keyed weeks are not the sequential ones (the streams were really used)
    assert not keyed.equals(unbroken[scene]["vectorized"])


# ---------------------------------------------------------------------------- the rule-break list
def _noop(*args: object) -> None:
    """A rule that does nothing."""


@dataclass(frozen=True)
class Break:
    """A deliberately broken variant of one engine: ``apply(monkeypatch)`` breaks ``rule``."""

    engine: str
    rule: str
    what: str
    apply: Callable[[pytest.MonkeyPatch], None]
    #: weeks the broken engine simulates (a removed rule shows in fewer)
    repeats: int = REPEATS
    #: the scene and outcomes that show this break, when not its rule's (a rule of serving
    #: that acts on failures shows in the busy scene, not the calm one)
    shown_by: tuple[str, list[str]] | None = None

    @property
    def id(self) -> str:
        return f"{self.engine}-{self.rule}-{self.what}"


def _without_process(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        processes = tuple(_noop if p.__name__ == name else p for p in WEEKLY_PROCESSES)
        monkeypatch.setattr(crmsim.model, "WEEKLY_PROCESSES", processes)

    return apply


def _without_method(*names: str) -> Callable[[pytest.MonkeyPatch], None]:
    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        for name in names:
            monkeypatch.setattr(ReferenceCustomer, name, _noop)

    return apply


def _constant(module: object, name: str, value: object) -> Callable[[pytest.MonkeyPatch], None]:
    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(module, name, value)

    return apply


def _scaled(module: object, name: str, factor: float) -> Callable[[pytest.MonkeyPatch], None]:
    """Wrap ``module.name`` (a function of arrays) so that its result is scaled."""

    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def scaled(*args: object, **kwargs: object) -> object:
            return factor * original(*args, **kwargs)

        monkeypatch.setattr(module, name, scaled)

    return apply


#: Reference method(s) of each process, removed by the reference's breaks (serving is
#: changed instead: without it the week's episode of the week before would be reused).
_REFERENCE_RULES = {
    "spread_awareness": ("hear_of_the_firm",),
    "first_purchases": ("consider_a_trial",),
    "failure_defections": ("leave_after_failure",),
    "disrespect_exits": ("leave_after_disrespect",),
    "learn_from_episodes": ("learn_from_episode",),
    "update_calculus_trust": ("update_calculus_trust",),
    "update_reference_discount": ("update_reference_discount",),
    "invest_in_relationship": ("invest_in_relationship",),
    "give_gifts": ("receive_gift",),
    "update_commitment": ("update_commitment",),
    "climb_stages": ("climb_stage",),
    "climb_tiers": ("climb_tier",),
    "competitor_offers": ("consider_competitor_offer",),
    "quiet_lapses": ("maybe_drift_away",),
    "make_referrals": ("forget_referral", "recommend_the_firm"),
    "spread_negative_word": ("speak_against_the_firm",),
    "win_back": ("consider_win_back",),
    "former_customers_reconsider": ("maybe_reconsider",),
    "people_come_and_go": ("maybe_leave_the_market",),
}
_HALF_ENGAGEMENT = {stage: value / 2 for stage, value in episodes.ENGAGEMENT.items()}

#: Constants changed in one engine at a time: (rule, name, new value, vectorized module).
#: The reference imports each under the same name.
_CHANGED_CONSTANTS = [
    ("serve_customers", "DISCONFIRMATION", 0.0, episodes),  # was 0.3
    ("make_referrals", "REFERRAL_FADE", 0.5, referrals),  # was 0.125: fade four times as fast
    ("spread_negative_word", "NEGATIVE_TRUST_HIT", 0.0, referrals),  # was 0.1
    ("spread_negative_word", "NEGATIVE_EXPECTATION_HIT", 0.0, referrals),  # was 0.1
    ("spread_negative_word", "NEGATIVE_MEMORY", 1.0, referrals),  # was 0.98: never forgotten
    ("learn_from_episodes", "KNOWLEDGE_GAIN", 0.04, trust),  # was 0.08
    ("learn_from_episodes", "IDENTIFICATION_GAIN", 0.03, trust),  # was 0.06
    ("update_commitment", "COMMITMENT_SPEED", 0.04, commitment_module),  # was 0.08
    ("serve_customers", "GOODWILL_PURCHASE_LIFT", 0.0, gifts),  # was 0.5
    ("give_gifts", "GOODWILL_KEPT", 1.0, gifts),  # was 0.9: goodwill never fades
    ("give_gifts", "GIFT_RESPONSE", {Tier.LOYAL: 0.9, Tier.MARKETER: 0.9}, gifts),  # .5, .8
    ("quiet_lapses", "GOODWILL_DRIFT_SHIELD", 0.0, gifts),  # was 1.0
    ("make_referrals", "GOODWILL_REFERRAL_LIFT", 0.0, gifts),  # was 1.0
    ("win_back", "OFFER_FATIGUE", 1.0, winback),  # was 0.6: refusals change nothing
    ("win_back", "WIN_BACK_HALF_LIFE", 2.0, winback),  # was 26 weeks
    # was 1 for competitor and drift, 0.5 for failure and disrespect
    ("win_back", "CAUSE_ACCEPT", dict.fromkeys(winback.CAUSE_ACCEPT, 0.2), winback),
    # explorers may become loyal (was expansion and commitment only)
    ("climb_tiers", "LOYAL_STAGES", (Stage.EXPLORATION, *ladders.LOYAL_STAGES), ladders),
    ("climb_tiers", "LOYAL_MONTHS", 1, ladders),  # was 3: four purchases in a burst will do
    ("climb_tiers", "MARKETER_REFERRALS", 0, ladders),  # was 1: a marketer who brought nobody
    # was 0.3: an unanswered complaint protects fully (removing the relief, a change of 0.3
    # in the risk of a few complainers a week, is below what one week can see)
    ("failure_defections", "VOICE_RELIEF", 1.0, episodes),
]
_ROTATED_CHANNEL_CUSTOMERS = (*books.CHANNEL_CUSTOMERS[1:], books.CHANNEL_CUSTOMERS[0])


def _during(engine: str, rule: str, change: Callable) -> Callable[[pytest.MonkeyPatch], None]:
    """Break ``rule`` in ``engine`` by running it under ``change`` (a context manager factory
    given the state or customer, and the week's or model's market holder)."""

    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        if engine == "reference":
            for name in _REFERENCE_RULES[rule]:
                original = getattr(ReferenceCustomer, name)

                def changed(person: ReferenceCustomer, original: Callable = original) -> None:
                    with change(person, person.model):
                        original(person)

                monkeypatch.setattr(ReferenceCustomer, name, changed)
            return
        processes = []
        for process in WEEKLY_PROCESSES:
            if process.__name__ == rule:

                @functools.wraps(process)
                def changed(state: CustomerState, week: object, process: Callable = process):
                    with change(state, week):
                        process(state, week)

                processes.append(changed)
            else:
                processes.append(process)
        monkeypatch.setattr(crmsim.model, "WEEKLY_PROCESSES", tuple(processes))

    return apply


@contextlib.contextmanager
def _equally_prone(holder: object, _market_holder: object) -> Iterator[None]:
    """Proneness 1 while the rule runs (a customer's number, or the state's array)."""
    kept = holder.churn_proneness
    holder.churn_proneness = 1.0 if isinstance(kept, float) else np.ones_like(kept)
    try:
        yield
    finally:
        holder.churn_proneness = kept


@contextlib.contextmanager
def _full_deepening(_holder: object, market_holder: object) -> Iterator[None]:
    """``Market.deepening`` read as 1 while the rule runs."""
    kept = market_holder.market
    market_holder.market = kept.replace(deepening=1.0)
    try:
        yield
    finally:
        market_holder.market = kept


@contextlib.contextmanager
def _promise_ignored(_holder: object, policy_holder: object) -> Iterator[None]:
    """``Policy.promise`` read as None (no reference for quality) while the rule runs."""
    kept = policy_holder.policy
    policy_holder.policy = kept.replace(promise=None)
    try:
        yield
    finally:
        policy_holder.policy = kept


#: The rules that value the firm's offer against a promise, and the promised scene's
#: outcomes that show each (trials show it through the aware whose expectation moved off
#: the promise: those who heard against the firm, former customers who reconsidered).
_PROMISE_RULES = {
    "first_purchases": ["acquired", "ever a customer"],
    "update_calculus_trust": ["trust_calculus of the cohort"],
    "competitor_offers": ["competitor_offers", "lost_competitor"],
}


@functools.cache
def _every_mover_lost(market: Market) -> Market:
    return market.replace(mover_loss=1.0)


@contextlib.contextmanager
def _movers_always_lost(_holder: object, market_holder: object) -> Iterator[None]:
    """``Market.mover_loss`` read as 1 (every moving customer lost) while the rule runs."""
    kept = market_holder.market
    market_holder.market = _every_mover_lost(kept)
    try:
        yield
    finally:
        market_holder.market = kept


#: The rules of leaving, each scaled by proneness; the last three protect by the deepening.
_LEAVING_RULES = ("failure_defections", "disrespect_exits", "competitor_offers", "quiet_lapses")


def _reference_reach_without_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reference customer takes a tier without raising the highest tier on record."""
    monkeypatch.setattr(ReferenceCustomer, "reach", lambda self, tier: setattr(self, "tier", tier))


def _vectorized_counts_former_as_prospects(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vectorized frame counts former customers as prospects, as it did before."""
    original = CustomerState.tier_counts

    def as_before(self: CustomerState, active: np.ndarray | None = None) -> np.ndarray:
        counts = original(self, active)
        counts[0] += counts[4:].sum()
        counts[4:] = 0
        return counts

    monkeypatch.setattr(CustomerState, "tier_counts", as_before)


def _reference_counts_former_as_prospects(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference's frame counts former customers as prospects, as it did before."""
    original = ReferenceModel.tier_counts

    def as_before(self: ReferenceModel) -> tuple:
        tiers, former = original(self)
        tiers[Tier.PROSPECT] += sum(former.values())
        return tiers, type(former)()

    monkeypatch.setattr(ReferenceModel, "tier_counts", as_before)


def _returning(module: object, name: str, value: object) -> Callable[[pytest.MonkeyPatch], None]:
    """Replace the function ``module.name`` by one that returns ``value``."""

    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(module, name, lambda *args, **kwargs: value)

    return apply


BREAKS: list[Break] = [
    *(
        Break("reference", rule, "removed", _without_method(*methods), REMOVED_REPEATS)
        for rule, methods in _REFERENCE_RULES.items()
    ),
    *(
        Break("vectorized", rule, "removed", _without_process(rule), REMOVED_REPEATS)
        for rule in RULE_OUTCOMES
        if rule != "serve_customers"  # later processes need the week's episodes
    ),
    Break(
        "reference",
        "serve_customers",
        "half the purchases",
        _constant(reference, "ENGAGEMENT", _HALF_ENGAGEMENT),
    ),
    Break(
        "vectorized",
        "serve_customers",
        "half the purchases",
        _scaled(episodes, "episode_probability", 0.5),
    ),
    # the price rules inside a process: buying as often at any price, never giving up
    Break(
        "reference",
        "serve_customers",
        "no share of wallet",
        _returning(ReferenceCustomer, "share_of_wallet", 1.0),
    ),
    Break(
        "vectorized",
        "serve_customers",
        "no share of wallet",
        _returning(episodes, "share_of_wallet", 1.0),
    ),
    Break(
        "reference",
        "first_purchases",
        "nobody settles elsewhere",
        _without_method("maybe_settle_elsewhere"),
    ),
    Break(
        "vectorized",
        "first_purchases",
        "nobody settles elsewhere",
        _constant(trials_module, "settle_elsewhere", _noop),
    ),
    *(
        Break(engine, rule, f"{name} {value}", _constant(module, name, value))
        for rule, name, value, vectorized_module in _CHANGED_CONSTANTS
        for engine, module in (("reference", reference), ("vectorized", vectorized_module))
    ),
    # every hazard of leaving scales with proneness, and depth protects by the deepening
    *(
        Break(engine, rule, "proneness ignored", _during(engine, rule, _equally_prone))
        for rule in _LEAVING_RULES
        for engine in ("reference", "vectorized")
    ),
    *(
        Break(engine, rule, "deepening ignored", _during(engine, rule, _full_deepening))
        for rule in _LEAVING_RULES[:1] + _LEAVING_RULES[2:]
        for engine in ("reference", "vectorized")
    ),
    # mover_loss ignored: every customer who moves is lost and replaced
    *(
        Break(
            engine,
            "people_come_and_go",
            "movers always lost",
            _during(engine, "people_come_and_go", _movers_always_lost),
            shown_by=("movers", ["lost_moved", "lost"]),
        )
        for engine in ("reference", "vectorized")
    ),
    # the quality term judged against the promise: ignored, each rule values the offer by
    # the expectation alone
    *(
        Break(
            engine,
            rule,
            "promise ignored",
            _during(engine, rule, _promise_ignored),
            shown_by=("promised", outcomes),
        )
        for rule, outcomes in _PROMISE_RULES.items()
        for engine in ("reference", "vectorized")
    ),
    # the highest tier on record is never raised (by a first purchase, a return or a climb)
    *(
        Break(engine, rule, "highest tier not kept", apply)
        for rule in ("first_purchases", "climb_tiers")
        for engine, apply in (
            ("reference", _reference_reach_without_record),
            ("vectorized", _returning(CustomerState, "reach", None)),
        )
    ),
    Break(
        "vectorized",
        "climb_tiers",
        "former customers counted as prospects",
        _vectorized_counts_former_as_prospects,
    ),
    Break(
        "reference",
        "climb_tiers",
        "former customers counted as prospects",
        _reference_counts_former_as_prospects,
    ),
    # channels: a closed channel silences nobody; each customer's load charged to the next
    # channel's cost
    *(
        Break(
            engine,
            "serve_customers",
            "UNSTAFFED_VOICE 1.0",
            _constant(module, "UNSTAFFED_VOICE", 1.0),  # was 0.5
            shown_by=("busy", ["complaints"]),
        )
        for engine, module in (("reference", reference), ("vectorized", episodes))
    ),
    *(
        Break(
            engine,
            "serve_customers",
            "loads on the wrong channel",
            _constant(module, "CHANNEL_CUSTOMERS", _ROTATED_CHANNEL_CUSTOMERS),
        )
        for engine, module in (("reference", reference), ("vectorized", episodes))
    ),
]


def caught_by(broken: Break, starts: dict[str, CRMModel], unbroken: dict) -> pd.DataFrame:
    """The rule's outcomes when ``broken`` is applied (by the caller) to its engine."""
    scene, outcomes = broken.shown_by or RULE_OUTCOMES[broken.rule]
    rows = {**unbroken[scene], broken.engine: weeks(broken.engine, starts[scene], broken.repeats)}
    return disagreement(rows["vectorized"], rows["reference"]).loc[outcomes]


@pytest.mark.parametrize("broken", BREAKS, ids=lambda b: b.id)
def test_a_broken_rule_is_caught(starts, unbroken, monkeypatch, broken):
    """Each deliberately broken variant makes its rule's agreement check fail."""
    broken.apply(monkeypatch)
    report = caught_by(broken, starts, unbroken)
    assert (report["ratio"] >= 1).any(), f"{broken.id} was not caught\n{report}"


def main() -> None:
    """Print, for every break, how far beyond its limit its rule's outcomes land."""
    starts = {scene: busy_market(scene) for scene in SCENES}
    base = {
        scene: {engine: weeks(engine, starts[scene]) for engine in ("vectorized", "reference")}
        for scene in SCENES
    }
    for scene in SCENES:
        report = disagreement(base[scene]["vectorized"], base[scene]["reference"])
        print(f"{scene}, unbroken: largest |difference| / limit {report['ratio'].max():.2f}")
    for broken in BREAKS:
        with pytest.MonkeyPatch.context() as monkeypatch:
            broken.apply(monkeypatch)
            ratios = caught_by(broken, starts, base)["ratio"]
        print(f"{broken.id:<70} {ratios.max():8.2f} ({ratios.idxmax()})")


if __name__ == "__main__":
    sys.exit(main())
