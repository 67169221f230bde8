"""Exercises for lesson 05, churn rate: the definition, the telecom example, a leading indicator.

Examples
--------
>>> from crmsim.exercises import lesson_05 as ex
>>> ex.q1.check(170_000 / 17_000_000, quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

from crmsim import CRMModel, analysis, scenarios
from crmsim.exercises.core import Feedback, Question, close_to

#: The course's telecom operator over one quarter.
TELECOM = {"start": 17_000_000, "joined": 680_000, "lost": 170_000}


def _as_float(answer) -> float | None:
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- q1: the telecom churn
def _check_telecom_churn(answer) -> Feedback:
    t = TELECOM
    value = _as_float(answer)
    if value is None:
        return Feedback(False, "give the churn rate as a number.")
    if close_to(analysis.churn_rate(start=t["start"], lost=t["lost"]), rel=1e-6)(value):
        return Feedback(
            True, "the customers lost, over the customers there when the quarter began."
        )
    end = t["start"] + t["joined"] - t["lost"]
    if close_to(t["lost"] / end, rel=1e-6)(value):
        return Feedback(
            False,
            "you divided by the count at the *end* of the quarter. Churn uses the count "
            "at its start: the end count is the base of the *next* quarter.",
        )
    if close_to(t["lost"] / (t["start"] + t["joined"]), rel=1e-6)(value):
        return Feedback(
            False,
            "you added the newcomers to the base. Customers who joined during the quarter "
            "do not enter this quarter's churn.",
        )
    if close_to(100 * t["lost"] / t["start"], rel=1e-6)(value):
        return Feedback(False, "that looks like a percentage; give the rate as a fraction of 1.")
    if close_to((t["joined"] - t["lost"]) / t["start"], rel=1e-6)(value):
        return Feedback(False, "that is the net growth of the base, not its churn.")
    return Feedback(
        False,
        "not the churn rate. Which customers count as lost, and which count forms the "
        "base of the rate?",
    )


q1 = Question(
    "churn of the telecom operator",
    _check_telecom_churn,
    hints=[
        "Churn compares the customers lost with the customers present when the period *began*.",
        "`crmsim.analysis.churn_rate(start=..., lost=...)` implements the definition; try it "
        "by hand too.",
    ],
    solution=(
        "answer = 170_000 / 17_000_000   # or "
        "crmsim.analysis.churn_rate(start=17_000_000, lost=170_000)"
    ),
)


# ---------------------------------------------------------------- q2: growth without churn
def _check_growth_without_churn(answer) -> Feedback:
    t = TELECOM
    value = _as_float(answer)
    if value is None:
        return Feedback(False, "give the growth rate as a number.")
    if close_to(analysis.net_growth(start=t["start"], joined=t["joined"], lost=0), rel=1e-6)(value):
        return Feedback(
            True,
            "every point of churn removed is a point of growth gained, without winning "
            "a single extra customer.",
        )
    if close_to(analysis.net_growth(**t), rel=1e-6)(value):
        return Feedback(False, "that is the growth *with* churn. Imagine nobody had left.")
    if close_to(t["joined"] / (t["start"] + t["joined"]), rel=1e-6)(value):
        return Feedback(False, "growth is measured against the base at the start of the quarter.")
    if value > 1 and close_to(100 * t["joined"] / t["start"], rel=1e-6)(value):
        return Feedback(False, "that looks like a percentage; give the rate as a fraction of 1.")
    return Feedback(
        False,
        "not the growth without churn. If nobody left, how much larger would the "
        "base be at the end than at the start, relative to the start?",
    )


q2 = Question(
    "growth if nobody had left",
    _check_growth_without_churn,
    hints=[
        "Net growth is (joined - lost) / start.",
        "`crmsim.analysis.net_growth` takes `start`, `joined` and `lost`; what is `lost` if "
        "nobody leaves?",
    ],
    solution=(
        "answer = 680_000 / 17_000_000   # or "
        "crmsim.analysis.net_growth(start=17_000_000, joined=680_000, lost=0)"
    ),
)


# ---------------------------------------------------------------- the runs of q3 and q4
#: Questions 3 and 4: the baseline firm, cutting service quality as week ``cut_week`` starts.
RUN = {"scenario": "baseline", "n_customers": 2_000, "rng": 42, "cut_week": 52, "cut_to": 0.5}
QUARTER = 13  # weeks


@lru_cache(maxsize=2)
def run_with_cut(cut: bool = True, weeks: int = 65) -> CRMModel:
    """The baseline firm for ``weeks`` weeks; if ``cut``, service quality is 0.5 from week 52."""
    model = CRMModel(
        **scenarios.load(RUN["scenario"]).kwargs | {"n_customers": RUN["n_customers"]},
        rng=RUN["rng"],
    )
    model.run(min(weeks, RUN["cut_week"]), progress=False)
    if cut:
        model.policy = model.policy.replace(service_quality=RUN["cut_to"])
    model.run(max(0, weeks - RUN["cut_week"]), progress=False)
    return model


def _quarters(model: CRMModel):
    frame = model.frame
    table = analysis.period_churn(frame, weeks=QUARTER)
    table["profit"] = (
        frame.groupby(frame["week"] // QUARTER)["profit"].sum().to_numpy()[: len(table)]
    )
    return table


# ------------------------------------------------- q3: quarterly churn by the definition
Q3_QUARTER_START = 39  # weeks 39-51: the last quarter before the cut


def _check_quarter_churn(answer) -> Feedback:
    model = run_with_cut(cut=False)
    frame, losses = model.frame, model.losses
    a, b = Q3_QUARTER_START, Q3_QUARTER_START + QUARTER
    start = int(frame.loc[a, "active_start"])
    in_quarter = losses[(losses["week"] >= a) & (losses["week"] < b)]
    right = (in_quarter["spell_start"] < a).sum() / start
    value = _as_float(answer)
    if value is None:
        return Feedback(False, "give the churn rate as a number.")
    if close_to(right, rel=1e-6)(value):
        return Feedback(
            True,
            "it agrees with `crmsim.analysis.period_churn(frame, weeks=13)`, which "
            "applies the same definition to every quarter.",
        )
    if close_to(len(in_quarter) / start, rel=1e-6)(value):
        return Feedback(
            False,
            "you counted every departure in the quarter, including customers who joined "
            "during it and left again. Only those present at the quarter's start count.",
        )
    if close_to(frame.loc[a : b - 1, "lost_from_start"].sum() / start, rel=1e-6)(value):
        return Feedback(
            False,
            "`lost_from_start` counts customers present at the start of each *week*, so "
            "summed over a quarter it still includes people who joined during the quarter.",
        )
    end = int(frame.loc[b - 1, "active"])
    if close_to((in_quarter["spell_start"] < a).sum() / end, rel=1e-6)(value):
        return Feedback(
            False,
            "you divided by the count at the quarter's end. Churn uses the count at its start.",
        )
    if close_to(frame.loc[a : b - 1, "churn_rate"].mean(), rel=1e-6)(value):
        return Feedback(
            False, "that is the average *weekly* churn. The question asks for one quarterly rate."
        )
    return Feedback(
        False,
        "not the quarter's churn. Count the customers active at the start of week "
        f"{a}, then how many of *them* left during weeks {a}-{b - 1}.",
    )


q3 = Question(
    "churn of one quarter, by the definition",
    _check_quarter_churn,
    hints=[
        "The base is `frame.loc[first_week, 'active_start']`: the customers there when the "
        "quarter began.",
        "In `model.losses`, a departure in the quarter counts only if its `spell_start` is "
        "before the "
        "quarter's first week: that customer was already there at the start.",
    ],
    solution=(
        "model = ex.run_with_cut(cut=False)\n"
        "frame, losses = model.frame, model.losses\n"
        "start = frame.loc[39, 'active_start']\n"
        "in_quarter = losses[(losses['week'] >= 39) & (losses['week'] < 52)]\n"
        "answer = (in_quarter['spell_start'] < 39).sum() / start"
    ),
)


# ---------------------------------------------------------------- q4: the leading indicator
def _check_leading(answer) -> Feedback:
    cut = _quarters(run_with_cut(cut=True)).set_index("first_week")
    kept = _quarters(run_with_cut(cut=False)).set_index("first_week")
    quarter = RUN["cut_week"]  # the quarter that starts with the cut
    churn_gap = cut.loc[quarter, "churn"] - kept.loc[quarter, "churn"]
    profit_gap = cut.loc[quarter, "profit"] - kept.loc[quarter, "profit"]
    try:
        churn, profit = (float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False, "give a pair: (difference in quarterly churn, difference in quarterly profit)."
        )
    churn_ok = close_to(churn_gap, rel=1e-6)(churn)
    profit_ok = close_to(profit_gap, rel=1e-6)(profit)
    if churn_ok and profit_ok:
        profit_news = (
            "made *more* profit than the firm that kept its service"
            if profit_gap > 0
            else "lost only a little profit"
        )
        return Feedback(
            True,
            "in the very quarter of the cut, churn was clearly higher, yet the firm "
            f"{profit_news}: the cost saved arrives at once, the lost customers' revenue is "
            "missed only later. "
            "Watching profit alone, the cut looks like a success.",
        )
    if close_to(-churn_gap, rel=1e-6)(churn) or close_to(-profit_gap, rel=1e-6)(profit):
        return Feedback(
            False, "each difference is the firm that cut minus the firm that kept; check the signs."
        )
    before = quarter - QUARTER
    if close_to(cut.loc[quarter, "churn"] - cut.loc[before, "churn"], rel=1e-6)(churn):
        return Feedback(
            False,
            "you compared the cut firm with its own previous quarter. Churn changes as a young "
            "firm matures anyway, so compare the same quarter of the two firms instead.",
        )
    if not churn_ok:
        return Feedback(
            False,
            "the churn difference is off. Compute each firm's churn for the quarter starting at "
            "the cut by the definition (`crmsim.analysis.period_churn(frame, weeks=13)`) and "
            "subtract.",
        )
    return Feedback(
        False,
        "the churn difference is right, but the profit difference is not. Sum the weekly "
        "`profit` over the quarter's thirteen weeks for each firm before subtracting.",
    )


q4 = Question(
    "what the managers saw",
    _check_leading,
    hints=[
        "Run both firms, `ex.run_with_cut(cut=True)` and `ex.run_with_cut(cut=False)`, and look at "
        "the same quarter in each: the one that starts with the cut.",
        "`crmsim.analysis.period_churn(frame, weeks=13)` gives one row per quarter (see its "
        "`first_week` column); `frame.groupby(frame['week'] // 13)['profit'].sum()` gives each "
        "quarter's profit.",
    ],
    solution=(
        "churn, profit = {}, {}\n"
        "for cut in (True, False):\n"
        "    frame = ex.run_with_cut(cut=cut).frame\n"
        "    churn[cut] = crmsim.analysis.period_churn(frame, weeks=13).loc[4, 'churn']\n"
        "    profit[cut] = frame.groupby(frame['week'] // 13)['profit'].sum()[4]\n"
        "answer = (churn[True] - churn[False], profit[True] - profit[False])"
    ),
)

__all__ = ["QUARTER", "RUN", "TELECOM", "q1", "q2", "q3", "q4", "run_with_cut"]
