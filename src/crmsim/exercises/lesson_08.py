"""Exercises for lesson 8: referrals, viral marketing and negative word of mouth.

Checkers compute the expected answers from the referral rule in
:mod:`crmsim.referrals` and from seeded runs of the ``customer_centric`` scenario.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crmsim.exercises.core import Feedback, Question, as_number, is_percentage_of

#: The marketer of question 1.
MARKETER = {"sociability": 0.7, "referral_reward": 10.0, "price": 20.0}
#: The run of questions 2 and 3: customer-centric with a referral reward of one full price.
RUN = {
    "scenario": "customer_centric",
    "referral_reward": 20.0,
    "n_customers": 300,
    "weeks": 104,
    "rng": 8,
}


@lru_cache(maxsize=1)
def _run_frame():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(RUN["scenario"])
    kwargs = sc.kwargs | {
        "policy": sc.policy.replace(referral_reward=RUN["referral_reward"]),
        "n_customers": RUN["n_customers"],
    }
    model = CRMModel(**kwargs, rng=RUN["rng"], history=False)
    model.run(RUN["weeks"], progress=False)
    return model.frame


# --------------------------------------------------------------------------- q1
def _rate(reward: float, share: float = 1.0) -> float:
    from crmsim.referrals import MARKETER_REFERRAL_RATE, REWARD_RESPONSE

    m = MARKETER
    return min(
        1.0,
        MARKETER_REFERRAL_RATE
        * m["sociability"]
        * (1 + REWARD_RESPONSE * reward / m["price"])
        * share,
    )


def _expected_q1() -> float:
    return _rate(MARKETER["referral_reward"])


def _check_q1(answer: Any) -> Feedback:
    from crmsim.referrals import LOYAL_REFERRAL_SHARE

    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: a weekly probability between 0 and 1.")
    if abs(value - _expected_q1()) < 1e-4:
        return Feedback(
            True,
            f"Right. The reward multiplies this marketer's weekly chance of recommending the firm "
            f"by {_expected_q1() / _rate(0.0):.1f}: CAM's 'clear financial benefit' at work.",
        )
    if abs(value - _rate(0.0)) < 1e-4:
        return Feedback(
            False,
            "That is the rate without a reward. The reward multiplies it by 1 + REWARD_RESPONSE "
            "x reward / price.",
        )
    if abs(value - _rate(MARKETER["referral_reward"], LOYAL_REFERRAL_SHARE)) < 1e-4:
        return Feedback(
            False,
            "That would be a loyal customer's rate. The question is about a marketer, who refers "
            "at the full rate.",
        )
    if abs(value - _rate(MARKETER["referral_reward"] * MARKETER["price"])) < 1e-4 or value > 1:
        return Feedback(
            False, "Measure the reward in purchases: divide it by the price before multiplying."
        )
    return Feedback(
        False,
        "Not quite. Start from MARKETER_REFERRAL_RATE, scale by sociability, then by the reward "
        "term.",
    )


q1 = Question(
    "a marketer's weekly referral rate",
    _check_q1,
    hints=[
        "referral_rate in crmsim/referrals.py: a base rate times sociability times a reward "
        "factor, times a tier share.",
        "The reward enters as referral_reward / price, multiplied by REWARD_RESPONSE.",
    ],
    solution=(
        "from crmsim.referrals import MARKETER_REFERRAL_RATE, REWARD_RESPONSE\n"
        "answer = MARKETER_REFERRAL_RATE * 0.7 * (1 + REWARD_RESPONSE * 10 / 20)"
    ),
)


# --------------------------------------------------------------------------- q2
def _expected_q2() -> float:
    f = _run_frame()
    return float(f["referrals_reward"].sum() / f["referrals"].sum())


def _check_q2(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: a share between 0 and 1.")
    f = _run_frame()
    expected = _expected_q2()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            "Right. Note what this share is: the referrals whose strongest motive was the "
            "reward, not the referrals the reward caused. Compare with a run without reward.",
        )
    if is_percentage_of(value, expected):
        return Feedback(False, "That looks like a percentage; give a share between 0 and 1.")
    if (
        f["referral_conversions"].sum()
        and abs(value - f["referrals_reward"].sum() / f["referral_conversions"].sum()) < 0.002
    ):
        return Feedback(
            False,
            "You divided by the referrals that turned into customers. Attribution counts every "
            "referral made: divide by the 'referrals' column.",
        )
    if abs(value - f["referrals_respect"].sum() / f["referrals"].sum()) < 0.002:
        return Feedback(
            False,
            "That is the share credited to respect; the question asks about the financial benefit.",
        )
    return Feedback(
        False,
        "Not the model's figure. Run customer_centric with referral_reward=20, 300 customers, "
        "rng=8 for 104 weeks, and divide the referrals credited to the reward by all referrals.",
    )


q2 = Question(
    "CAM: referrals due to the financial benefit",
    _check_q2,
    hints=[
        "The CAM columns are referrals_respect, referrals_discount, referrals_gift, "
        "referrals_reward and referrals_none.",
        "Sum over all weeks, then divide by the total number of referrals.",
    ],
    solution=(
        "sc = scenarios.load('customer_centric')\n"
        "model = CRMModel(**(sc.kwargs | {'policy': sc.policy.replace(referral_reward=20.0),\n"
        "                                 'n_customers': 300}), rng=8, history=False)\n"
        "model.run(104, progress=False)\n"
        "f = model.frame\n"
        "answer = f['referrals_reward'].sum() / f['referrals'].sum()"
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> float:
    f = _run_frame()
    return float(f["referral_conversions"].sum() / f["acquired"].sum())


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: a share between 0 and 1.")
    f = _run_frame()
    expected = _expected_q3()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            "Right: that share of the firm's new customers came through a friend. The rest "
            "were reached by advertising or plain word of mouth.",
        )
    if is_percentage_of(value, expected):
        return Feedback(False, "That looks like a percentage; give a share between 0 and 1.")
    if abs(value - f["referrals"].sum() / f["acquired"].sum()) < 0.002:
        return Feedback(
            False,
            "Not every referral turns into a customer. Count only referrals that led to a "
            "first purchase (referral_conversions).",
        )
    if abs(value - f["referral_conversions"].sum() / RUN["n_customers"]) < 0.002:
        return Feedback(
            False, "You divided by everyone in the market; divide by the customers acquired."
        )
    return Feedback(
        False,
        "Not the model's figure. Use the same run as question 2 and compare two columns of its "
        "frame.",
    )


q3 = Question(
    "share of new customers who were referred",
    _check_q3,
    hints=[
        "'acquired' counts first purchases each week; another column counts the first "
        "purchases that came from a referral.",
        "Sum both over the run before dividing.",
    ],
    solution="answer = f['referral_conversions'].sum() / f['acquired'].sum()  # f: the run of q2",
)

QUESTIONS = (q1, q2, q3)
