"""Exercises for lesson 10, the strategy lab: replications, intervals, common random numbers.

Checkers compute the expected answers with Student's t interval and from seeded
replications, run the same way the notebook does: one model per policy and seed,
the same seeds for every policy (common random numbers).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from crmsim.exercises.core import Feedback, Question, as_number

#: Total profit (money) of eight replications of one policy, for question 1.
SAMPLE = (61_840.0, 64_120.0, 60_310.0, 63_905.0, 62_480.0, 65_230.0, 61_020.0, 63_770.0)
#: The replications of questions 2 and 3.
SEEDS = tuple(range(4))
N_CUSTOMERS = 500
WEEKS = 52
#: The discount policies compared: 10 % for nobody, for everyone, or only for new customers.
TARGETS = ("none", "all", "new")


def t_half_width(values: Any, confidence: float = 0.95) -> float:
    """Half-width of Student's t confidence interval for the mean of ``values``."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    n = len(x)
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))


def _policy(target: str):
    from crmsim import Policy

    if target == "none":
        return Policy()
    return Policy(discount=0.1, discount_target=target)


@cache
def _profits(target: str) -> tuple[float, ...]:
    from crmsim import CRMModel

    out = []
    for seed in SEEDS:
        model = CRMModel(n_customers=N_CUSTOMERS, policy=_policy(target), rng=seed, history=False)
        model.run(WEEKS, progress=False)
        out.append(float(model.frame["profit"].sum()))
    return tuple(out)


def _paired(a: str, b: str) -> tuple[float, float, float]:
    """Mean and 95 % CI of profit(a) - profit(b) over the common seeds."""
    d = np.array(_profits(a)) - np.array(_profits(b))
    h = t_half_width(d)
    return float(d.mean()), float(d.mean() - h), float(d.mean() + h)


# --------------------------------------------------------------------------- q1
def _expected_q1() -> float:
    return t_half_width(SAMPLE)


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, "Give one number: the half-width of the interval, in money.")
    x = np.asarray(SAMPLE)
    n = len(x)
    expected = _expected_q1()
    if abs(value - expected) <= 1e-3 * expected:
        return Feedback(
            True,
            "Right. With so few replications the t quantile is noticeably larger than the "
            "normal one; more replications shrink both the quantile and the standard error.",
        )
    if abs(value - 1.96 * x.std(ddof=1) / math.sqrt(n)) <= 1e-3 * expected:
        return Feedback(
            False,
            f"You used the normal quantile. With {n} replications the standard deviation is "
            "itself estimated, so use Student's t with n - 1 degrees of freedom.",
        )
    if abs(value - expected * x.std(ddof=0) / x.std(ddof=1)) <= 1e-3 * expected:
        return Feedback(
            False, "Use the sample standard deviation (ddof=1), not the population one."
        )
    if abs(value - 2 * expected) <= 1e-3 * expected:
        return Feedback(
            False, "That is the full width of the interval; the question asks for half of it."
        )
    if abs(value - expected * math.sqrt(n)) <= 1e-3 * expected * math.sqrt(n):
        return Feedback(
            False,
            "Divide the standard deviation by the square root of the number of replications: the "
            "interval is for the mean.",
        )
    return Feedback(
        False, "Not quite: t quantile (97.5 %, n - 1 degrees of freedom) x sample std / sqrt(n)."
    )


q1 = Question(
    "a confidence interval from replications",
    _check_q1,
    hints=[
        "scipy.stats.t.ppf(0.975, df) gives the quantile; numpy's std needs ddof=1 for a sample.",
        "The standard error of a mean is the standard deviation over the square root of n.",
    ],
    solution=(
        "from scipy import stats\n"
        "x = np.array(ex.SAMPLE)\n"
        "answer = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))"
    ),
)


# --------------------------------------------------------------------------- q2
def _expected_q2() -> tuple[float, float, float]:
    return _paired("new", "all")


