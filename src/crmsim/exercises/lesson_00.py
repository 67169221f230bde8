"""Exercises for lesson 00, getting started: run a model, read its weekly frame, write a policy.

Questions 1 to 3 use the same small run, described by :data:`RUN`: the
``baseline`` scenario with 500 customers for 52 weeks and seed 2024. The
checkers rerun it (the model is deterministic for a given seed), so the
expected answers come from the model, not from numbers typed in here.

Examples
--------
>>> from crmsim.exercises import lesson_00 as ex
>>> frame = ex.run_model().frame
>>> ex.q1.check(frame["active"].iloc[-1], quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

from crmsim import CRMModel, Policy, scenarios
from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_number,
    close_to,
    label_checker,
)
from crmsim.i18n import N_, _, format_number

#: The run every question of this lesson is about.
RUN = {"scenario": "baseline", "n_customers": 500, "weeks": 52, "rng": 2024}


@lru_cache(maxsize=1)
def run_model() -> CRMModel:
    """The lesson's run: the baseline scenario, 500 customers, 52 weeks, seed 2024."""
    kwargs = scenarios.load(RUN["scenario"]).kwargs | {"n_customers": RUN["n_customers"]}
    model = CRMModel(**kwargs, rng=RUN["rng"])
    model.run(RUN["weeks"], progress=False)
    return model


def _frame():
    return run_model().frame


# ---------------------------------------------------------------- q1
def _check_active(answer) -> Feedback:
    frame = _frame()
    last = frame.iloc[-1]
    if close_to(last["active"], rel=0, abs_=0.5)(answer):
        return Feedback(
            True,
            _(
                "that is the last row's `active` column: customers in a buying relationship "
                "(exploration, expansion or commitment) when the run ended."
            ),
        )
    if close_to(last["active_start"], rel=0, abs_=0.5)(answer):
        return Feedback(
            False,
            _(
                "that is `active_start`, the count at the *start* of the last week. "
                "The question asks for the count at its end."
            ),
        )
    if close_to(frame["acquired"].sum(), rel=0, abs_=0.5)(answer):
        return Feedback(
            False,
            _(
                "that is how many people bought for the first time over the whole run; "
                "some of them have left since. Look at the last row instead."
            ),
        )
    if close_to(frame["active"].max(), rel=0, abs_=0.5)(answer):
        return Feedback(
            False, _("that is the highest weekly count, not the count in the last week.")
        )
    if close_to(last["actual"] + last["loyal"] + last["marketer"], rel=0, abs_=0.5)(answer):
        return Feedback(
            True, _("you added the tiers up, which gives the same count as the `active` column.")
        )
    return Feedback(
        False,
        _(
            "not the number of active customers in the last week. Take the last row "
            "of the frame (`frame.iloc[-1]`) and read its `active` column."
        ),
    )


q1 = Question(
    N_("active customers at the end"),
    _check_active,
    hints=[
        N_("The weekly frame has one row per week; the last row is the last week."),
        N_(
            "`frame.iloc[-1]` is the last row; its `active` entry counts the customers buying from "
            "the firm."
        ),
    ],
    solution="frame = model.frame\nanswer = frame['active'].iloc[-1]",
)


# ---------------------------------------------------------------- q2
def _check_revenue(answer) -> Feedback:
    frame = _frame()
    total = frame["revenue"].sum()
    if close_to(total, rel=1e-6)(answer):
        return Feedback(True, _("summing the weekly `revenue` column gives the year's takings."))
    if close_to(frame["revenue"].iloc[-1], rel=1e-6)(answer):
        return Feedback(
            False, _("that is one week's revenue (the last). Add up every week of the run.")
        )
    if close_to(frame["profit"].sum(), rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "that is total *profit*: revenue less the cost of goods and of the levers. "
                "The question asks for revenue."
            ),
        )
    if close_to(frame["revenue"].mean(), rel=1e-6)(answer):
        return Feedback(
            False, _("that is the weekly average. The question asks for the total over the run.")
        )
    return Feedback(
        False,
        _(
            "not the total revenue of the run. Each row holds one week's revenue; "
            "combine all the rows."
        ),
    )


q2 = Question(
    N_("revenue over the year"),
    _check_revenue,
    hints=[
        N_(
            "Each row of the frame is one week, and its `revenue` column is what customers paid "
            "that week."
        ),
        N_("A pandas column has a `.sum()` method."),
    ],
    solution="answer = model.frame['revenue'].sum()",
)


