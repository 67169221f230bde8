"""Agreement with power: each weekly rule, in both engines, from a state full of its events.

``tests/test_reference.py`` compares long runs; those could not tell a reference without
fading referrals, without the trust hit of negative word of mouth or without the marketer
trap from the vectorized engine, because those events are rare under the scenarios' levers.
Here both engines simulate **one week from one shared state** built so that every rule has
many events to act on (:func:`busy_market`): a quarter of the people are still unaware, a
fifth aware (half of them referred by a friend), two fifths customers in every stage and
tier (marketers in commitment, everyone close to a ladder's threshold), the rest former
customers, half of them angry and still talking; the levers make failures, breaches,
complaints, competitor offers, lapses, gifts (a gift week), discounts for new customers,
referrals and win-back offers frequent; the firm is dearer than the competitor, so customers
buy less for it and aware prospects settle elsewhere; it staffs only e-mail, so most
customers who meet a failure reach it through a channel they like less; some of the aware
are former customers who reconsidered, so a purchase is a return; and 2 % of people leave
the category.

The check (:func:`disagreement`): each engine simulates that week ``REPEATS`` times with
fresh random numbers; for every outcome (the weekly row, and a few state summaries the row
lacks: pending referrals, mean reference discount, mean negative word heard, mean tenure)
the two means must satisfy (``left angry after a failure`` counts those who left this
week after a failure they complained about in vain)::

    |mean_reference - mean_vectorized| < 4 * SE + 1e-3 * |mean_vectorized| + 1e-9

with ``SE = sqrt(s_r^2 / k + s_v^2 / k)``. Why 4: under agreement the difference over its
standard error is about normal (2 x 40 repeats), beyond 4 with probability 6e-5, so over
the ~100 outcomes of a scene a false alarm has a chance under 1 %; the seeds are fixed, so
the verdict does not change from run to run. The relative slack covers rounding (the
reference fades negative word by a power, the engine by repeated products) and outcomes
without spread (costs).

Two scenes: ``busy`` (the events above) and ``calm`` (:data:`CALM_MARKET`: nobody fails, is
disrespected, tempted or drifts off, and commitment starts well below its target), where
the gradual rules (learning, the calculus of value, the reference discount, investments,
commitment, disconfirmation) show in the means over the week's first customers (a fixed
set of people, so who came and went adds no noise).

Power. :data:`RULE_OUTCOMES` names, for each process of ``WEEKLY_PROCESSES``, its scene and
the outcomes that show it; ``test_rule_agrees`` checks them. ``test_a_broken_rule_is_caught``
runs the rule-break list (:data:`BREAKS`, 82 variants): every rule removed in the reference
and, separately, in the vectorized engine (serving, which later rules need, has half the
purchases instead), the two price rules inside processes switched off in each engine (the
share of wallet, settling with the competitor), constants changed in each engine
(disconfirmation 0.3 -> 0,
referrals that never fade, no trust hit and no expectation hit from negative word of mouth,
negative word never forgotten, knowledge and identification gains and commitment speed
halved, the goodwill of gifts and the win-back constants changed, a complaint left
unresolved protecting fully from leaving instead of relieving 0.3 of the risk), and the
channel rules in each engine: a closed channel that silences nobody (shown by the busy
scene's complaints, :attr:`Break.shown_by`) and each customer's load counted under the next
channel (shown by the cost of the channels). Every break makes its rule's check fail.
Measured when written (``python tests/test_agreement.py`` prints it): unbroken, the largest
|difference| / limit was 0.54 (busy) and 0.40 (calm); broken, the smallest was 1.18 (offers
that never wear out in the reference; 1.72 in the vectorized engine), then 1.25 and 1.33
(referrals that never fade), 2.1-2.2 (disconfirmation removed), 2.7-3.9 (identification or
knowledge gain halved), 2.4 and 3.2 (full protection by a complaint), 2.4 and 3.1 (a closed
channel silencing nobody), at least 3.2 for the price rules switched off, and at least 3.5
for every removed rule (simulated 16 times instead of 40). So one week detects a rule's
removal with a wide margin and halving a gain with a margin of about 2; a change of 10-20 %
in a constant is below what it can see, and so is removing the relief a complaint gives (a
change of 0.3 in the risk of the two or three complainers a week who leave angry): the long
runs of ``tests/test_reference.py`` and ``tests/test_course_behaviour.py`` cover the rules
that move many customers.

Vectorized breaks replace an entry of ``crmsim.model.WEEKLY_PROCESSES`` by a no-op, wrap a
helper the process calls, or change a module constant; they never copy a process body.

Size: 1,000 people, 40 repeats per engine and scene, computed once per module; each break
reruns only its engine. The module takes about 30 s.
"""

