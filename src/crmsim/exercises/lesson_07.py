"""Exercises for lesson 7: from prospect to marketer — CRM, CEM and CAM and their KPIs.

Checkers compute the expected answers from seeded runs of the bundled
``customer_centric`` and ``baseline`` scenarios, from the attribution rule in
:mod:`crmsim.attribution` and from :func:`crmsim.analysis.time_to_tier`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crmsim.exercises.core import Feedback, Question, as_number, is_percentage_of

#: The run of question 1: the customer-centric firm that also gives its loyal and marketer
#: customers a special discount (so a repeat purchase does not always bring in the price).
CEM_RUN = {
    "scenario": "customer_centric",
    "discount": 0.05,
    "discount_target": ("loyal", "marketer"),
    "weeks": 156,
    "rng": 4,
}
#: The run of question 3: customer-centric, but staff who respect customers much less.
TRAP_RUN = {
    "scenario": "customer_centric",
    "respect": 0.4,
    "n_customers": 1_500,
    "weeks": 156,
    "rng": 2,
}


#: The run of question 4: the baseline firm, whose history times the climb to loyal.
LADDER_RUN = {"scenario": "baseline", "weeks": 156, "rng": 1, "tier": "loyal", "within": 26}


@lru_cache(maxsize=1)
def _cem_frame():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(CEM_RUN["scenario"])
    policy = sc.policy.replace(
        discount=CEM_RUN["discount"], discount_target=set(CEM_RUN["discount_target"])
    )
    model = CRMModel(**sc.kwargs | {"policy": policy}, rng=CEM_RUN["rng"], history=False)
    model.run(CEM_RUN["weeks"], progress=False)
    return model.frame


@lru_cache(maxsize=1)
def _trap_model():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(TRAP_RUN["scenario"])
    kwargs = sc.kwargs | {
        "policy": sc.policy.replace(respect=TRAP_RUN["respect"]),
        "n_customers": TRAP_RUN["n_customers"],
    }
    model = CRMModel(**kwargs, rng=TRAP_RUN["rng"], history=False)
    model.run(TRAP_RUN["weeks"], progress=False)
    return model


# --------------------------------------------------------------------------- q1
def _expected_q1() -> float:
    f = _cem_frame()
    return float(f["repeat_spend_respect"].sum() / f["repeat_spend"].sum())


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: a share between 0 and 1.")
    f = _cem_frame()
    expected = _expected_q1()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            "Right. In this scenario respect is the motive that weighs most in most repeat "
            "purchases, so it collects most of the credit; the small discount almost never "
            "outweighs it, and the gift gets only the purchases its goodwill tipped. Remember "
            "that this is 'main motive' accounting, not the effect of a lever (see the "
            "notebook's counterfactual).",
        )
    if is_percentage_of(value, expected):
        return Feedback(False, "That looks like a percentage; give a share between 0 and 1.")
    if abs(value - f["repeat_respect"].sum() / f["repeat_purchases"].sum()) < 0.002:
        return Feedback(
            False,
            "That is the share of repeat *purchases*. The question asks for the share of repeat "
            "*spend*: use the repeat_spend columns (a discounted purchase brings in less money).",
        )
    if abs(value - f["repeat_spend_respect"].sum() / f["revenue"].sum()) < 0.002:
        return Feedback(
            False,
            "You divided by all revenue, first purchases included. CEM looks at repeat "
            "business only: divide by the total repeat spend.",
        )
    return Feedback(
        False,
        "Not the model's figure. Run the customer_centric scenario with the 5 % special "
        "discount for loyal and marketer customers, rng=4, for 156 weeks, and compare the "
        "spend attributed to respect with all repeat spend.",
    )


q1 = Question(
    "CEM: repeat spend due to respect",
    _check_q1,
    hints=[
        "The frame has repeat_spend (all repeat purchases) and repeat_spend_<motive> for "
        "respect, discount and gift.",
        "Sum both columns over all weeks, then divide.",
    ],
    solution=(
        "sc = scenarios.load('customer_centric')\n"
        "policy = sc.policy.replace(discount=0.05, discount_target={'loyal', 'marketer'})\n"
        "model = CRMModel(**sc.kwargs | {'policy': policy}, rng=4, history=False)\n"
        "model.run(156, progress=False)\n"
        "f = model.frame\n"
        "answer = f['repeat_spend_respect'].sum() / f['repeat_spend'].sum()"
    ),
)


# --------------------------------------------------------------------------- q2
#: The loyal customer of question 2, and the week's offer.
CUSTOMER = {"price_sensitivity": 0.9, "respect_felt": 0.6}
OFFER = {"discount": 0.15, "price": 20.0}
#: The week of the purchase: the customer's chance of buying without and with the goodwill
#: their gifts left, and the uniform draw that decided it (a purchase when draw < chance).
CHANCE = {"without_goodwill": 0.30, "with_goodwill": 0.36, "draw": 0.33}


def _strengths() -> dict[str, float]:
    """The strengths of the motives other than the gift (crmsim.attribution)."""
    from crmsim.attribution import RESPECT_WEIGHT

    ps, felt = CUSTOMER["price_sensitivity"], CUSTOMER["respect_felt"]
    return {
        "respect": RESPECT_WEIGHT * max(0.0, 2 * felt - 1),
        "discount": ps * OFFER["discount"],
    }


def _tipped() -> bool:
    """Did the gift's goodwill tip the purchase (bought with it, same luck not without)?"""
    c = CHANCE
    return c["without_goodwill"] <= c["draw"] < c["with_goodwill"]


