"""Exercises for lesson 01, what CRM is: the four types of CRM, whom a discount is for, and
what closing a contact channel costs.

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
#: The runs of question 2.
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
            "buys most of the blanket discount's extra purchases for about two fifths "
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
#: The run of question 3: the policy of questions 2 and 3 without a discount, with keyed random
#: streams so that each person meets the same luck whichever channels the firm staffs.
CHANNEL_RUN = {"n_customers": 2_000, "weeks": 104, "rng": 1, "streams": "keyed"}
EVERY_CHANNEL = BASE_POLICY
EMAIL_ONLY = BASE_POLICY.replace(channels="email")
#: Seeds whose runs show how far the answers of question 3 move with the luck alone.
SPREAD_SEEDS = range(2, 8)


@lru_cache(maxsize=16)
def _channel_totals(channels: str, rng: int) -> tuple[int, int, int, int]:
    """Complaints, departures after a failure, all departures and failures of one run."""
    policy = {"all": EVERY_CHANNEL, "email": EMAIL_ONLY}[channels]
    run = {**CHANNEL_RUN, "rng": rng}
    model = CRMModel(n_customers=run["n_customers"], policy=policy, rng=rng, streams=run["streams"])
    model.run(run["weeks"], progress=False)
    totals = model.frame[["complaints", "lost_failure", "lost", "failures"]].sum()
    return tuple(int(v) for v in totals)


def _channel_effects(rng: int) -> tuple[int, int]:
    """(complaints no longer heard, extra departures after a failure) with e-mail alone."""
    every, email = _channel_totals("all", rng), _channel_totals("email", rng)
    return every[0] - email[0], email[1] - every[1]


def _check_channels(answer) -> Feedback:
    try:
        unheard, lost = (as_number(x) for x in answer)
    except (TypeError, ValueError):
        unheard = lost = None
    if unheard is None or lost is None:
        return Feedback(
            False, "give a pair of numbers: answer = (complaints not heard, extra customers lost)."
        )
    expected = _channel_effects(CHANNEL_RUN["rng"])
    right = [
        close_to(e, rel=0, abs_=0.5)(v) for e, v in zip(expected, (unheard, lost), strict=True)
    ]
    if all(right):
        return Feedback(
            True,
            "more than eight customers in ten prefer a channel the e-mail-only firm does not "
            "staff, and they still complain, but half as often: about four complaints in ten "
            "go unheard. Those customers cannot be helped and lose the relief of having "
            "spoken up, so more of them leave after a failure. A quieter complaint log is "
            "not a happier customer base.",
        )
    if close_to(expected[1], abs_=0.5, rel=0)(unheard) and close_to(expected[0], abs_=0.5, rel=0)(
        lost
    ):
        return Feedback(False, "both numbers are right, in the wrong order: complaints first.")
    if close_to(-expected[0], abs_=0.5, rel=0)(unheard) or close_to(-expected[1], abs_=0.5, rel=0)(
        lost
    ):
        return Feedback(
            False,
            "a sign is turned round: give both as positive numbers, complaints the e-mail-only "
            "firm does not hear and customers it loses beyond the firm with every channel.",
        )
    every = _channel_totals("all", CHANNEL_RUN["rng"])
    email = _channel_totals("email", CHANNEL_RUN["rng"])
    # answers of the right size from another seed: the runs were not set up as asked
    spread = [_channel_effects(seed) for seed in SPREAD_SEEDS]
    hints = []
    for i, value in enumerate((unheard, lost)):
        if right[i]:
            continue
        lowest, highest = min(e[i] for e in spread), max(e[i] for e in spread)
        if i == 0 and close_to(every[3] - email[3], abs_=0.5, rel=0)(value):
            hints.append("the first number counts failures; the question asks about complaints")
        elif i == 0 and 0 < value < 1:
            hints.append("the first number is a share; give the number of complaints")
        elif i == 1 and close_to(email[2] - every[2], abs_=0.5, rel=0)(value):
            hints.append(
                "the second number counts every departure; keep those after a failure "
                "(`lost_failure`)"
            )
        elif lowest <= value <= highest:
            hints.append(
                f"the {('first', 'second')[i]} number has the size other seeds give: check "
                "that both runs have 2,000 customers, 104 weeks, rng=1 and streams='keyed'"
            )
        else:
            hints.append(
                ("the first number is not the difference in complaints",
                 "the second number is not the difference in departures after a failure")[i]
            )  # fmt: skip
    return Feedback(False, "; ".join(hints) + ".")


q3 = Question(
    "what a closed channel costs",
    _check_channels,
    hints=[
        "Run the two policies with everything else alike: the same size, seed, weeks and "
        "streams='keyed', so that each person meets the same luck in both runs.",
        "Sum the weekly `complaints` and `lost_failure` columns of each run; the first number "
        "is every-channel minus e-mail-only complaints, the second e-mail-only minus "
        "every-channel departures after a failure.",
    ],
    solution=(
        "totals = {}\n"
        "for name, policy in {'every': every_channel, 'email': email_only}.items():\n"
        "    model = CRMModel(n_customers=2_000, policy=policy, rng=1, streams='keyed')\n"
        "    model.run(104)\n"
        "    totals[name] = model.frame[['complaints', 'lost_failure']].sum()\n"
        "answer = (\n"
        "    totals['every']['complaints'] - totals['email']['complaints'],\n"
        "    totals['email']['lost_failure'] - totals['every']['lost_failure'],\n"
        ")"
    ),
)

__all__ = [
    "ACTIVITIES",
    "BLANKET",
    "CHANNEL_RUN",
    "CRM_TYPES",
    "EMAIL_ONLY",
    "EVERY_CHANNEL",
    "RUN",
    "TARGETED",
    "q1",
    "q2",
    "q3",
    "run_policy",
]
