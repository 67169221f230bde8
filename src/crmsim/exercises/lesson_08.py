"""Exercises for lesson 8: referrals, viral marketing and negative word of mouth.

Checkers compute the expected answers from the referral rule in
:mod:`crmsim.referrals` and from seeded runs of the ``customer_centric`` scenario.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crmsim.exercises.core import (
    TREND_CHOICES,
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_number,
    as_pair,
    is_percentage_of,
    label_checker,
    near,
    trend,
)
from crmsim.i18n import N_, _, format_number, pgettext

#: The marketer of question 1.
MARKETER = {"sociability": 0.7, "referral_reward": 10.0, "price": 20.0}
#: The run of questions 2 and 3: customer-centric with a referral reward of one full price.
RUN = {
    "scenario": "customer_centric",
    "referral_reward": 20.0,
    "n_customers": 300,
    "weeks": 104,
    "rng": 8,
}


@lru_cache(maxsize=1)
def _run_frame():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(RUN["scenario"])
    kwargs = sc.kwargs | {
        "policy": sc.policy.replace(referral_reward=RUN["referral_reward"]),
        "n_customers": RUN["n_customers"],
    }
    model = CRMModel(**kwargs, rng=RUN["rng"], history=False)
    model.run(RUN["weeks"], progress=False)
    return model.frame


# --------------------------------------------------------------------------- q1
def _rate(reward: float, share: float = 1.0) -> float:
    from crmsim.referrals import MARKETER_REFERRAL_RATE, REWARD_RESPONSE

    m = MARKETER
    return min(
        1.0,
        MARKETER_REFERRAL_RATE
        * m["sociability"]
        * (1 + REWARD_RESPONSE * reward / m["price"])
        * share,
    )


def _expected_q1() -> float:
    return _rate(MARKETER["referral_reward"])


def _check_q1(answer: Any) -> Feedback:
    from crmsim.referrals import LOYAL_REFERRAL_SHARE

    value = as_number(answer)
    if value is None:
        return Feedback(False, _("Give one number: a weekly probability between 0 and 1."))
    if abs(value - _expected_q1()) < 1e-4:
        return Feedback(
            True,
            _(
                "Right. The reward multiplies this marketer's weekly chance of recommending the "
                "firm by {factor}: CAM's 'clear financial benefit' at work."
            ).format(factor=format_number(_expected_q1() / _rate(0.0), ".1f")),
        )
    if abs(value - _rate(0.0)) < 1e-4:
        return Feedback(
            False,
            _(
                "That is the rate without a reward. The reward multiplies it by 1 + "
                "REWARD_RESPONSE "
                "x reward / price."
            ),
        )
    if abs(value - _rate(MARKETER["referral_reward"], LOYAL_REFERRAL_SHARE)) < 1e-4:
        return Feedback(
            False,
            _(
                "That would be a loyal customer's rate. The question is about a marketer, who "
                "refers "
                "at the full rate."
            ),
        )
    if abs(value - _rate(MARKETER["referral_reward"] * MARKETER["price"])) < 1e-4 or value > 1:
        return Feedback(
            False, _("Measure the reward in purchases: divide it by the price before multiplying.")
        )
    return Feedback(
        False,
        _(
            "Not quite. Start from MARKETER_REFERRAL_RATE, scale by sociability, then by the "
            "reward "
            "term."
        ),
    )


q1 = Question(
    N_("a marketer's weekly referral rate"),
    _check_q1,
    hints=[
        N_(
            "referral_rate in crmsim/referrals.py: a base rate times sociability times a reward "
            "factor, times a tier share."
        ),
        N_("The reward enters as referral_reward / price, multiplied by REWARD_RESPONSE."),
    ],
    solution=(
        N_(
            "from crmsim.referrals import MARKETER_REFERRAL_RATE, REWARD_RESPONSE\n"
            "answer = MARKETER_REFERRAL_RATE * 0.7 * (1 + REWARD_RESPONSE * 10 / 20)"
        )
    ),
)


# --------------------------------------------------------------------------- q2
def _expected_q2() -> float:
    f = _run_frame()
    return float(f["referrals_reward"].sum() / f["referrals"].sum())


def _check_q2(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, pgettext("lesson 08", "Give one number: a share between 0 and 1."))
    f = _run_frame()
    expected = _expected_q2()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            _(
                "Right. Note what this share is: the referrals whose strongest motive was the "
                "reward, not the referrals the reward caused. Compare with a run without reward."
            ),
        )
    if is_percentage_of(value, expected):
        return Feedback(
            False,
            pgettext("lesson 08", "That looks like a percentage; give a share between 0 and 1."),
        )
    if (
        f["referral_conversions"].sum()
        and abs(value - f["referrals_reward"].sum() / f["referral_conversions"].sum()) < 0.002
    ):
        return Feedback(
            False,
            _(
                "You divided by the referrals that turned into customers. Attribution counts every "
                "referral made: divide by the 'referrals' column."
            ),
        )
    if abs(value - f["referrals_respect"].sum() / f["referrals"].sum()) < 0.002:
        return Feedback(
            False,
            _(
                "That is the share credited to respect; the question asks about the financial "
                "benefit."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figure. Run customer_centric with referral_reward=20, 300 customers, "
            "rng=8 for 104 weeks, and divide the referrals credited to the reward by all referrals."
        ),
    )


q2 = Question(
    N_("CAM: referrals due to the financial benefit"),
    _check_q2,
    hints=[
        N_(
            "The CAM columns are referrals_respect, referrals_discount, referrals_gift, "
            "referrals_reward and referrals_none."
        ),
        N_("Sum over all weeks, then divide by the total number of referrals."),
    ],
    solution=(
        N_(
            "sc = scenarios.load('customer_centric')\n"
            "model = CRMModel(**(sc.kwargs | {'policy': sc.policy.replace(referral_reward=20.0),\n"
            "                                 'n_customers': 300}), rng=8, history=False)\n"
            "model.run(104, progress=False)\n"
            "f = model.frame\n"
            "answer = f['referrals_reward'].sum() / f['referrals'].sum()"
        )
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> float:
    f = _run_frame()
    return float(f["referral_conversions"].sum() / f["acquired"].sum())


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, pgettext("lesson 08", "Give one number: a share between 0 and 1."))
    f = _run_frame()
    expected = _expected_q3()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            _(
                "Right: that share of the firm's new customers came through a friend. The rest "
                "were reached by advertising or plain word of mouth."
            ),
        )
    if is_percentage_of(value, expected):
        return Feedback(
            False,
            pgettext("lesson 08", "That looks like a percentage; give a share between 0 and 1."),
        )
    if abs(value - f["referrals"].sum() / f["acquired"].sum()) < 0.002:
        return Feedback(
            False,
            _(
                "Not every referral turns into a customer. Count only referrals that led to a "
                "first purchase (referral_conversions)."
            ),
        )
    if abs(value - f["referral_conversions"].sum() / RUN["n_customers"]) < 0.002:
        return Feedback(
            False, _("You divided by everyone in the market; divide by the customers acquired.")
        )
    return Feedback(
        False,
        _(
            "Not the model's figure. Use the same run as question 2 and compare two columns of its "
            "frame."
        ),
    )


q3 = Question(
    N_("share of new customers who were referred"),
    _check_q3,
    hints=[
        N_(
            "'acquired' counts first purchases each week; another column counts the first "
            "purchases that came from a referral."
        ),
        N_("Sum both over the run before dividing."),
    ],
    solution=N_(
        "answer = f['referral_conversions'].sum() / f['acquired'].sum()  # f: the run of q2"
    ),
)

# ------------------------------------------------------------------ quality or advertising
#: The runs of the notebook's section 6 and of question 4: the customer-centric firm's
#: respect, gifts, rewards and complaint handling, with its service quality and advertising
#: set apart; 1,000 customers for two years, seeds 0-3 (means over the seeds).
QUALITY_RUNS = {
    "scenario": "customer_centric",
    "n_customers": 1_000,
    "weeks": 104,
    "seeds": (0, 1, 2, 3),
}


@lru_cache(maxsize=16)
def _quality_or_advertising(
    service_quality: float, advertising: float, seeds: tuple[int, ...], n_customers: int, weeks: int
):
    import pandas as pd

    from crmsim import CRMModel, scenarios

    sc = scenarios.load(QUALITY_RUNS["scenario"])
    policy = sc.policy.replace(service_quality=service_quality, advertising=advertising)
    rows = []
    for seed in seeds:
        model = CRMModel(
            **(sc.kwargs | {"policy": policy, "n_customers": n_customers}), rng=seed, history=False
        )
        model.run(weeks, progress=False)
        f = model.frame
        rows.append(
            {
                "new customers": f["acquired"].sum(),
                "referred new customers": f["referral_conversions"].sum(),
                "referrals made": f["referrals"].sum(),
                "heard negative word of mouth": f["negative_wom"].sum(),
                "marketers at the end": f["marketer"].iloc[-1],
                "active at the end": f["active"].iloc[-1],
                "cost of advertising": f["cost_advertising"].sum(),
                "cost of service": f["cost_service"].sum(),
                "profit": f["profit"].sum(),
            }
        )
    return pd.DataFrame(rows).mean()


def quality_or_advertising(
    service_quality: float,
    advertising: float,
    seeds: tuple[int, ...] = QUALITY_RUNS["seeds"],
    n_customers: int = QUALITY_RUNS["n_customers"],
    weeks: int = QUALITY_RUNS["weeks"],
):
    """Where a firm's new customers come from, at one service quality and one advertising reach.

    Runs the ``customer_centric`` scenario with ``Policy.service_quality`` and
    ``Policy.advertising`` replaced, once per seed (the runs are made once and remembered).

    Parameters
    ----------
    service_quality : float
        The level of every service attribute, in [0, 1].
    advertising : float
        The weekly share of the not-yet-aware market that advertising reaches, in [0, 1].
    seeds : tuple of int
        One run per seed.
    n_customers, weeks : int
        The size and length of each run.

    Returns
    -------
    pandas.Series
        Means over the seeds: ``new customers`` (first purchases), ``referred new customers``
        (first purchases that came from a referral), ``referrals made``, ``heard negative word
        of mouth``, ``marketers at the end``, ``active at the end``, ``cost of advertising``,
        ``cost of service`` and ``profit``.
    """
    key = (float(service_quality), float(advertising), tuple(seeds), int(n_customers), int(weeks))
    return _quality_or_advertising(*key).copy()


#: The two settings of question 4: service held at 0.5, advertising from little to ten times
#: as much.
Q4_QUALITY = 0.5
Q4_ADVERTISING = (0.003, 0.03)


def _referred(advertising: float) -> float:
    return float(quality_or_advertising(Q4_QUALITY, advertising)["referred new customers"])


# --------------------------------------------------------------------------- q4
def _expected_q4() -> tuple[float, float]:
    little, much = Q4_ADVERTISING
    return _referred(little), _referred(much)


def _check_q4(answer: Any) -> Feedback:
    pair = as_pair(answer)
    if pair is None:
        return Feedback(
            False, _("Give a pair: (referred new customers with little advertising, with much).")
        )
    little, much = pair
    exp_little, exp_much = _expected_q4()

    if near(little, exp_little, within=0.01) and near(much, exp_much, within=0.01):
        return Feedback(
            True,
            _(
                "Right. Ten times the advertising brings in far more new customers, but hardly any "
                "more of them through a friend: advertising buys awareness, not recommendations."
            ),
        )
    if near(little, exp_much, within=0.01) and near(much, exp_little, within=0.01):
        return Feedback(False, _("Right numbers, wrong order: little advertising comes first."))
    firms = [quality_or_advertising(Q4_QUALITY, a) for a in Q4_ADVERTISING]
    if near(little, firms[0]["new customers"], within=0.01) and near(
        much, firms[1]["new customers"], within=0.01
    ):
        return Feedback(
            False,
            _(
                "Those are all new customers. The question asks how many of them came through a "
                "referral: 'referred new customers'."
            ),
        )
    if near(little, firms[0]["referrals made"], within=0.01) and near(
        much, firms[1]["referrals made"], within=0.01
    ):
        return Feedback(
            False,
            _(
                "Those are referrals made, and not every referral turns into a customer: use "
                "'referred new customers'."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figures. Call quality_or_advertising({quality}, advertising) with "
            "advertising 0.003 and then 0.03, and read 'referred new customers' from each."
        ).format(quality=Q4_QUALITY),
    )


q4 = Prediction(
    N_("does advertising buy referrals?"),
    _check_q4,
    choices=TREND_CHOICES,
    outcome=lambda answer: trend(*as_pair(answer)),
    hints=[
        N_(
            "quality_or_advertising(service_quality, advertising) returns the means of four runs; "
            "one of its entries counts first purchases that came from a referral."
        ),
        N_("Keep service_quality at 0.5 in both calls; change only advertising."),
    ],
    solution=(
        N_(
            "little = ex.quality_or_advertising(0.5, 0.003)\n"
            "much = ex.quality_or_advertising(0.5, 0.03)\n"
            "answer = (little['referred new customers'], much['referred new customers'])"
        )
    ),
)


# --------------------------------------------------------------------------- q5
#: Other spellings of the two Ps.
P_ALIASES = {"peer": "peers", "personalisation": "personalization", "personal": "personalization"}
#: The actions of question 5.
TWO_P_ACTIONS = (
    N_("a discount code for the customer and the friend they invite"),
    N_("free ride credit for every rider whose invitation is used"),
    N_("ask regular diners to criticise the new menu, and change it"),
    N_("remember each regular's usual order and offer it first"),
    N_("gift credit for a customer who brings a colleague"),
    N_("build the feature most requested in customers' suggestions"),
)

q5 = Classification(
    N_("peers or personalization?"),
    label_checker(
        {
            TWO_P_ACTIONS[0]: "peers",
            TWO_P_ACTIONS[1]: "peers",
            TWO_P_ACTIONS[2]: "personalization",
            TWO_P_ACTIONS[3]: "personalization",
            TWO_P_ACTIONS[4]: "peers",
            TWO_P_ACTIONS[5]: "personalization",
        },
        P_ALIASES,
    ),
    items=TWO_P_ACTIONS,
    labels=(N_("peers"), N_("personalization")),
    aliases=P_ALIASES,
    hints=[
        N_(
            "Peers: the firm's customers promote it to people they know, and may be rewarded "
            "for it. Personalization: the firm uses what customers say to fit them better."
        ),
        N_(
            "Ask who acts: a customer telling a friend (peers), or the firm changing what it "
            "offers for a customer (personalization)."
        ),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    ex.TWO_P_ACTIONS[0]: 'peers', ex.TWO_P_ACTIONS[1]: 'peers',\n"
            "    ex.TWO_P_ACTIONS[2]: 'personalization', ex.TWO_P_ACTIONS[3]: 'personalization',\n"
            "    ex.TWO_P_ACTIONS[4]: 'peers', ex.TWO_P_ACTIONS[5]: 'personalization',\n"
            "}"
        )
    ),
)


# --------------------------------------------------------------------------- q6
Q6_ANSWER = N_(
    "Not wrong, but it answers a different question. In the model advertising is cheap and "
    "quick: ten times the reach brings hundreds more first purchases in two years and far more "
    "profit, while the firm with better service and little advertising wins fewer customers. "
    "What advertising does not buy is recommendations: referred customers hardly change with "
    "it, but rise by about three quarters with better service, and the complaints people hear "
    "fall to a fraction. Quality works through the peers: it makes loyal customers and marketers, "
    "who refer for free, and it keeps angry leavers from speaking against the firm. A firm "
    "that wants growth now advertises; a firm that wants its growth to come back for free, "
    "and its name to stay clean, serves well. In this model the two are complements, and the "
    "advertising works better when the service it brings people to is good."
)

q6 = Discussion(
    N_("is quality the best advert?"),
    min_words=60,
    hints=[
        N_(
            "Compare the two firms of section 6 on more than one figure: new customers, referred "
            "new customers, negative word of mouth heard, profit."
        ),
        N_("Say what advertising buys and what it does not, and over what horizon."),
    ],
    solution=Q6_ANSWER,
    rubric=(
        N_(
            "- states honestly what the run shows: the advertiser wins more customers and profit "
            "in two years (1 mark)\n"
            "- referrals come from quality, not from advertising, with a number from section 6 or "
            "question 4 (1 mark)\n"
            "- better service also cuts negative word of mouth (1 mark)\n"
            "- a reasoned conclusion: horizon, cost of advertising, or the two as complements "
            "(1 mark)"
        )
    ),
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
