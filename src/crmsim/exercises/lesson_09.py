"""Exercises for lesson 9: winning customers back and regaining trust.

Checkers compute the expected answers from the win-back rule in
:mod:`crmsim.winback` and from a seeded run.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crmsim.exercises.core import Feedback, Question, as_number

#: The run of question 3: a firm that loses many customers and makes win-back offers.
RUN = {
    "policy": {"service_quality": 0.6, "recovery": 0.2, "respect": 0.4, "win_back": 0.2},
    "n_customers": 2_000,
    "weeks": 104,
    "rng": 9,
}


@lru_cache(maxsize=1)
def _run_frame():
    from crmsim import CRMModel, Policy

    model = CRMModel(
        n_customers=RUN["n_customers"],
        policy=Policy(**RUN["policy"]),
        rng=RUN["rng"],
        history=False,
    )
    model.run(RUN["weeks"], progress=False)
    return model.frame


# --------------------------------------------------------------------------- q1
#: The departing customer of question 1.
LEAVER = {"trust_knowledge": 0.6}


def _expected_q1() -> float:
    from crmsim.winback import RETURN_TRUST_KEPT

    return LEAVER["trust_knowledge"] * RETURN_TRUST_KEPT


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: the knowledge trust on return, between 0 and 1.")
    if abs(value - _expected_q1()) < 1e-6:
        return Feedback(
            True,
            "Right: a second chance, not a clean slate. The returner starts again in "
            "exploration with part of what they knew of the firm, and must rebuild the rest.",
        )
    if abs(value - LEAVER["trust_knowledge"]) < 1e-6:
        return Feedback(
            False,
            "A returner does not pick up where they left off: win_back cuts every trust component.",
        )
    if abs(value) < 1e-6:
        return Feedback(
            False,
            "Nor do they start from nothing: they remember part of their record with the firm.",
        )
    return Feedback(False, "Not quite. Look for the constant that win_back multiplies trust by.")


q1 = Question(
    "trust on return",
    _check_q1,
    hints=[
        "Read win_back in crmsim/winback.py: what happens to trust_knowledge of those who come "
        "back?",
        "While a customer is gone, their trust components are not updated.",
    ],
    solution="from crmsim.winback import RETURN_TRUST_KEPT\nanswer = 0.6 * RETURN_TRUST_KEPT",
)


# --------------------------------------------------------------------------- q2
#: The win-back intensity of question 2.
INTENSITY = 0.2
#: The two former customers of question 2: weeks since they left, why, and whether angry.
#: Neither has refused an offer yet.
WEEKS_AWAY = 13
CALM_LEAVER = {"cause": "competitor", "angry": False}
ANGRY_LEAVER = {"cause": "failure", "angry": True}


def _weekly_return(
    leaver: dict[str, Any], intensity: float = INTENSITY, weeks_away: float = WEEKS_AWAY
) -> float:
    from crmsim.winback import (
        ANGRY_ACCEPT_FACTOR,
        CAUSE_ACCEPT,
        WIN_BACK_ACCEPT,
        WIN_BACK_HALF_LIFE,
    )

    anger = ANGRY_ACCEPT_FACTOR if leaver["angry"] else 1.0
    away = 0.5 ** (weeks_away / WIN_BACK_HALF_LIFE)
    return intensity * WIN_BACK_ACCEPT * CAUSE_ACCEPT[leaver["cause"]] * anger * away


def _expected_q2() -> tuple[float, float]:
    return _weekly_return(CALM_LEAVER), _weekly_return(ANGRY_LEAVER)


def _check_q2(answer: Any) -> Feedback:
    try:
        calm, angry = (float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False, "Give a pair: (calm leaver, angry leaver), each a weekly probability."
        )
    exp_calm, exp_angry = _expected_q2()

    def near(a: float, b: float) -> bool:
        return abs(a - b) < 1e-6

    ok_calm, ok_angry = near(calm, exp_calm), near(angry, exp_angry)
    if ok_calm and ok_angry:
        return Feedback(
            True,
            f"Right. The angry leaver is {exp_calm / exp_angry:.0f} times less likely to come "
            "back: half for leaving over the service, a fifth of that for the anger. Both "
            "chances keep halving the longer they stay away, and every refused offer cuts them "
            "further. Meanwhile the angry one may be speaking against you: preventing anger is "
            "worth more than courting them later.",
        )
    if near(calm, exp_angry) and near(angry, exp_calm):
        return Feedback(False, "Right numbers, wrong order: the calm leaver comes first.")
    if near(calm, exp_calm / INTENSITY) or near(angry, exp_angry / INTENSITY):
        return Feedback(
            False,
            "That is the chance of accepting an offer once made. Each week only a share "
            "win_back of former customers receives one.",
        )
    if near(calm, _weekly_return(CALM_LEAVER, weeks_away=0)) or near(
        angry, _weekly_return(ANGRY_LEAVER, weeks_away=0)
    ):
        return Feedback(
            False,
            "You left out the time away: the chance of accepting halves every "
            "WIN_BACK_HALF_LIFE weeks after leaving.",
        )
    if ok_calm and near(angry, exp_calm * _anger_factor()):
        return Feedback(
            False,
            "The anger is counted, but not the cause: a leaver after a failure is only "
            "CAUSE_ACCEPT['failure'] as willing as one taken by a competitor.",
        )
    parts = []
    if not ok_calm:
        parts.append("the calm leaver's probability is off")
    if not ok_angry:
        parts.append("the angry leaver's probability is off")
    from crmsim.exercises.core import sentence  # not str.capitalize: it lower-cases names

    return Feedback(
        False,
        sentence(" and ".join(parts))
        + ": chance of an offer x chance of accepting it (winback.acceptance).",
    )


def _anger_factor() -> float:
    from crmsim.winback import ANGRY_ACCEPT_FACTOR

    return ANGRY_ACCEPT_FACTOR


q2 = Question(
    "who comes back: cause, anger and time away",
    _check_q2,
    hints=[
        "Two things must happen in a week: the former customer receives an offer, and accepts it.",
        "winback.acceptance multiplies WIN_BACK_ACCEPT by CAUSE_ACCEPT[cause], by "
        "ANGRY_ACCEPT_FACTOR if they left angry, by 0.5 ** (weeks away / WIN_BACK_HALF_LIFE) "
        "and by OFFER_FATIGUE for each offer refused.",
    ],
    solution=(
        "from crmsim.winback import ANGRY_ACCEPT_FACTOR, CAUSE_ACCEPT, WIN_BACK_ACCEPT, "
        "WIN_BACK_HALF_LIFE\n"
        "away = 0.5 ** (13 / WIN_BACK_HALF_LIFE)\n"
        "calm = 0.2 * WIN_BACK_ACCEPT * CAUSE_ACCEPT['competitor'] * away\n"
        "angry = 0.2 * WIN_BACK_ACCEPT * CAUSE_ACCEPT['failure'] * ANGRY_ACCEPT_FACTOR * away\n"
        "answer = (calm, angry)"
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> float:
    f = _run_frame()
    return float(f["cost_win_back"].sum() / f["won_back"].sum())


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one amount of money per customer won back.")
    f = _run_frame()
    expected = _expected_q3()
    if abs(value - expected) <= 0.01 * expected:
        return Feedback(
            True,
            "Right. Every offer costs money, accepted or not, so each returner costs many "
            "offers. Compare it with what a returner spends before they leave again.",
        )
    if abs(value - f["cost_win_back"].sum() / f["win_back_offers"].sum()) <= 0.01 * expected:
        return Feedback(
            False,
            "That is the cost of one offer. Divide the campaign's cost by the customers it "
            "brought back.",
        )
    if abs(value - f["cost_win_back"].sum()) <= 1:
        return Feedback(
            False,
            "That is the whole campaign's cost; divide it by the number of customers won back.",
        )
    return Feedback(
        False,
        "Not the model's figure. Run the policy given (win_back=0.2, rng=9, 2,000 customers, "
        "104 weeks) and divide the cost of win-back offers by the customers won back.",
    )


q3 = Question(
    "cost of a customer won back",
    _check_q3,
    hints=[
        "The frame has cost_win_back (money) and won_back (customers who returned) each week.",
        "Sum each over the run, then divide.",
    ],
    solution=(
        "policy = Policy(service_quality=0.6, recovery=0.2, respect=0.4, win_back=0.2)\n"
        "model = CRMModel(n_customers=2_000, policy=policy, rng=9, history=False)\n"
        "model.run(104, progress=False)\n"
        "f = model.frame\n"
        "answer = f['cost_win_back'].sum() / f['won_back'].sum()"
    ),
)

QUESTIONS = (q1, q2, q3)
