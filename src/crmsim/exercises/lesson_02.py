"""Exercises for lesson 02, the relationship life cycle: Dwyer–Schurr–Oh stages and the new store.

Examples
--------
>>> from crmsim.exercises import lesson_02 as ex
>>> ex.q1.check(["awareness", "exploration", "expansion", "commitment", "dissolution"], quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from crmsim import CRMModel, Stage, scenarios
from crmsim.exercises.core import Feedback, Question, as_number, close_to

# ---------------------------------------------------------------- q1: the stages in order
#: Dwyer, Schurr & Oh (1987), in order. The model's UNAWARE is its own addition.
DSO_STAGES = tuple(s.name.lower() for s in Stage if s is not Stage.UNAWARE)


def _stage_name(item) -> str:
    if isinstance(item, Stage):
        return item.name.lower()
    return str(item).strip().lower().removeprefix("stage.")


def _check_order(answer) -> Feedback:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return Feedback(
            False, "give a list of stage names (or `Stage` members), first stage first."
        )
    given = [_stage_name(x) for x in answer]
    if "unaware" in given:
        return Feedback(
            False,
            "UNAWARE is the model's own addition for people who have not heard of the "
            "firm; Dwyer, Schurr and Oh's process begins once they have.",
        )
    unknown = [g for g in given if g not in DSO_STAGES]
    if unknown:
        return Feedback(
            False, f"{unknown} is not a stage; the stages are the members of `crmsim.Stage`."
        )
    if len(given) != len(DSO_STAGES) or len(set(given)) != len(given):
        return Feedback(
            False,
            f"the process has {len(DSO_STAGES)} stages, each listed once; you gave "
            f"{len(given)} names ({len(set(given))} different).",
        )
    if given == list(DSO_STAGES):
        return Feedback(
            True,
            "first hearing of the firm, trying it, buying more, committing, and "
            "eventually (for many) parting.",
        )
    first_wrong = next(i for i, (g, s) in enumerate(zip(given, DSO_STAGES, strict=True)) if g != s)
    return Feedback(
        False,
        f"the first {first_wrong} are in place, but {given[first_wrong]!r} comes "
        "too early or too late. Retell the new-store story: flyers, a first visit, coming "
        "back for more, buying nearly everything there, and finally drifting away.",
    )


q1 = Question(
    "the stages in order",
    _check_order,
    hints=[
        "The stages are the members of `crmsim.Stage`, minus the one the model added for people "
        "who have not heard of the firm.",
        "Follow a neighbour of the new store from the flyer in the letterbox to the day they "
        "stop going.",
    ],
    solution="answer = ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution']",
)


# ---------------------------------------------------------------- runs for q2 and q3
#: Seed and length of the new-store runs used by questions 2 and 3.
SEED = 1
WEEKS = 40
PROMOTION_WEEKS = 8  # the opening discount runs in weeks 0-7 (scenario ``opening_discount``)


@lru_cache(maxsize=4)
def run_scenario(name: str) -> CRMModel:
    """Run ``opening_discount`` or ``lasting_discount`` for 40 weeks with seed 1."""
    model = CRMModel(**scenarios.load(name).kwargs, rng=SEED)
    model.run(WEEKS, progress=False)
    return model


def opening_cohort_lost(model: CRMModel, end: int = PROMOTION_WEEKS) -> float:
    """Share of those who first bought in weeks ``0 .. end-1`` and left in week ``end`` or later."""
    first = model.state.first_purchase_week
    cohort = np.flatnonzero((first >= 0) & (first < end))
    losses = model.losses
    gone = losses[losses["customer"].isin(cohort) & (losses["week"] >= end)]
    return gone["customer"].nunique() / len(cohort)


# ---------------------------------------------------------------- q2: when do they leave?
def _check_peak(answer) -> Feedback:
    frame = run_scenario("opening_discount").frame
    peak = int(frame.loc[frame["lost_competitor"].idxmax(), "week"])
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, "give the week as a number.")
    if value == peak:
        return Feedback(
            True,
            "the first week without the discount, or just after it: customers who "
            "came for the price now compare it with the competitor's offers and leave.",
        )
    if abs(value - peak) == 1:
        return Feedback(
            False,
            "off by one week. Read the week from the frame's `week` column, which "
            "counts from 0, rather than counting rows by hand.",
        )
    if value == int(frame.loc[frame["lost"].idxmax(), "week"]):
        return Feedback(
            False,
            "that is the week with the most departures of *all* causes. The question "
            "is about customers lost to the competitor: use `lost_competitor`.",
        )
    if value == frame["lost_competitor"].max():
        return Feedback(
            False, "that is how many left in the worst week. The question asks *which* week."
        )
    return Feedback(
        False,
        "not the week when the competitor took the most customers. Find the row "
        "where `lost_competitor` is largest and read its `week`.",
    )


q2 = Question(
    "when the bargain hunters leave",
    _check_peak,
    hints=[
        "The column `lost_competitor` counts, week by week, customers who took a competitor's "
        "offer.",
        "`frame['lost_competitor'].idxmax()` gives the row label of the largest value.",
    ],
    solution=(
        "frame = ex.run_scenario('opening_discount').frame\n"
        "answer = frame.loc[frame['lost_competitor'].idxmax(), 'week']"
    ),
)


# ---------------------------------------------------------------- q3: the opening cohort
def _check_cohort(answer) -> Feedback:
    model = run_scenario("opening_discount")
    share = opening_cohort_lost(model)
    if close_to(share, rel=1e-6)(answer):
        lasting = opening_cohort_lost(run_scenario("lasting_discount"))
        if lasting < share:
            return Feedback(
                True,
                f"compare it with {lasting:.1%} when the discount never ends: the end of "
                "the promotion pushes more of them out, though a lasting discount loses "
                "customers too, most of them after service failures.",
            )
        return Feedback(
            True,
            f"compare it with {lasting:.1%} when the discount never ends: in this run "
            "a lasting discount keeps no more of its cohort, whose customers buy more "
            "often and so meet more service failures.",
        )
    first = model.state.first_purchase_week
    cohort = np.flatnonzero((first >= 0) & (first < PROMOTION_WEEKS))
    losses = model.losses
    late = losses[losses["week"] >= PROMOTION_WEEKS]
    everyone = np.flatnonzero(first >= 0)
    if close_to(len(late) / len(cohort), rel=1e-6)(answer):
        return Feedback(
            False,
            "you counted every departure from week 8 on, including customers who "
            "joined after the promotion. Keep only the opening cohort.",
        )
    lost_cohort = losses["customer"].isin(cohort) & (losses["week"] >= PROMOTION_WEEKS)
    if close_to(lost_cohort.sum() / len(everyone), rel=1e-6)(answer):
        return Feedback(
            False,
            "the numerator is right but you divided by everyone who ever bought. "
            "The share is of the opening cohort.",
        )
    if close_to(losses["customer"].isin(cohort).sum() / len(cohort), rel=1e-6)(answer):
        return Feedback(
            False,
            "that includes cohort members who left *during* the promotion. Count only "
            "departures once it had ended.",
        )
    value = as_number(answer)
    if value is not None and value > 1:
        return Feedback(False, "give the share as a fraction between 0 and 1, not a percentage.")
    return Feedback(
        False,
        "not the share of the opening cohort lost after the promotion. The cohort is "
        "everyone whose `first_purchase_week` is below the promotion's end; count how many "
        "of them appear in `model.losses` in a later week.",
    )


q3 = Question(
    "what happened to the opening cohort",
    _check_cohort,
    hints=[
        "`model.state.first_purchase_week` holds each person's first purchase week (-1 if never).",
        "`model.losses` lists every departure with its `week`, the `customer` and the "
        "`spell_start` "
        "of the relationship that ended.",
        "Cohort: first purchase before the promotion ended. Lost: cohort members in `model.losses` "
        "with a departure week at or after the promotion's end.",
    ],
    solution=(
        "model = ex.run_scenario('opening_discount')\n"
        "first = model.state.first_purchase_week\n"
        "cohort = np.flatnonzero((first >= 0) & (first < 8))\n"
        "losses = model.losses\n"
        "gone = losses[losses['customer'].isin(cohort) & (losses['week'] >= 8)]\n"
        "answer = gone['customer'].nunique() / len(cohort)"
    ),
)

__all__ = [
    "DSO_STAGES",
    "PROMOTION_WEEKS",
    "SEED",
    "WEEKS",
    "opening_cohort_lost",
    "q1",
    "q2",
    "q3",
    "run_scenario",
]