def _check_q2(answer: Any) -> Feedback:
    try:
        mean, low, high = (float(v) for v in answer)
    except (TypeError, ValueError):
        return Feedback(False, "Give three numbers: (mean difference, lower end, upper end).")
    exp = _expected_q2()
    scale = max(abs(exp[0]), 1.0)
    close = [abs(a - b) <= 0.005 * scale for a, b in zip((mean, low, high), exp, strict=True)]
    if all(close):
        if exp[1] > 0:
            verdict = (
                "the interval lies above zero, if only just: four seeds show the gap is no "
                "accident of the seeds, but measure it only roughly."
            )
        else:
            verdict = "the interval still straddles zero: four seeds cannot tell the two apart."
        return Feedback(
            True,
            "Right. Offering the discount only where it wins customers gives away far less than "
            "handing it to everyone; " + verdict,
        )
    if abs(mean + exp[0]) <= 0.005 * scale:
        return Feedback(
            False,
            "Your difference has the wrong sign: take the targeted policy minus the blanket one.",
        )
    if close[0]:
        a, b = np.array(_profits("new")), np.array(_profits("all"))
        unpaired = math.sqrt(t_half_width(a) ** 2 + t_half_width(b) ** 2)
        if abs((high - low) / 2 - unpaired) <= 0.05 * unpaired:
            return Feedback(
                False,
                "The mean is right, but the interval treats the two policies as independent "
                "samples. They share seeds: take the difference seed by seed, then one interval "
                "for the mean of those differences.",
            )
        return Feedback(
            False,
            "The mean is right, the interval is not: compute the t interval of the seed-by-seed "
            "differences.",
        )
    return Feedback(
        False,
        f"Not the model's figures. Use seeds {SEEDS[0]}-{SEEDS[-1]}, {N_CUSTOMERS} customers and "
        f"{WEEKS} weeks, total profit per run, and Policy(discount=0.1, discount_target=...) "
        "with 'new' and 'all'.",
    )


q2 = Question(
    "targeted minus blanket discount, paired",
    _check_q2,
    hints=[
        "Run both policies with the same seeds; subtract the blanket policy's profit from the "
        "targeted one's, seed by seed.",
        "Then it is question 1 again, on the differences.",
    ],
    solution=(
        "def profits(policy):\n"
        "    out = []\n"
        "    for seed in range(4):\n"
        "        m = CRMModel(n_customers=500, policy=policy, rng=seed, history=False)\n"
        "        m.run(52, progress=False)\n"
        "        out.append(m.frame['profit'].sum())\n"
        "    return np.array(out)\n"
        "d = profits(Policy(discount=0.1, discount_target='new')) - profits(Policy(discount=0.1))\n"
        "h = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))\n"
        "answer = (d.mean(), d.mean() - h, d.mean() + h)"
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> bool:
    _, low, _ = _paired("new", "none")
    return bool(low > 0)


def _check_q3(answer: Any) -> Feedback:
    if not isinstance(answer, bool | np.bool_):
        return Feedback(False, "Answer True or False.")
    mean, low, high = _paired("new", "none")
    if bool(answer) == _expected_q3():
        if answer:
            msg = "Right: the whole interval lies above zero, so the targeted discount pays here."
        else:
            msg = (
                "Right: the interval of the paired difference does not lie above zero, so these "
                "replications do not show that the targeted discount pays for itself. Giving it "
                "to new customers only costs far less than giving it to everyone, but that alone "
                "does not make it beat doing nothing."
            )
        return Feedback(True, msg)
    if answer:
        return Feedback(
            False,
            "Look at the whole interval of the paired difference (targeted minus no discount), "
            "not only at its mean: does all of it lie above zero?",
        )
    return Feedback(
        False,
        "Compute the 95 % interval of the paired difference (targeted minus no discount): "
        "where does its lower end lie?",
    )


q3 = Question(
    "does the targeted discount pay at all?",
    _check_q3,
    hints=[
        "Same recipe as question 2, comparing discount_target='new' with no discount at all.",
        "'Pays' means the interval of the difference lies entirely above zero.",
    ],
    solution=(
        "# profits() as in question 2\n"
        "d = profits(Policy(discount=0.1, discount_target='new')) - profits(Policy())\n"
        "h = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))\n"
        "answer = bool(d.mean() - h > 0)"
    ),
)

QUESTIONS = (q1, q2, q3)
