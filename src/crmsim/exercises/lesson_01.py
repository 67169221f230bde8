"""Exercises for lesson 01, what CRM is: the four types of CRM, and whom a discount is for.

Examples
--------
>>> from crmsim.exercises import lesson_01 as ex
>>> right = {"a": "strategic", "b": "operational", "c": "analytical", "d": "collaborative"}
>>> ex.q1.check(right, quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

from crmsim import CRMModel, Policy
from crmsim.exercises.core import Feedback, Question, as_number, close_to
from crmsim.levers import CHANNELS

# ---------------------------------------------------------------- q1: the four types of CRM
CRM_TYPES = ("strategic", "operational", "analytical", "collaborative")

#: The activities of question 1, as shown in the notebook.
ACTIVITIES = {
    "a": "The board decides to build the business around young families, and reshapes products, "
    "prices and training to serve them first.",
    "b": "Every order automatically triggers a confirmation e-mail, a delivery slot and an "
    "invoice.",
    "c": "Last year's purchase records are mined to find which campaign brought lapsed "
    "customers back.",
    "d": "The firm opens a chat line and an SMS number so customers can reach it the way "
    "they prefer.",
}
_TYPE_OF = {"a": "strategic", "b": "operational", "c": "analytical", "d": "collaborative"}
_WHAT_IT_IS = {
    "strategic": "deciding who the firm serves and building the firm around them",
    "operational": "automating the day-to-day work of selling, serving and delivering",
    "analytical": "turning collected data into decisions",
    "collaborative": "the channels through which customers and partners talk to the firm",
}
_ALIASES = {
    "interactive": "collaborative",
    "analytic": "analytical",
    "operations": "operational",
    "strategy": "strategic",
}


def _normalise(label) -> str:
    text = str(label).strip().lower().replace("crm", "").strip(" -_")
    return _ALIASES.get(text, text)


def _check_types(answer) -> Feedback:
    if not isinstance(answer, dict):
        return Feedback(
            False, "give a dict mapping each item letter to a type, e.g. {'a': 'strategic', ...}."
        )
    given = {str(k).strip().lower(): _normalise(v) for k, v in answer.items()}
    missing = sorted(set(_TYPE_OF) - set(given))
    if missing:
        return Feedback(False, f"item(s) {missing} have no answer yet.")
    unknown = sorted({v for v in given.values() if v not in CRM_TYPES})
    if unknown:
        return Feedback(False, f"{unknown} is not one of the four types {list(CRM_TYPES)}.")
    wrong = [k for k in sorted(_TYPE_OF) if given[k] != _TYPE_OF[k]]
    if not wrong:
        return Feedback(
            True,
            "deciding (strategic), doing (operational), analysing (analytical) and "
            "talking (collaborative).",
        )
    k = wrong[0]
    return Feedback(
        False,
        f"{len(wrong)} of the four are misplaced. Item {k!r}: you said "
        f"{given[k]!r}, which is about {_WHAT_IT_IS[given[k]]}. Is that what item {k!r} "
        "describes?",
    )


q1 = Question(
    "the four types of CRM",
    _check_types,
    hints=[
        "Ask of each item: is it about deciding whom to serve, doing the daily work, "
        "learning from data, or the channels customers use to reach the firm?",
        "Each of the four types appears exactly once.",
    ],
    solution=(
        "answer = {'a': 'strategic', 'b': 'operational', 'c': 'analytical', 'd': 'collaborative'}"
    ),
)


# ---------------------------------------------------------------- q2: blanket vs targeted discount
#: The runs of questions 2 and 3.
RUN = {"n_customers": 2_000, "weeks": 104, "rng": 1}
BASE_POLICY = Policy(service_quality=0.7, advertising=0.02)
BLANKET = BASE_POLICY.replace(discount=0.1)  # product-centric: everyone gets it
TARGETED = BASE_POLICY.replace(discount=0.1, discount_target="bargain_hunters")  # customer-centric


@lru_cache(maxsize=4)
def run_policy(name: str) -> CRMModel:
    """Run the lesson's market under ``"blanket"`` or ``"targeted"``.

    2,000 customers, 104 weeks, seed 1.
    """
    policy = {"blanket": BLANKET, "targeted": TARGETED}[name]
    model = CRMModel(n_customers=RUN["n_customers"], policy=policy, rng=RUN["rng"])
    model.run(RUN["weeks"], progress=False)
    return model


def _total(name: str, column: str) -> float:
    return float(run_policy(name).frame[column].sum())


def _check_profit_gap(answer) -> Feedback:
    gap = _total("targeted", "profit") - _total("blanket", "profit")
    if close_to(gap, rel=1e-6)(answer):
        return Feedback(
            True,
            "aimed at the customers whose buying follows the price, the same discount "
            "buys about half of the blanket discount's extra purchases for about two fifths "
            "of its money, and spends far less on customers who would have bought anyway. "
            "(It still earns less than no discount at all.)",
        )
    if close_to(-gap, rel=1e-6)(answer):
        return Feedback(
            False, "right size, wrong sign: the question asks for targeted minus blanket."
        )
    if close_to(_total("targeted", "revenue") - _total("blanket", "revenue"), rel=1e-6)(answer):
        return Feedback(
            False,
            "that is the difference in revenue. Profit also subtracts costs, and the "
            "discount's cost shows up as revenue not collected.",
        )
    if close_to(
        _total("blanket", "discount_given") - _total("targeted", "discount_given"), rel=1e-6
    )(answer):
        return Feedback(
            False,
            "that is the discount money saved. The question asks for the whole "
            "difference in profit, which also depends on how many customers each policy keeps.",
        )
    week_gap = (
        run_policy("targeted").frame["profit"].iloc[-1]
        - run_policy("blanket").frame["profit"].iloc[-1]
    )
    if close_to(week_gap, rel=1e-6)(answer):
        return Feedback(
            False, "that compares only the last week. Sum profit over all 104 weeks first."
        )
    return Feedback(
        False,
        "not the difference in total profit. Run both policies with the seed and size "
        "given, sum each run's weekly `profit`, then subtract blanket from targeted.",
    )


q2 = Question(
    "profit of a targeted discount",
    _check_profit_gap,
    hints=[
        "Run two models that differ only in the policy: same `n_customers`, same `rng`, same "
        "weeks.",
        "Total profit is `model.frame['profit'].sum()`; the answer is targeted minus blanket.",
    ],
    solution=(
        "totals = {}\n"
        "for name, policy in {'blanket': blanket, 'targeted': targeted}.items():\n"
        "    model = CRMModel(n_customers=2_000, policy=policy, rng=1)\n"
        "    model.run(104)\n"
        "    totals[name] = model.frame['profit'].sum()\n"
        "answer = totals['targeted'] - totals['blanket']"
    ),
)


# ---------------------------------------------------------------- q3: collaborative CRM, channels
def _check_phone_share(answer) -> Feedback:
    state = run_policy("targeted").state
    active = state.active_mask()
    phone = state.channel == CHANNELS.index("phone")
    share = float(phone[active].mean())
    if close_to(share, rel=1e-6)(answer):
        return Feedback(
            True,
            "close to the 43 % of the survey, as it should be: the channel is drawn "
            "for everyone, whether or not they become customers.",
        )
    if close_to(int((phone & active).sum()), rel=0, abs_=0.5)(answer):
        return Feedback(
            False, "that is a count. Divide by the number of active customers to get a share."
        )
    if close_to(float(phone.mean()), rel=1e-6)(answer):
        return Feedback(
            False,
            "that is the share among everyone in the market, including people who never "
            "bought or already left. Keep only the active customers.",
        )
    value = as_number(answer)
    if value is not None and value > 1:
        return Feedback(False, "give the share as a fraction between 0 and 1, not a percentage.")
    return Feedback(
        False,
        "not the share of active customers who prefer the phone. Count the active "
        "customers whose `channel` is 'phone' and divide by all active customers.",
    )


q3 = Question(
    "who prefers the phone",
    _check_phone_share,
    hints=[
        "Every `Customer` has a `channel` and a `stage`; active customers are in exploration, "
        "expansion or commitment.",
        "Loop over `model.customers`, keep those whose `stage` is in `ACTIVE_STAGES`, and count "
        "how many of them have `channel == 'phone'`.",
    ],
    solution=(
        "from crmsim.stages import ACTIVE_STAGES\n"
        "model = ex.run_policy('targeted')\n"
        "active = [c for c in model.customers if c.stage in ACTIVE_STAGES]\n"
        "answer = sum(c.channel == 'phone' for c in active) / len(active)"
    ),
)

__all__ = ["ACTIVITIES", "BLANKET", "CRM_TYPES", "RUN", "TARGETED", "q1", "q2", "q3", "run_policy"]