from __future__ import annotations

import copy
import functools
import sys
from collections.abc import Callable
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
from crmsim.state import LOYALTY_WINDOW
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
    # dearer than the competitor, with customers who buy less for it and prospects who
    # give up on it
    price=24.0,
    price_response=4.0,
    consideration_lapse=0.15,
    reconsideration=0.3,
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


def busy_market(calm: bool = False) -> CRMModel:
    """A vectorized model in a state where every rule of the week has many events.

    A few warm-up weeks give the market its history (purchases, trust); then each person is
    given a role at random, with the state that role needs. ``calm`` uses the calm levers.
    """
    policy, market = (CALM_POLICY, CALM_MARKET) if calm else (POLICY, MARKET)
    model = CRMModel(N_CUSTOMERS, policy=policy, market=market, rng=SEED, history=False)
    model.run(WARM_UP_WEEKS, progress=False)
    state, week = model.state, model.week
    rng = np.random.default_rng(SEED)
    n = state.n
    role = rng.choice(4, size=n, p=[0.25, 0.2, 0.4, 0.15])  # dormant, aware, active, gone
    dormant, aware, active, gone = (np.flatnonzero(role == r) for r in range(4))

    state.stage[dormant] = Stage.UNAWARE
    state.stage[aware] = Stage.AWARENESS
    state.tier[np.concatenate([dormant, aware, gone])] = Tier.PROSPECT
    state.referred_by[:] = -1
    # most of the aware were referred by a customer (some referrals fade, some convert)
    referred = aware[: 3 * len(aware) // 4]
    state.referred_by[referred] = rng.choice(active, size=len(referred))
    # a fifth of the aware are former customers who reconsidered: a purchase is a return
    state.first_purchase_week[aware[::5]] = rng.integers(0, week, size=len(aware[::5]))

    # customers in every stage and tier, close to the ladders' thresholds
    k = len(active)
    state.stage[active] = rng.choice(
        [Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT], size=k, p=[0.3, 0.3, 0.4]
    )
    state.tier[active] = rng.choice([Tier.ACTUAL, Tier.LOYAL], size=k)
    committed = active[state.stage[active] == Stage.COMMITMENT]
    state.tier[committed[: len(committed) // 2]] = Tier.MARKETER
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


def summary(people: dict[str, np.ndarray], cohort: np.ndarray, week: int) -> dict[str, float]:
    """State outcomes the weekly row lacks, from per-person arrays (either engine);
    ``cohort`` marks the customers active when the week began, ``week`` is the week run."""
    active = (people["stage"] >= Stage.EXPLORATION) & (people["stage"] <= Stage.COMMITMENT)
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
    }


#: The per-person variables :func:`summary` reads.
PERSON_VARIABLES = (
    "stage",
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
    cohort = state.active_mask()
    start.state = copy.deepcopy(state)
    start.rng = np.random.default_rng(seed)
    try:
        start.step()
        after = start.state
        people = {name: getattr(after, name) for name in PERSON_VARIABLES}
        people["referred"] = after.referred_by >= 0
        return {**start._row, **summary(people, cohort, week)}
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
    cohort = start.state.active_mask()
    model = ReferenceModel.from_crm_model(start, rng=seed)
    model.step()
    people = {name: np.array([getattr(p, name) for p in model.people]) for name in PERSON_VARIABLES}
    people["referred"] = np.array([p.referred_by is not None for p in model.people])
    return {**model._row, **summary(people, cohort, start.week)}


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
    "failure_defections": ("busy", ["lost_failure", "left angry after a failure"]),
    "disrespect_exits": ("busy", ["lost_disrespect", "marketer"]),
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
    "climb_tiers": ("busy", ["actual", "loyal", "marketer"]),
    "competitor_offers": ("busy", ["competitor_offers", "lost_competitor"]),
    "quiet_lapses": ("busy", ["lost_drift"]),
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
SCENES = ("busy", "calm")


@pytest.fixture(scope="module")
def starts() -> dict[str, CRMModel]:
    return {scene: busy_market(calm=scene == "calm") for scene in SCENES}


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
        "acquired", "referral_conversions", "episodes", "failures", "lost_failure",
        "lost_disrespect", "gifts", "competitor_offers", "lost_competitor", "lost_drift",
        "referrals", "negative_wom", "win_back_offers", "won_back", "lost_moved", "returned",
        "repeat_gift", "referrals_gift", "complaints",
    ):  # fmt: skip
        assert means[outcome] >= 4, outcome
    assert means["left angry after a failure"] >= 2
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
    ("make_referrals", "REFERRAL_FADE", 0.0, referrals),  # was 0.125: referrals never fade
    ("spread_negative_word", "NEGATIVE_TRUST_HIT", 0.0, referrals),  # was 0.1
    ("spread_negative_word", "NEGATIVE_EXPECTATION_HIT", 0.0, referrals),  # was 0.1
    ("spread_negative_word", "NEGATIVE_MEMORY", 1.0, referrals),  # was 0.98: never forgotten
    ("learn_from_episodes", "KNOWLEDGE_GAIN", 0.04, trust),  # was 0.08
    ("learn_from_episodes", "IDENTIFICATION_GAIN", 0.03, trust),  # was 0.06
    ("update_commitment", "COMMITMENT_SPEED", 0.04, commitment_module),  # was 0.08
    ("serve_customers", "GOODWILL_PURCHASE_LIFT", 0.0, gifts),  # was 0.5
    ("give_gifts", "GOODWILL_KEPT", 1.0, gifts),  # was 0.9: goodwill never fades
    ("give_gifts", "GIFT_RESPONSE", {Tier.LOYAL: 0.7, Tier.MARKETER: 0.7}, gifts),  # loyal 0.4
    ("quiet_lapses", "GOODWILL_DRIFT_SHIELD", 0.0, gifts),  # was 1.0
    ("make_referrals", "GOODWILL_REFERRAL_LIFT", 0.0, gifts),  # was 1.0
    ("win_back", "OFFER_FATIGUE", 1.0, winback),  # was 0.6: refusals change nothing
    ("win_back", "WIN_BACK_HALF_LIFE", 2.0, winback),  # was 26 weeks
    # was 1 for competitor and drift, 0.5 for failure and disrespect
    ("win_back", "CAUSE_ACCEPT", dict.fromkeys(winback.CAUSE_ACCEPT, 0.2), winback),
    # was 0.3: an unanswered complaint protects fully (removing the relief, a change of 0.3
    # in the risk of a few complainers a week, is below what one week can see)
    ("failure_defections", "VOICE_RELIEF", 1.0, episodes),
]
_ROTATED_CHANNEL_CUSTOMERS = (*books.CHANNEL_CUSTOMERS[1:], books.CHANNEL_CUSTOMERS[0])


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
    starts = {scene: busy_market(calm=scene == "calm") for scene in SCENES}
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