# ---------------------------------------------------------------- q3
def _check_policy(answer) -> Feedback:
    if not isinstance(answer, Policy):
        return Feedback(
            False,
            _(
                "expected a `crmsim.Policy`, got a {kind}. "
                "Build one with `Policy(discount=..., discount_target=..., discount_weeks=...)`."
            ).format(kind=type(answer).__name__),
        )
    if abs(answer.discount - 0.2) > 1e-9:
        return Feedback(
            False,
            _(
                "the discount is {discount}. Discounts are shares of the price, "
                "so a discount of p per cent is written p / 100."
            ).format(discount=format_number(answer.discount, "g")),
        )
    if answer.discount_target != "new":
        return Feedback(
            False,
            _(
                "the discount goes to {target}. Only new customers "
                "should get it: look up the allowed values of `discount_target` in "
                "`help(crmsim.Policy)`."
            ).format(target=repr(answer.discount_target)),
        )
    if answer.discount_weeks is None:
        return Feedback(
            False, _("the discount never ends. Give `discount_weeks` a (start, end) pair.")
        )
    start, end = answer.discount_weeks
    if start != 0:
        return Feedback(
            False,
            _(
                "the discount starts in week {start}. The model counts weeks from 0, "
                "so the first week of the run is week 0."
            ).format(start=format_number(start)),
        )
    if end != 12:
        return Feedback(
            False,
            _(
                "the discount runs in weeks {start} to {last}. The end of "
                "`discount_weeks` is excluded, like the end of a Python `range`; count how "
                "many weeks that makes."
            ).format(start=format_number(start), last=format_number(end - 1)),
        )
    return Feedback(
        True, _("a 20 % discount for new customers in weeks 0 to 11, the first twelve weeks.")
    )


q3 = Question(
    N_("a policy for an opening promotion"),
    _check_policy,
    hints=[
        N_(
            "Three fields of `Policy` are involved: `discount`, `discount_target` and "
            "`discount_weeks`."
        ),
        N_(
            "`discount_weeks=(start, end)` works like `range(start, end)`: the end week is not "
            "included."
        ),
    ],
    solution="answer = Policy(discount=0.2, discount_target='new', discount_weeks=(0, 12))",
)


# ---------------------------------------------------------------- q4: five times the advertising
#: The runs of question 4: the notebook's slider run, with the advertising of each firm.
ADVERTISING_RUN = {"n_customers": 1_000, "weeks": 104, "rng": 2024, "service_quality": 0.7}
ADVERTISING = {"usual": 0.01, "five times": 0.05}


@lru_cache(maxsize=4)
def _active(advertising: float) -> tuple[int, int]:
    """Active customers after one year and at the end of a two-year run."""
    run = ADVERTISING_RUN
    policy = Policy(service_quality=run["service_quality"], advertising=advertising)
    model = CRMModel(n_customers=run["n_customers"], policy=policy, rng=run["rng"])
    model.run(run["weeks"], progress=False)
    active = model.frame["active"]
    return int(active.iloc[51]), int(active.iloc[-1])


def _gain(which: int = 1) -> float:
    usual, more = (_active(a)[which] for a in ADVERTISING.values())
    return (more - usual) / usual


def _advertising_outcome(answer) -> str:
    value = as_number(answer)
    if value is not None and value >= 1:
        return "ends with several times as many"
    if value is not None and value >= 0.2:
        return "ends with about half as many again"
    return "ends with only a few more"


def _check_advertising(answer) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(
            False, _("give one number: the relative gain, such as 0.25 for a quarter more.")
        )
    if close_to(_gain(), rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "after one year the stronger advertising had {gain} more active "
                "customers, but by the end of the second the gap has nearly closed: the market "
                "is finite, and word of mouth reaches the people the adverts did not. "
                "Advertising mostly buys the same customers sooner."
            ).format(gain=format_number(_gain(0), ".0%")),
        )
    if close_to(_gain(0), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "that compares the two firms after one year. The question asks about the last "
                "week of the two-year run."
            ),
        )
    usual, more = (_active(a)[1] for a in ADVERTISING.values())
    if close_to(more - usual, rel=0, abs_=0.5)(value):
        return Feedback(
            False,
            _(
                "that is the difference in customers. Divide it by the usual firm's count to get "
                "the relative gain."
            ),
        )
    if close_to(more / usual, rel=1e-6)(value):
        return Feedback(
            False, _("that is the ratio of the two counts. The gain is the ratio minus one.")
        )
    if close_to((more - usual) / more, rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "you divided by the stronger advertiser's count. The gain is relative to the firm "
                "with the usual advertising."
            ),
        )
    return Feedback(
        False,
        _(
            "not the relative gain in active customers at the end. Run both firms as the question "
            "says, read `active` in each frame's last row, and compute (five times - usual) / "
            "usual."
        ),
    )


