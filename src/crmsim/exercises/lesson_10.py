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

from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_float,
    as_number,
    as_pair,
    label_checker,
    near,
    normalize_label,
)
from crmsim.i18n import N_, _, format_number

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
        return Feedback(False, _("Give one number: the half-width of the interval, in money."))
    x = np.asarray(SAMPLE)
    n = len(x)
    expected = _expected_q1()
    if abs(value - expected) <= 1e-3 * expected:
        return Feedback(
            True,
            _(
                "Right. With so few replications the t quantile is noticeably larger than the "
                "normal one; more replications shrink both the quantile and the standard error."
            ),
        )
    if abs(value - 1.96 * x.std(ddof=1) / math.sqrt(n)) <= 1e-3 * expected:
        return Feedback(
            False,
            _(
                "You used the normal quantile. With {n} replications the standard deviation is "
                "itself estimated, so use Student's t with n - 1 degrees of freedom."
            ).format(n=format_number(n)),
        )
    if abs(value - expected * x.std(ddof=0) / x.std(ddof=1)) <= 1e-3 * expected:
        return Feedback(
            False, _("Use the sample standard deviation (ddof=1), not the population one.")
        )
    if abs(value - 2 * expected) <= 1e-3 * expected:
        return Feedback(
            False, _("That is the full width of the interval; the question asks for half of it.")
        )
    if abs(value - expected * math.sqrt(n)) <= 1e-3 * expected * math.sqrt(n):
        return Feedback(
            False,
            _(
                "Divide the standard deviation by the square root of the number of replications: "
                "the "
                "interval is for the mean."
            ),
        )
    return Feedback(
        False, _("Not quite: t quantile (97.5 %, n - 1 degrees of freedom) x sample std / sqrt(n).")
    )


q1 = Question(
    N_("a confidence interval from replications"),
    _check_q1,
    hints=[
        N_(
            "scipy.stats.t.ppf(0.975, df) gives the quantile; numpy's std needs ddof=1 for a "
            "sample."
        ),
        N_("The standard error of a mean is the standard deviation over the square root of n."),
    ],
    solution=(
        N_(
            "from scipy import stats\n"
            "x = np.array(ex.SAMPLE)\n"
            "answer = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))"
        )
    ),
)


# --------------------------------------------------------------------------- q2
def _expected_q2() -> tuple[float, float, float]:
    return _paired("new", "all")


def _check_q2(answer: Any) -> Feedback:
    try:
        mean, low, high = (as_float(v) for v in answer)
    except (TypeError, ValueError):
        return Feedback(False, _("Give three numbers: (mean difference, lower end, upper end)."))
    exp = _expected_q2()
    scale = max(abs(exp[0]), 1.0)
    close = [abs(a - b) <= 0.005 * scale for a, b in zip((mean, low, high), exp, strict=True)]
    if all(close):
        # one whole sentence per verdict: a translation cannot be put together from pieces
        if exp[1] > 0:
            message = _(
                "Right. Offering the discount only where it wins customers gives away far less "
                "than handing it to everyone; the interval lies above zero, if only just: four "
                "seeds show the gap is no accident of the seeds, but measure it only roughly."
            )
        else:
            message = _(
                "Right. Offering the discount only where it wins customers gives away far less "
                "than handing it to everyone; the interval still straddles zero: four seeds "
                "cannot tell the two apart."
            )
        return Feedback(True, message)
    if abs(mean + exp[0]) <= 0.005 * scale:
        return Feedback(
            False,
            _(
                "Your difference has the wrong sign: take the targeted policy minus the blanket "
                "one."
            ),
        )
    if close[0]:
        a, b = np.array(_profits("new")), np.array(_profits("all"))
        unpaired = math.sqrt(t_half_width(a) ** 2 + t_half_width(b) ** 2)
        if abs((high - low) / 2 - unpaired) <= 0.05 * unpaired:
            return Feedback(
                False,
                _(
                    "The mean is right, but the interval treats the two policies as independent "
                    "samples. They share seeds: take the difference seed by seed, then one "
                    "interval "
                    "for the mean of those differences."
                ),
            )
        return Feedback(
            False,
            _(
                "The mean is right, the interval is not: compute the t interval of the "
                "seed-by-seed "
                "differences."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figures. Use seeds {first}-{last}, {customers} customers and "
            "{weeks} weeks, total profit per run, and Policy(discount=0.1, discount_target=...) "
            "with 'new' and 'all'."
        ).format(
            first=format_number(SEEDS[0]),
            last=format_number(SEEDS[-1]),
            customers=format_number(N_CUSTOMERS),
            weeks=format_number(WEEKS),
        ),
    )


