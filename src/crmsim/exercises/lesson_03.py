"""Exercises for lesson 03, trust and commitment: calculus, knowledge and identification trust.

Examples
--------
>>> from crmsim.exercises import lesson_03 as ex
>>> ex.q1.check(ex.overall_trust("expansion", 0.8, 0.5, 0.1), quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from crmsim import CRMModel, Policy, Stage
from crmsim.exercises.core import Feedback, Question, as_number, close_to
from crmsim.state import TRUST_WEIGHTS

# ---------------------------------------------------------------- q1: overall trust
#: The customer of question 1: a stage and the three trust components.
Q1_CUSTOMER = {"stage": "expansion", "calculus": 0.8, "knowledge": 0.5, "identification": 0.1}


def overall_trust(
    stage: str | Stage, calculus: float, knowledge: float, identification: float
) -> float:
    """Overall trust of a customer at ``stage``: the components mixed with that stage's weights."""
    stage = stage if isinstance(stage, Stage) else Stage[str(stage).upper()]
    return float(TRUST_WEIGHTS[stage] @ np.array([calculus, knowledge, identification]))


def _check_overall(answer) -> Feedback:
    c = Q1_CUSTOMER
    parts = (c["calculus"], c["knowledge"], c["identification"])
    if close_to(overall_trust(c["stage"], *parts), rel=1e-6)(answer):
        return Feedback(
            True,
            "in expansion knowledge trust weighs most, so the customer's good record "
            "counts for more than the deal itself.",
        )
    if close_to(sum(parts) / 3, rel=1e-6)(answer):
        return Feedback(
            False,
            "you gave the three components equal weight. The model weighs them by "
            "stage: look up the expansion row of `TRUST_WEIGHTS`.",
        )
    for other in (Stage.EXPLORATION, Stage.COMMITMENT):
        if close_to(overall_trust(other, *parts), rel=1e-6)(answer):
            return Feedback(
                False,
                f"you used the weights of {other.name.lower()}. This customer is in "
                "expansion: use that row of `TRUST_WEIGHTS`.",
            )
    return Feedback(
        False,
        "not the overall trust. Multiply each component by its weight for the "
        "customer's stage and add the three products.",
    )


q1 = Question(
    "overall trust in expansion",
    _check_overall,
    hints=[
        "`crmsim.state.TRUST_WEIGHTS[Stage.EXPANSION]` holds the weights of (calculus, knowledge, "
        "identification) for that stage.",
        "Overall trust is a weighted sum: weight times component, added over the three components.",
    ],
    solution=(
        "weights = TRUST_WEIGHTS[Stage.EXPANSION]\n"
        "answer = weights[0] * 0.8 + weights[1] * 0.5 + weights[2] * 0.1"
    ),
)


# ------------------------------------------------- q2: consistency builds knowledge trust
#: The runs of question 2: a respectful firm whose service is steady or erratic.
Q2_RUN = {"n_customers": 1_500, "weeks": 104, "rng": 3}
Q2_VARIABILITY = {"steady": 0.05, "erratic": 0.3}


def consistency_policy(variability: float) -> Policy:
    """The firm of question 2 with the given service variability."""
    return Policy(service_quality=0.75, respect=0.7, service_variability=variability)


@lru_cache(maxsize=4)
def _knowledge_at_end(variability: float) -> float:
    model = CRMModel(
        n_customers=Q2_RUN["n_customers"], policy=consistency_policy(variability), rng=Q2_RUN["rng"]
    )
    model.run(Q2_RUN["weeks"], progress=False)
    return float(model.frame["trust_knowledge"].iloc[-1])


def _check_consistency(answer) -> Feedback:
    steady, erratic = (_knowledge_at_end(v) for v in Q2_VARIABILITY.values())
    gap = steady - erratic
    if close_to(gap, rel=1e-6)(answer):
        return Feedback(
            True,
            "the same average quality, delivered predictably, builds far more "
            "knowledge-based trust: customers can foresee what they will get.",
        )
    if close_to(-gap, rel=1e-6)(answer):
        return Feedback(
            False, "right size, wrong sign: the question asks for steady minus erratic."
        )
    if close_to(steady, rel=1e-6)(answer) or close_to(erratic, rel=1e-6)(answer):
        return Feedback(
            False, "that is one run's value. The answer is the difference between the two runs."
        )
    return Feedback(
        False,
        "not the difference in mean knowledge trust at the last week. Run both "
        "policies with the same size and seed, read `trust_knowledge` in the last row of "
        "each frame, and subtract.",
    )


