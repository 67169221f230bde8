"""Exercises for lesson 00, getting started: run a model, read its weekly frame, write a policy.

Every question uses the same small run, described by :data:`RUN`: the
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
from crmsim.exercises.core import Feedback, Question, close_to

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
            "that is the last row's `active` column: customers in a buying relationship "
            "(exploration, expansion or commitment) when the run ended.",
        )
    if close_to(last["active_start"], rel=0, abs_=0.5)(answer):
        return Feedback(
            False,
            "that is `active_start`, the count at the *start* of the last week. "
            "The question asks for the count at its end.",
        )
    if close_to(frame["acquired"].sum(), rel=0, abs_=0.5)(answer):
        return Feedback(
            False,
            "that is how many people bought for the first time over the whole run; "
            "some of them have left since. Look at the last row instead.",
        )
    if close_to(frame["active"].max(), rel=0, abs_=0.5)(answer):
        return Feedback(False, "that is the highest weekly count, not the count in the last week.")
    if close_to(last["actual"] + last["loyal"] + last["marketer"], rel=0, abs_=0.5)(answer):
        return Feedback(
            True, "you added the tiers up, which gives the same count as the `active` column."
        )
    return Feedback(
        False,
        "not the number of active customers in the last week. Take the last row "
        "of the frame (`frame.iloc[-1]`) and read its `active` column.",
    )


q1 = Question(
    "active customers at the end",
    _check_active,
    hints=[
        "The weekly frame has one row per week; the last row is the last week.",
        "`frame.iloc[-1]` is the last row; its `active` entry counts the customers buying from "
        "the firm.",
    ],
    solution="frame = model.frame\nanswer = frame['active'].iloc[-1]",
)


# ---------------------------------------------------------------- q2
def _check_revenue(answer) -> Feedback:
    frame = _frame()
    total = frame["revenue"].sum()
    if close_to(total, rel=1e-6)(answer):
        return Feedback(True, "summing the weekly `revenue` column gives the year's takings.")
    if close_to(frame["revenue"].iloc[-1], rel=1e-6)(answer):
        return Feedback(
            False, "that is one week's revenue (the last). Add up every week of the run."
        )
    if close_to(frame["profit"].sum(), rel=1e-6)(answer):
        return Feedback(
            False,
            "that is total *profit*: revenue less the cost of goods and of the levers. "
            "The question asks for revenue.",
        )
    if close_to(frame["revenue"].mean(), rel=1e-6)(answer):
        return Feedback(
            False, "that is the weekly average. The question asks for the total over the run."
        )
    return Feedback(
        False,
        "not the total revenue of the run. Each row holds one week's revenue; "
        "combine all the rows.",
    )


q2 = Question(
    "revenue over the year",
    _check_revenue,
    hints=[
        "Each row of the frame is one week, and its `revenue` column is what customers paid "
        "that week.",
        "A pandas column has a `.sum()` method.",
    ],
    solution="answer = model.frame['revenue'].sum()",
)


# ---------------------------------------------------------------- q3
def _check_policy(answer) -> Feedback:
    if not isinstance(answer, Policy):
        return Feedback(
            False,
            f"expected a `crmsim.Policy`, got a {type(answer).__name__}. "
            "Build one with `Policy(discount=..., discount_target=..., discount_weeks=...)`.",
        )
    if abs(answer.discount - 0.2) > 1e-9:
        return Feedback(
            False,
            f"the discount is {answer.discount:g}. Discounts are shares of the price, "
            "so a discount of p per cent is written p / 100.",
        )
    if answer.discount_target != "new":
        return Feedback(
            False,
            f"the discount goes to {answer.discount_target!r}. Only new customers "
            "should get it: look up the allowed values of `discount_target` in "
            "`help(crmsim.Policy)`.",
        )
    if answer.discount_weeks is None:
        return Feedback(
            False, "the discount never ends. Give `discount_weeks` a (start, end) pair."
        )
    start, end = answer.discount_weeks
    if start != 0:
        return Feedback(
            False,
            f"the discount starts in week {start}. The model counts weeks from 0, "
            "so the first week of the run is week 0.",
        )
    if end != 12:
        return Feedback(
            False,
            f"the discount runs in weeks {start} to {end - 1}. The end of "
            "`discount_weeks` is excluded, like the end of a Python `range`; count how "
            "many weeks that makes.",
        )
    return Feedback(
        True, "a 20 % discount for new customers in weeks 0 to 11, the first twelve weeks."
    )


q3 = Question(
    "a policy for an opening promotion",
    _check_policy,
    hints=[
        "Three fields of `Policy` are involved: `discount`, `discount_target` and "
        "`discount_weeks`.",
        "`discount_weeks=(start, end)` works like `range(start, end)`: the end week is not "
        "included.",
    ],
    solution="answer = Policy(discount=0.2, discount_target='new', discount_weeks=(0, 12))",
)

__all__ = ["RUN", "q1", "q2", "q3", "run_model"]