q4 = Prediction(
    N_("five times the advertising"),
    _check_advertising,
    choices=(
        N_("ends with several times as many"),
        N_("ends with about half as many again"),
        N_("ends with only a few more"),
    ),
    outcome=_advertising_outcome,
    hints=[
        N_(
            "Advertising reaches people who have not heard of the firm. How many of those are "
            "left after a year or two, with or without adverts?"
        ),
        N_(
            "The relative gain is (active with strong advertising - active with usual "
            "advertising) / active with usual advertising, both read in the last week."
        ),
    ],
    solution=(
        "ends = {}\n"
        "for name, advertising in ex.ADVERTISING.items():\n"
        "    run = CRMModel(n_customers=1_000, policy=Policy(service_quality=0.7, "
        "advertising=advertising), rng=2024)\n"
        "    run.run(104)\n"
        "    ends[name] = run.frame['active'].iloc[-1]\n"
        "answer = (ends['five times'] - ends['usual']) / ends['usual']"
    ),
)


# ---------------------------------------------------------------- q5: two ladders
#: The names of question 5.
LADDER_NAMES = (
    N_("awareness"),
    N_("prospect"),
    N_("exploration"),
    N_("actual"),
    N_("expansion"),
    N_("loyal"),
    N_("commitment"),
    N_("marketer"),
    N_("dissolution"),
)
_LADDER_ALIASES = {
    "relationship stage": "stage",
    "dwyer schurr oh stage": "stage",
    "dso stage": "stage",
    "customer tier": "tier",
    "cam tier": "tier",
}
_EXPECTED_LADDER = {
    "awareness": "stage",
    "prospect": "tier",
    "exploration": "stage",
    "actual": "tier",
    "expansion": "stage",
    "loyal": "tier",
    "commitment": "stage",
    "marketer": "tier",
    "dissolution": "stage",
}

q5 = Classification(
    N_("stage or tier"),
    label_checker(_EXPECTED_LADDER, aliases=_LADDER_ALIASES),
    items=LADDER_NAMES,
    labels=("stage", "tier"),
    aliases=_LADDER_ALIASES,
    hints=[
        N_(
            "The relationship stages come from Dwyer, Schurr and Oh and are the members of "
            "`crmsim.Stage`; the tiers are the course's customer ladder, `crmsim.Tier`."
        ),
        N_(
            "Stages say how deep the relationship is; tiers say what the customer does for the "
            "firm (buys once, buys again, brings others)."
        ),
    ],
    solution=(
        "answer = {name: 'stage' for name in ['awareness', 'exploration', 'expansion', "
        "'commitment', 'dissolution']}\n"
        "answer |= {name: 'tier' for name in ['prospect', 'actual', 'loyal', 'marketer']}"
    ),
)


# ---------------------------------------------------------------- q6: why one seed for both
q6 = Discussion(
    N_("why compare policies on the same seed"),
    min_words=40,
    hints=[
        N_("What else, besides the policy, differs between two runs with different seeds?"),
        N_(
            "Think of a small effect, such as a few customers more or fewer, next to the "
            "differences that luck alone makes between two seeds."
        ),
    ],
    solution=(
        N_(
            "A run is one possible history: who hears of the firm, who buys, which episodes fail "
            "all depend on random draws. With the same seed and settings two runs are identical, "
            "so when two runs share a seed and differ only in the policy, the difference in their "
            "frames comes from the policy. With different seeds, luck differs too, and luck alone "
            "moves the number of customers or the profit by as much as many policy changes do, "
            "so a better result could be a luckier seed. Even on one seed the result is one "
            "history among many, which is why the lessons repeat comparisons on several seeds "
            "before trusting them."
        )
    ),
    rubric=(
        "- says that randomness makes each run one possible history, fixed by the seed (1 "
        "mark)\n"
        "- explains that a shared seed leaves the policy as the only difference (1 mark)\n"
        "- explains that with different seeds luck can produce or hide a difference as large "
        "as the policy's (1 mark)\n"
        "- notes that one seed is still one history, so comparisons are repeated over "
        "several seeds (1 mark)"
    ),
)

__all__ = ["ADVERTISING", "LADDER_NAMES", "RUN", "q1", "q2", "q3", "q4", "q5", "q6", "run_model"]