q2 = Question(
    "consistency and knowledge trust",
    _check_consistency,
    hints=[
        "Build the two policies with `ex.consistency_policy(variability)`; only the "
        "variability differs.",
        "`model.frame['trust_knowledge'].iloc[-1]` is the mean knowledge trust of active "
        "customers in "
        "the last week.",
    ],
    solution=(
        "ends = {}\n"
        "for name, variability in ex.Q2_VARIABILITY.items():\n"
        "    model = CRMModel(n_customers=1_500, policy=ex.consistency_policy(variability), "
        "rng=3)\n"
        "    model.run(104)\n"
        "    ends[name] = model.frame['trust_knowledge'].iloc[-1]\n"
        "answer = ends['steady'] - ends['erratic']"
    ),
)


# ------------------------------------------------- q3: commitment and a competitor's campaign
#: The campaign of question 3: weeks before it starts, its length, and the market during it.
Q3_CAMPAIGN = {
    "start": 130,
    "weeks": 13,
    "competitor_offer_rate": 0.5,
    "competitor_offer_boost": 0.6,
}


def competitor_campaign(
    start: int = 130, weeks: int = 13, rate: float = 0.5, boost: float = 0.6, rng: int = 3
) -> dict[str, float]:
    """Share of the customers in each active stage at ``start`` whom a competitor's campaign takes.

    The firm is question 2's steady one (1,500 customers). At week ``start`` the competitor
    starts approaching customers far more often (``rate``) with better offers (``boost``).
    """
    model = CRMModel(n_customers=1_500, policy=consistency_policy(0.05), rng=rng)
    model.run(start, progress=False)
    stage_then = model.state.stage.copy()
    model.market = model.market.replace(competitor_offer_rate=rate, competitor_offer_boost=boost)
    model.run(weeks, progress=False)
    losses = model.losses
    to_rival = losses.loc[(losses["week"] >= start) & (losses["cause"] == "competitor"), "customer"]
    shares = {}
    for stage in (Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT):
        members = np.flatnonzero(stage_then == stage)
        shares[stage.name.lower()] = (
            float(np.isin(members, to_rival).mean()) if len(members) else float("nan")
        )
    return shares


@lru_cache(maxsize=1)
def _q3_shares() -> dict[str, float]:
    c = Q3_CAMPAIGN
    return competitor_campaign(
        c["start"], c["weeks"], c["competitor_offer_rate"], c["competitor_offer_boost"]
    )


def _check_campaign(answer) -> Feedback:
    shares = _q3_shares()
    if close_to(shares["expansion"], rel=1e-6)(answer):
        committed, outcome = (
            ("none of the committed customers", "here it never did")
            if shares["commitment"] == 0
            else (f"{shares['commitment']:.1%} of committed customers", "it rarely does")
        )
        return Feedback(
            True,
            f"compare with {committed}: to win one, the offer has to beat their commitment "
            f"*and* their switching cost, and {outcome}.",
        )
    for stage in ("exploration", "commitment"):
        if close_to(shares[stage], rel=1e-6)(answer):
            return Feedback(
                False,
                f"that is the share for customers in {stage}. The question is about "
                "those in expansion when the campaign began.",
            )
    value = as_number(answer)
    if value is not None and value > 1:
        return Feedback(
            False, "give the share as a fraction between 0 and 1, not a count or a percentage."
        )
    return Feedback(
        False,
        "not the share of expansion-stage customers taken by the competitor. Note "
        "each customer's stage when the campaign starts, change `model.market`, run the "
        "campaign's weeks, and look up who left with cause 'competitor'.",
    )


q3 = Question(
    "a competitor's campaign",
    _check_campaign,
    hints=[
        "Copy `model.state.stage` *before* the campaign: stages change as people leave.",
        "`model.market = model.market.replace(competitor_offer_rate=..., "
        "competitor_offer_boost=...)` "
        "changes the market mid-run.",
        "Losses to the rival are rows of `model.losses` with `cause == 'competitor'` from the "
        "campaign's first week on; `np.isin` tells which expansion customers are among them.",
    ],
    solution=(
        "model = CRMModel(n_customers=1_500, policy=ex.consistency_policy(0.05), rng=3)\n"
        "model.run(130)\n"
        "stage_then = model.state.stage.copy()\n"
        "model.market = model.market.replace(competitor_offer_rate=0.5, "
        "competitor_offer_boost=0.6)\n"
        "model.run(13)\n"
        "losses = model.losses\n"
        "to_rival = losses.loc[(losses['week'] >= 130) & (losses['cause'] == 'competitor'), "
        "'customer']\n"
        "expanding = np.flatnonzero(stage_then == Stage.EXPANSION)\n"
        "answer = np.isin(expanding, to_rival).mean()"
    ),
)

__all__ = [
    "Q1_CUSTOMER",
    "Q2_RUN",
    "Q2_VARIABILITY",
    "Q3_CAMPAIGN",
    "competitor_campaign",
    "consistency_policy",
    "overall_trust",
    "q1",
    "q2",
    "q3",
]