q2 = Question(
    N_("targeted minus blanket discount, paired"),
    _check_q2,
    hints=[
        N_(
            "Run both policies with the same seeds; subtract the blanket policy's profit from the "
            "targeted one's, seed by seed."
        ),
        N_("Then it is question 1 again, on the differences."),
    ],
    solution=(
        N_(
            "def profits(policy):\n"
            "    out = []\n"
            "    for seed in range(4):\n"
            "        m = CRMModel(n_customers=500, policy=policy, rng=seed, history=False)\n"
            "        m.run(52, progress=False)\n"
            "        out.append(m.frame['profit'].sum())\n"
            "    return np.array(out)\n"
            "d = profits(Policy(discount=0.1, discount_target='new')) - "
            "profits(Policy(discount=0.1))\n"
            "h = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))\n"
            "answer = (d.mean(), d.mean() - h, d.mean() + h)"
        )
    ),
)


# --------------------------------------------------------------------------- q3
#: How a yes-or-no verdict may be written: a bool, or one of these words.
_VERDICTS = {"true": True, "yes": True, "y": True, "false": False, "no": False, "n": False}


def read_verdict(value: Any) -> bool | None:
    """A yes-or-no answer as a bool: ``True``, ``"yes"``, ``"False"``, ``"no"`` ...; else None."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        return _VERDICTS.get(normalize_label(value))
    return None


def _expected_q3() -> tuple[float, bool]:
    low = _paired("new", "none")[1]
    return low, bool(low > 0)


def _check_q3(answer: Any) -> Feedback:
    if read_verdict(answer) is not None:
        return Feedback(
            False,
            _(
                "A verdict alone could be a guess. Give the lower end of the interval too: "
                "answer = (low, verdict)."
            ),
        )
    try:
        low, verdict = answer
    except (TypeError, ValueError):
        return Feedback(False, _("Give a pair: (lower end of the 95 % interval, verdict)."))
    low, verdict = as_number(low), read_verdict(verdict)
    if low is None:
        return Feedback(False, _("The first item should be a number: the interval's lower end."))
    if verdict is None:
        return Feedback(
            False, _("The second item is the verdict: True or False (or 'yes' or 'no').")
        )
    exp_low, exp_pays = _expected_q3()
    mean, _low, high = _paired("new", "none")
    tolerance = 0.005 * abs(exp_low) + 1.0
    if abs(low - exp_low) <= tolerance:
        if verdict == exp_pays:
            if exp_pays:
                msg = _("Right: the whole interval lies above zero, so the discount pays here.")
            else:
                msg = _(
                    "Right: the interval reaches below zero, so these four replications do not "
                    "show that the new-customer discount pays for itself. Giving it only to new "
                    "customers costs far less than giving it to everyone, but that alone does "
                    "not make it beat doing nothing; more replications might."
                )
            return Feedback(True, msg)
        return Feedback(
            False,
            _(
                "The lower end is right; now read it. The discount is shown to pay only if the "
                "whole interval, its lower end included, lies above zero."
            ),
        )
    if abs(low - mean) <= tolerance:
        return Feedback(
            False,
            _(
                "That is the mean difference, the centre of the interval. Give its lower end: the "
                "mean minus the half-width."
            ),
        )
    if abs(low - high) <= tolerance:
        return Feedback(False, _("That is the upper end; the question asks for the lower one."))
    low_q2 = _paired("new", "all")[1]
    if abs(low - low_q2) <= 0.005 * abs(low_q2) + 1.0:
        return Feedback(
            False,
            _(
                "That is the lower end of question 2's comparison, against the blanket discount. "
                "Here the comparison is against no discount at all: Policy()."
            ),
        )
    a, b = np.array(_profits("new")), np.array(_profits("none"))
    unpaired = math.sqrt(t_half_width(a) ** 2 + t_half_width(b) ** 2)
    if abs(low - (mean - unpaired)) <= tolerance:
        return Feedback(
            False,
            _(
                "That interval treats the two policies as independent samples. They share seeds: "
                "take the difference seed by seed, then one interval for its mean."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figure. Compare Policy(discount=0.1, discount_target='new') with "
            "Policy() on seeds 0-3 (500 customers, 52 weeks), seed by seed, and take the t "
            "interval "
            "of the differences."
        ),
    )


q3 = Question(
    N_("does the targeted discount pay at all?"),
    _check_q3,
    hints=[
        N_("Same recipe as question 2, comparing discount_target='new' with no discount at all."),
        N_(
            "'Pays' means the interval of the difference lies entirely above zero: look at its "
            "lower end."
        ),
    ],
    solution=(
        N_(
            "# profits() as in question 2\n"
            "d = profits(Policy(discount=0.1, discount_target='new')) - profits(Policy())\n"
            "h = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))\n"
            "low = d.mean() - h\n"
            "answer = (low, low > 0)"
        )
    ),
)


# --------------------------------------------------------------------------- q4
#: The replications of question 4: the four seeds of question 2, then four more.
MORE_SEEDS = tuple(range(8))


@cache
def _profit_list(target: str, seeds: tuple[int, ...]) -> tuple[float, ...]:
    from crmsim import CRMModel

    out = []
    for seed in seeds:
        model = CRMModel(n_customers=N_CUSTOMERS, policy=_policy(target), rng=seed, history=False)
        model.run(WEEKS, progress=False)
        out.append(float(model.frame["profit"].sum()))
    return tuple(out)


def profit_differences(a: str, b: str, seeds: Any = MORE_SEEDS) -> np.ndarray:
    """Seed-by-seed differences in total profit, policy ``a`` minus policy ``b``.

    Each policy is a 10 % discount aimed as :data:`TARGETS` names it (``"none"`` is no
    discount at all), run with :data:`N_CUSTOMERS` customers for :data:`WEEKS` weeks on each
    of ``seeds``, the same seeds for both (common random numbers). Runs are remembered.
    """
    for target in (a, b):
        if target not in TARGETS:
            raise ValueError(f"a policy must be one of {TARGETS}, got {target!r}")
    seeds = tuple(int(s) for s in seeds)
    return np.array(_profit_list(a, seeds)) - np.array(_profit_list(b, seeds))


def _expected_q4() -> tuple[float, float]:
    d = profit_differences("new", "all", MORE_SEEDS)
    return t_half_width(d[:4]), t_half_width(d)


def _shrinkage(four: float, eight: float) -> str:
    """How the half-width changes from four to eight seeds, in the words of the choices."""
    ratio = eight / four
    if ratio <= 0.6:
        return "halves or more"
    if ratio <= 0.85:
        return "shrinks by about 30 %"
    if ratio <= 1.1:
        return "barely changes"
    return "grows"


def _check_q4(answer: Any) -> Feedback:
    pair = as_pair(answer)
    if pair is None:
        return Feedback(False, _("Give a pair of half-widths: (with 4 seeds, with 8 seeds)."))
    four, eight = pair
    exp_four, exp_eight = _expected_q4()

    if near(four, exp_four, share=0.005) and near(eight, exp_eight, share=0.005):
        return Feedback(
            True,
            _(
                "Right: the half-width falls to {share} of what it was. Three things shrink it: "
                "the square root of n (a factor of about 0.71), the t quantile (from about 3.18 "
                "to 2.36, a factor of about 0.74), and the luck of the estimated standard "
                "deviation."
            ).format(share=format_number(exp_eight / exp_four, ".0%")),
        )
    if near(four, exp_eight, share=0.005) and near(eight, exp_four, share=0.005):
        return Feedback(False, _("Right numbers, wrong order: four seeds come first."))
    d = profit_differences("new", "all", MORE_SEEDS)
    full = 2 * exp_four, 2 * exp_eight
    if near(four, full[0], share=0.005) and near(eight, full[1], share=0.005):
        return Feedback(False, _("Those are full widths; give half-widths."))
    normal = [1.96 * x.std(ddof=1) / math.sqrt(len(x)) for x in (d[:4], d)]
    if near(four, normal[0], share=0.005) and near(eight, normal[1], share=0.005):
        return Feedback(
            False,
            _(
                "You used the normal quantile 1.96. With so few seeds use Student's t, whose "
                "quantile itself shrinks as seeds are added: that is part of the answer."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figures. d = profit_differences('new', 'all') gives eight "
            "differences; "
            "take t_half_width of the first four, then of all eight."
        ),
    )


q4 = Prediction(
    N_("twice the replications"),
    _check_q4,
    choices=(N_("halves or more"), N_("shrinks by about 30 %"), N_("barely changes"), N_("grows")),
    outcome=lambda answer: _shrinkage(*as_pair(answer)),
    hints=[
        N_(
            "profit_differences('new', 'all') returns the seed-by-seed differences for seeds 0-7; "
            "the first four are question 2's."
        ),
        N_("t_half_width(values) is the half-width of the 95 % interval of a mean."),
    ],
    solution=(
        N_(
            "d = ex.profit_differences('new', 'all')\n"
            "answer = (ex.t_half_width(d[:4]), ex.t_half_width(d))"
        )
    ),
)


# --------------------------------------------------------------------------- q5
#: Other names a learner may give the two labels.
CENTRIC_ALIASES = {
    "product": "product-centric",
    "product centred": "product-centric",
    "blanket": "product-centric",
    "customer": "customer-centric",
    "customer centred": "customer-centric",
    "targeted": "customer-centric",
    "مشتری‌محور": "customer-centric",
    "محصول‌مدار": "product-centric",
}
#: The policies of question 5.
POLICIES = (
    N_("10 % off this product for everyone who buys it"),
    N_("10 % off for customers in their first eight weeks"),
    N_("a warranty raised from 12 to 16 months on every unit sold"),
    N_("a warranty raised to 16 months for customers who have bought three times"),
    N_("build the best product you can, then sell it to whoever will pay"),
    N_("win-back offers only to those who left for a competitor"),
    N_("a gift every eight weeks to loyal and marketer customers"),
)

q5 = Classification(
    N_("product-centric or customer-centric?"),
    label_checker(
        {
            POLICIES[0]: "product-centric",
            POLICIES[1]: "customer-centric",
            POLICIES[2]: "product-centric",
            POLICIES[3]: "customer-centric",
            POLICIES[4]: "product-centric",
            POLICIES[5]: "customer-centric",
            POLICIES[6]: "customer-centric",
        },
        CENTRIC_ALIASES,
    ),
    items=POLICIES,
    labels=(N_("product-centric"), N_("customer-centric")),
    aliases=CENTRIC_ALIASES,
    hints=[
        N_("Lesson 1's test: does the policy ask 'for which customers?'"),
        N_("A policy the same for every buyer of a product is product-centric, however generous."),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    ex.POLICIES[0]: 'product-centric', ex.POLICIES[1]: 'customer-centric',\n"
            "    ex.POLICIES[2]: 'product-centric', ex.POLICIES[3]: 'customer-centric',\n"
            "    ex.POLICIES[4]: 'product-centric', ex.POLICIES[5]: 'customer-centric',\n"
            "    ex.POLICIES[6]: 'customer-centric',\n"
            "}"
        )
    ),
)


# --------------------------------------------------------------------------- q6
Q6_ANSWER = N_(
    "The search ran eight candidates on four seeds each and picked the one that looked best. "
    "With so few seeds every mean carries luck, and the candidate chosen for the highest mean "
    "is the one most likely to have been lucky: part of its advantage may be selection, not "
    "effect, and only fresh seeds can tell. Here the paired test told it apart from the other "
    "candidates, and on fresh seeds it still beat no discount, with an interval clear of zero. "
    "To the board I would report that a new-customer discount of about 13 % for 18 weeks "
    "earned more than no discount on eight fresh seeds, with the interval of the paired "
    "difference, not only the best mean; and that only eight settings were tried, so a "
    "larger search, confirmed again on fresh seeds, may find a better one."
)

q6 = Discussion(
    N_("reporting the search's winner"),
    min_words=60,
    hints=[
        N_(
            "Why is the best of eight candidates, each measured on four seeds, likely to look "
            "better than it is?"
        ),
        N_(
            "What did the confirmation on fresh seeds show, what could it have shown, and what "
            "would you put in front of a board?"
        ),
    ],
    solution=Q6_ANSWER,
    rubric=(
        N_(
            "- selection: the winner was picked for its mean, which favours lucky candidates "
            "(1 mark)\n"
            "- the evidence: the paired test told the winner from the other candidates, and on "
            "fresh seeds it beat no discount with an interval clear of zero (1 mark)\n"
            "- a recommendation with its uncertainty: an interval, not a single number (1 mark)\n"
            "- what it does not show: only a few settings were tried; confirm any new winner on "
            "fresh seeds, with more trials or replications (1 mark)"
        )
    ),
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