def _expected_q2() -> str:
    if _tipped():
        return "gift"
    strengths = _strengths()
    return max(strengths, key=strengths.get)


def _check_q2(answer: Any) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(
            False, "Give the motive's name as a string: 'respect', 'discount' or 'gift'."
        )
    name = answer.strip().lower()
    if name not in (*_strengths(), "gift"):
        return Feedback(
            False, "A repeat purchase is credited to 'respect', 'discount' or 'gift' (or 'none')."
        )
    expected = _expected_q2()
    if name == expected:
        if expected == "gift":
            return Feedback(
                True,
                "Right: with the same luck the customer would not have bought without the "
                "goodwill of the gifts, so the gift tipped the purchase and takes all of it, "
                "whatever the other motives weigh.",
            )
        return Feedback(
            True,
            "Right: the gift did not tip this purchase, and of the other motives this one "
            "weighs most for the customer, so the whole purchase is counted under it.",
        )
    if name == "respect":
        return Feedback(
            False,
            "Only *special* respect counts, the part above neutral: the respect strength is "
            "RESPECT_WEIGHT * (2 * respect_felt - 1). And before comparing strengths, ask "
            "whether the gift tipped the purchase.",
        )
    if name == "discount":
        return Feedback(
            False,
            "The discount has the larger strength of the two motives that have one, but the "
            "rule asks something else first: would the same draw have made the purchase "
            "without the goodwill the gifts left?",
        )
    return Feedback(
        False,
        "A gift is credited only with the purchases it tipped: those the customer made with "
        "its goodwill and, with the same draw, would not have made without it. Compare the "
        "draw with both chances.",
    )


