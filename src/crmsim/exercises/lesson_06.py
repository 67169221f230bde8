"""Exercises for lesson 6: customer experience — failures, complaints, recovery and respect.

Each checker computes the expected answer from the model itself (a seeded run, or
the constants of :mod:`crmsim.episodes`), so the questions stay right if the
model is recalibrated.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crmsim.exercises.core import Feedback, Question, as_number, is_percentage_of

#: The run questions 1 refers to (keep in step with the notebook).
RUN = {"n_customers": 2_000, "weeks": 104, "rng": 6}


@lru_cache(maxsize=1)
def _run_frame():
    from crmsim import CRMModel

    model = CRMModel(n_customers=RUN["n_customers"], rng=RUN["rng"], history=False)
    model.run(RUN["weeks"], progress=False)
    return model.frame


# --------------------------------------------------------------------------- q1
def _expected_q1() -> float:
    f = _run_frame()
    return float(f["complaints"].sum() / f["failures"].sum())


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(
            False, "Give a single number: the share of failed episodes followed by a complaint."
        )
    f = _run_frame()
    expected = _expected_q1()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            "Yes. Close to the survey's 40 %: most customers who had a bad experience "
            "never tell the firm, so recovery can only ever reach a minority of them.",
        )
    if is_percentage_of(value, expected):
        return Feedback(
            False, "That looks like a percentage; give the share as a number between 0 and 1."
        )
    if abs(value - f["complaints"].sum() / f["episodes"].sum()) < 0.002:
        return Feedback(
            False,
            "You divided by all episodes. Only episodes that went wrong can lead to a "
            "complaint, so the denominator is the number of failures.",
        )
    if abs(value - f["recovered"].sum() / f["complaints"].sum()) < 0.002:
        return Feedback(
            False,
            "That is the share of complaints the firm resolved (the recovery rate), not the "
            "share of failures that were complained about.",
        )
    if abs(value - f["recovered"].sum() / f["failures"].sum()) < 0.002:
        return Feedback(
            False, "That counts failures that were put right; the question asks about complaints."
        )
    if not 0 <= value <= 1:
        return Feedback(False, "A share must lie between 0 and 1.")
    return Feedback(
        False,
        "Not the model's figure. Sum the weekly 'complaints' and 'failures' columns of the "
        f"run with rng={RUN['rng']}, {RUN['n_customers']} customers and {RUN['weeks']} weeks, "
        "then divide.",
    )


q1 = Question(
    "complaints after a failure",
    _check_q1,
    hints=[
        "The weekly frame has a column for failed episodes and one for complaints.",
        "Add each column up over the whole run before dividing; a mean of weekly ratios "
        "gives quiet weeks as much weight as busy ones.",
    ],
    solution=(
        "model = CRMModel(n_customers=2_000, rng=6, history=False)\n"
        "model.run(104, progress=False)\n"
        "frame = model.frame\n"
        "answer = frame['complaints'].sum() / frame['failures'].sum()"
    ),
)


# --------------------------------------------------------------------------- q2
def _felt(service_term: float, respect: float) -> float:
    from crmsim.episodes import RESPECT_WEIGHT

    return (1 - RESPECT_WEIGHT) * service_term + RESPECT_WEIGHT * (2 * respect - 1)


def _expected_q2() -> tuple[float, float]:
    from crmsim.episodes import RECOVERED_SERVICE

    fixed_but_rude = _felt(RECOVERED_SERVICE, 0.1)
    kind_but_unfixed = _felt(-1.0, 0.9)
    return fixed_but_rude, kind_but_unfixed


def _check_q2(answer: Any) -> Feedback:
    try:
        rude, kind = (float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False,
            "Give a pair: (fixed but rude, kind but not fixed), e.g. answer = (x, y).",
        )
    exp_rude, exp_kind = _expected_q2()
    ok_rude, ok_kind = abs(rude - exp_rude) < 1e-3, abs(kind - exp_kind) < 1e-3
    if ok_rude and ok_kind:
        return Feedback(
            True,
            "Right. Respect is a third of how an episode feels, apart from the fix: it can "
            "spoil a good recovery, but in this model it cannot make up for a problem left "
            "unsolved.",
        )
    if abs(rude - exp_kind) < 1e-3 and abs(kind - exp_rude) < 1e-3:
        return Feedback(
            False,
            "Your two numbers are right but in the wrong order: the fixed-but-rude case comes "
            "first.",
        )
    from crmsim.episodes import RECOVERED_SERVICE, RESPECT_WEIGHT

    plain = ((1 - RESPECT_WEIGHT) * RECOVERED_SERVICE + RESPECT_WEIGHT * 0.1,
             (1 - RESPECT_WEIGHT) * -1.0 + RESPECT_WEIGHT * 0.9)  # fmt: skip
    if abs(rude - plain[0]) < 1e-3 or abs(kind - plain[1]) < 1e-3:
        return Feedback(
            False,
            "Respect delivered is on a 0-1 scale but enters satisfaction on the -1..1 scale: "
            "use 2 * respect - 1 for the respect term.",
        )
    msgs = []
    if not ok_rude:
        msgs.append(
            "the first number is off: a resolved failure's service term is "
            "crmsim.episodes.RECOVERED_SERVICE, not the full service satisfaction"
        )
    if not ok_kind:
        msgs.append("the second number is off: an unresolved failure's service term is -1")
    from crmsim.exercises.core import sentence  # not str.capitalize: it lower-cases names

    return Feedback(
        False,
        sentence("; ".join(msgs))
        + ". Weigh the service term by 1 - RESPECT_WEIGHT and the respect term by RESPECT_WEIGHT.",
    )


q2 = Question(
    "respect apart from the fix",
    _check_q2,
    hints=[
        "Read serve_customers in crmsim/episodes.py: an episode is (1 - RESPECT_WEIGHT) "
        "times a service term plus RESPECT_WEIGHT times a respect term.",
        "A failure that was resolved has the service term RECOVERED_SERVICE; one that was "
        "not has -1. The respect term of an episode without a breach is 2 * respect - 1.",
    ],
    solution=(
        "from crmsim.episodes import RECOVERED_SERVICE, RESPECT_WEIGHT\n"
        "def experienced(service_term, respect):\n"
        "    return (1 - RESPECT_WEIGHT) * service_term + RESPECT_WEIGHT * (2 * respect - 1)\n"
        "answer = (experienced(RECOVERED_SERVICE, 0.1), experienced(-1.0, 0.9))"
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> float:
    from crmsim import Market

    return Market().complaint_propensity


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give a single number between 0 and 1.")
    expected = _expected_q3()
    if abs(value - expected) < 1e-6:
        return Feedback(
            True,
            "Yes. The recovery lever only acts on complaints, and most failures are never "
            "complained about: to reach the silent majority the firm must prevent failures "
            "(must-be quality) or find them without waiting to be told.",
        )
    if abs(value - 1.0) < 1e-6:
        return Feedback(
            False,
            "recovery=1 resolves every *complaint*, but a failure the customer never reports "
            "is never resolved. What share of failures turn into complaints?",
        )
    if abs(value - 100 * expected) < 1e-6:
        return Feedback(False, "That looks like a percentage; give a share between 0 and 1.")
    if abs(value - (1 - expected)) < 1e-6:
        return Feedback(
            False,
            "That is the share of failures that can never be resolved, the complement of what is "
            "asked.",
        )
    return Feedback(
        False,
        "Not quite. Which failures can the firm resolve at all, and how many of them are there?",
    )


q3 = Question(
    "the ceiling of complaint recovery",
    _check_q3,
    hints=[
        "In serve_customers a failure is resolved only if the customer complained *and* "
        "the recovery draw succeeds.",
        "With recovery = 1 the second condition always holds. Which Market field sets the first?",
    ],
    solution=(
        "from crmsim import Market\n"
        "answer = Market().complaint_propensity  # 1.0 x the complaint share"
    ),
)

QUESTIONS = (q1, q2, q3)