q2 = Question(
    "which motive gets the credit",
    _check_q2,
    hints=[
        "crmsim/attribution.py: a purchase goes to the gift if the gift's goodwill tipped it; "
        "otherwise to the strongest of respect and discount.",
        "A purchase happens when the draw is below the chance of buying. Was the draw below "
        "the chance with goodwill? And below the chance without it?",
    ],
    solution=(
        "from crmsim.attribution import RESPECT_WEIGHT\n"
        "without, with_goodwill, draw = 0.30, 0.36, 0.33\n"
        "if without <= draw < with_goodwill:  # bought, and would not have without the gift\n"
        "    answer = 'gift'\n"
        "else:\n"
        "    strength = {'respect': RESPECT_WEIGHT * max(0, 2 * 0.6 - 1), 'discount': 0.9 * 0.15}\n"
        "    answer = max(strength, key=strength.get)"
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> int:
    losses = _trap_model().losses
    return int((losses["cause"] == "disrespect").sum())


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None or value != int(value):
        return Feedback(False, "Give a whole number of departures.")
    value = int(value)
    model = _trap_model()
    f = model.frame
    expected = _expected_q3()
    if value == expected:
        return Feedback(
            True,
            "Right. Each of them was a marketer, your best kind of customer; none slid back to "
            "loyal, and each left angry, free to speak against the firm.",
        )
    if value == int(f["disrespected"].sum()):
        return Feedback(
            False,
            "'disrespected' counts every episode felt as a breach, by anyone. Only marketers "
            "leave over a breach: count departures whose cause is disrespect.",
        )
    if value == int(f["lost"].sum()):
        return Feedback(
            False,
            "That is every departure, whatever the cause. Keep only those caused by disrespect.",
        )
    if value == int(model.state.angry.sum()):
        return Feedback(
            False,
            "Angry customers also include those who left after an unanswered complaint. "
            "Count departures whose cause is disrespect.",
        )
    return Feedback(
        False,
        "Not the model's count. Build the run exactly as described (customer_centric with "
        "respect=0.4, 1,500 customers, rng=2, 156 weeks) and count the disrespect departures.",
    )


q3 = Question(
    "the marketer trap",
    _check_q3,
    hints=[
        "model.losses lists every departure with its cause; the weekly frame also has a "
        "lost_<cause> column for each cause.",
        "Change only the respect of the scenario's policy: sc.policy.replace(respect=0.4).",
    ],
    solution=(
        "sc = scenarios.load('customer_centric')\n"
        "model = CRMModel(**(sc.kwargs | {'policy': sc.policy.replace(respect=0.4),\n"
        "                                 'n_customers': 1_500}), rng=2, history=False)\n"
        "model.run(156, progress=False)\n"
        "answer = int(model.frame['lost_disrespect'].sum())"
    ),
)


# --------------------------------------------------------------------------- q4
@lru_cache(maxsize=1)
def _ladder_model():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(LADDER_RUN["scenario"])
    model = CRMModel(**sc.kwargs, rng=LADDER_RUN["rng"], history=True)
    model.run(LADDER_RUN["weeks"], progress=False)
    return model


def _ladder_curve():
    from crmsim.analysis import time_to_tier

    return time_to_tier(_ladder_model(), LADDER_RUN["tier"])


def _expected_q4() -> float:
    return float(_ladder_curve()["share_reached"].loc[LADDER_RUN["within"]])


def _check_q4(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: a share between 0 and 1.")
    from crmsim.analysis import tier_journeys

    curve, within = _ladder_curve(), LADDER_RUN["within"]
    expected = _expected_q4()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            "Right. Every customer acquired is in the denominator: those who became loyal, those "
            "who left first and those still on their way. Compare it with the share of the "
            "loyal customers who got there that fast: that one is much higher, because it "
            "leaves out everyone who never made it.",
        )
    if is_percentage_of(value, expected):
        return Feedback(False, "That looks like a percentage; give a share between 0 and 1.")
    if abs(value - (1 - expected)) < 0.002:
        return Feedback(
            False,
            "That is the share *not yet* loyal (share_not_yet, the survival curve). The question "
            "asks for the share that became loyal.",
        )
    journeys = tier_journeys(_ladder_model(), LADDER_RUN["tier"])
    got_there = journeys[journeys["reached"] >= 0]
    fast = float(((got_there["reached"] - got_there["first_purchase"]) <= within).mean())
    if abs(value - fast) < 0.002:
        return Feedback(
            False,
            "That is the share among the customers who *became* loyal. The question asks about "
            "all customers acquired, including those who left before becoming loyal and those "
            "still on their way: use share_reached of analysis.time_to_tier.",
        )
    censored = 1 - (1 - curve["reached"] / curve["at_risk"]).cumprod()
    if abs(value - float(censored.loc[within])) < 0.002:
        return Feedback(
            False,
            "You treated the customers who left as if they might still become loyal (censoring "
            "them, as a Kaplan-Meier curve does). A customer who left did not become loyal: "
            "leaving is a competing event, which share_reached takes into account.",
        )
    if abs(value - float(curve["share_reached"].loc[within - 1])) < 0.002:
        return Feedback(
            False, "Within 26 weeks includes week 26 since the first purchase: read that row."
        )
    return Feedback(
        False,
        "Not the model's figure. Run the baseline scenario with rng=1 for 156 weeks (history "
        "is kept by default for 2,000 people), then read week 26 of "
        "analysis.time_to_tier(model, 'loyal').",
    )


q4 = Question(
    "time to loyal, every customer counted",
    _check_q4,
    hints=[
        "analysis.time_to_tier(model, 'loyal') has one row per week since the first purchase; "
        "share_reached is the share of *all* customers acquired who were loyal by then.",
        "Weeks since the first purchase are the index: curve.loc[26, 'share_reached'].",
    ],
    solution=(
        "from crmsim import analysis\n"
        "model = CRMModel(**scenarios.load('baseline').kwargs, rng=1)\n"
        "model.run(156, progress=False)\n"
        "curve = analysis.time_to_tier(model, 'loyal')\n"
        "answer = curve.loc[26, 'share_reached']"
    ),
)

QUESTIONS = (q1, q2, q3, q4)
