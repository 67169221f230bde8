"""Exercises for lesson 7: from prospect to marketer — CRM, CEM and CAM and their KPIs.

Checkers compute the expected answers from seeded runs of the bundled
``customer_centric`` and ``baseline`` scenarios, from the attribution rule in
:mod:`crmsim.attribution` and from :func:`crmsim.analysis.time_to_tier`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

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
    normalize_label,
    trend,
)
from crmsim.i18n import N_, _

#: The run of question 1: the customer-centric firm that also gives its loyal and marketer
#: customers a special discount (so a repeat purchase does not always bring in the price).
CEM_RUN = {
    "scenario": "customer_centric",
    "discount": 0.05,
    "discount_target": ("loyal", "marketer"),
    "weeks": 156,
    "rng": 4,
}
#: The run of question 3: customer-centric, but staff who respect customers much less.
TRAP_RUN = {
    "scenario": "customer_centric",
    "respect": 0.4,
    "n_customers": 1_500,
    "weeks": 156,
    "rng": 2,
}


#: The run of question 4: the baseline firm, whose history times the climb to loyal.
LADDER_RUN = {"scenario": "baseline", "weeks": 156, "rng": 1, "tier": "loyal", "within": 26}


@lru_cache(maxsize=1)
def _cem_frame():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(CEM_RUN["scenario"])
    policy = sc.policy.replace(
        discount=CEM_RUN["discount"], discount_target=set(CEM_RUN["discount_target"])
    )
    model = CRMModel(**sc.kwargs | {"policy": policy}, rng=CEM_RUN["rng"], history=False)
    model.run(CEM_RUN["weeks"], progress=False)
    return model.frame


@lru_cache(maxsize=1)
def _trap_model():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(TRAP_RUN["scenario"])
    kwargs = sc.kwargs | {
        "policy": sc.policy.replace(respect=TRAP_RUN["respect"]),
        "n_customers": TRAP_RUN["n_customers"],
    }
    model = CRMModel(**kwargs, rng=TRAP_RUN["rng"], history=False)
    model.run(TRAP_RUN["weeks"], progress=False)
    return model


# --------------------------------------------------------------------------- q1
def _expected_q1() -> float:
    f = _cem_frame()
    return float(f["repeat_spend_respect"].sum() / f["repeat_spend"].sum())


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("Give one number: a share between 0 and 1."))
    f = _cem_frame()
    expected = _expected_q1()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            _(
                "Right. In this scenario respect is the motive that weighs most in most repeat "
                "purchases, so it collects most of the credit; the small discount almost never "
                "outweighs it, and the gift gets only the purchases its goodwill tipped. Remember "
                "that this is 'main motive' accounting, not the effect of a lever (see the "
                "notebook's counterfactual)."
            ),
        )
    if is_percentage_of(value, expected):
        return Feedback(False, _("That looks like a percentage; give a share between 0 and 1."))
    if abs(value - f["repeat_respect"].sum() / f["repeat_purchases"].sum()) < 0.002:
        return Feedback(
            False,
            _(
                "That is the share of repeat *purchases*. The question asks for the share of "
                "repeat *spend*: use the repeat_spend columns (a discounted purchase brings in "
                "less money)."
            ),
        )
    if abs(value - f["repeat_spend_respect"].sum() / f["revenue"].sum()) < 0.002:
        return Feedback(
            False,
            _(
                "You divided by all revenue, first purchases included. CEM looks at repeat "
                "business only: divide by the total repeat spend."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figure. Run the customer_centric scenario with the 5 % special "
            "discount for loyal and marketer customers, rng=4, for 156 weeks, and compare the "
            "spend attributed to respect with all repeat spend."
        ),
    )


q1 = Question(
    N_("CEM: repeat spend due to respect"),
    _check_q1,
    hints=[
        N_(
            "The frame has repeat_spend (all repeat purchases) and repeat_spend_<motive> for "
            "respect, discount and gift."
        ),
        N_("Sum both columns over all weeks, then divide."),
    ],
    solution=(
        N_(
            "sc = scenarios.load('customer_centric')\n"
            "policy = sc.policy.replace(discount=0.05, discount_target={'loyal', 'marketer'})\n"
            "model = CRMModel(**sc.kwargs | {'policy': policy}, rng=4, history=False)\n"
            "model.run(156, progress=False)\n"
            "f = model.frame\n"
            "answer = f['repeat_spend_respect'].sum() / f['repeat_spend'].sum()"
        )
    ),
)


# --------------------------------------------------------------------------- q2
#: The loyal customer of question 2, and the week's offer.
CUSTOMER = {"price_sensitivity": 0.9, "respect_felt": 0.6}
OFFER = {"discount": 0.15, "price": 20.0}
#: The week of the purchase: the customer's chance of buying without and with the goodwill
#: their gifts left, and the uniform draw that decided it (a purchase when draw < chance).
CHANCE = {"without_goodwill": 0.30, "with_goodwill": 0.36, "draw": 0.33}


def _strengths() -> dict[str, float]:
    """The strengths of the motives other than the gift (crmsim.attribution)."""
    from crmsim.attribution import RESPECT_WEIGHT

    ps, felt = CUSTOMER["price_sensitivity"], CUSTOMER["respect_felt"]
    return {
        "respect": RESPECT_WEIGHT * max(0.0, 2 * felt - 1),
        "discount": ps * OFFER["discount"],
    }


def _tipped() -> bool:
    """Did the gift's goodwill tip the purchase (bought with it, same luck not without)?"""
    c = CHANCE
    return c["without_goodwill"] <= c["draw"] < c["with_goodwill"]


def _expected_q2() -> str:
    if _tipped():
        return "gift"
    strengths = _strengths()
    return max(strengths, key=strengths.get)


def _check_q2(answer: Any) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(
            False, _("Give the motive's name as a string: 'respect', 'discount' or 'gift'.")
        )
    name = normalize_label(answer)
    if name not in (*_strengths(), "gift", "none"):
        return Feedback(
            False,
            _("A repeat purchase is credited to 'respect', 'discount' or 'gift' (or 'none')."),
        )
    expected = _expected_q2()
    if name == expected:
        if expected == "gift":
            return Feedback(
                True,
                _(
                    "Right: with the same luck the customer would not have bought without the "
                    "goodwill of the gifts, so the gift tipped the purchase and takes all of it, "
                    "whatever the other motives weigh."
                ),
            )
        return Feedback(
            True,
            _(
                "Right: the gift did not tip this purchase, and of the other motives this one "
                "weighs most for the customer, so the whole purchase is counted under it."
            ),
        )
    if name == "respect":
        return Feedback(
            False,
            _(
                "Only *special* respect counts, the part above neutral: the respect strength is "
                "RESPECT_WEIGHT * (2 * respect_felt - 1). And before comparing strengths, ask "
                "whether the gift tipped the purchase."
            ),
        )
    if name == "discount":
        return Feedback(
            False,
            _(
                "The discount has the larger strength of the two motives that have one, but the "
                "rule asks something else first: would the same draw have made the purchase "
                "without the goodwill the gifts left?"
            ),
        )
    return Feedback(
        False,
        _(
            "A gift is credited only with the purchases it tipped: those the customer made with "
            "its goodwill and, with the same draw, would not have made without it. Compare the "
            "draw with both chances."
        ),
    )


q2 = Question(
    N_("which motive gets the credit"),
    _check_q2,
    hints=[
        N_(
            "crmsim/attribution.py: a purchase goes to the gift if the gift's goodwill tipped it; "
            "otherwise to the strongest of respect and discount."
        ),
        N_(
            "A purchase happens when the draw is below the chance of buying. Was the draw below "
            "the chance with goodwill? And below the chance without it?"
        ),
    ],
    solution=(
        N_(
            "from crmsim.attribution import RESPECT_WEIGHT\n"
            "without, with_goodwill, draw = 0.30, 0.36, 0.33\n"
            "if without <= draw < with_goodwill:  # bought, and would not have without the gift\n"
            "    answer = 'gift'\n"
            "else:\n"
            "    strength = {'respect': RESPECT_WEIGHT * max(0, 2 * 0.6 - 1), 'discount': 0.9 * "
            "0.15}\n"
            "    answer = max(strength, key=strength.get)"
        )
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> int:
    losses = _trap_model().losses
    return int((losses["cause"] == "disrespect").sum())


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None or value != int(value):
        return Feedback(False, _("Give a whole number of departures."))
    value = int(value)
    model = _trap_model()
    f = model.frame
    expected = _expected_q3()
    if value == expected:
        return Feedback(
            True,
            _(
                "Right. Each of them was a marketer, your best kind of customer; none slid back to "
                "loyal, and each left angry, free to speak against the firm."
            ),
        )
    if value == int(f["disrespected"].sum()):
        return Feedback(
            False,
            _(
                "'disrespected' counts every episode felt as a breach, by anyone. Only marketers "
                "leave over a breach: count departures whose cause is disrespect."
            ),
        )
    if value == int(f["lost"].sum()):
        return Feedback(
            False,
            _("That is every departure, whatever the cause. Keep only those caused by disrespect."),
        )
    if value == int(model.state.angry.sum()):
        return Feedback(
            False,
            _(
                "Angry customers also include those who left after an unanswered complaint. "
                "Count departures whose cause is disrespect."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's count. Build the run exactly as described (customer_centric with "
            "respect=0.4, 1,500 customers, rng=2, 156 weeks) and count the disrespect departures."
        ),
    )


q3 = Question(
    N_("the marketer trap"),
    _check_q3,
    hints=[
        N_(
            "model.losses lists every departure with its cause; the weekly frame also has a "
            "lost_<cause> column for each cause."
        ),
        N_("Change only the respect of the scenario's policy: sc.policy.replace(respect=0.4)."),
    ],
    solution=(
        N_(
            "sc = scenarios.load('customer_centric')\n"
            "model = CRMModel(**(sc.kwargs | {'policy': sc.policy.replace(respect=0.4),\n"
            "                                 'n_customers': 1_500}), rng=2, history=False)\n"
            "model.run(156, progress=False)\n"
            "answer = int(model.frame['lost_disrespect'].sum())"
        )
    ),
)


# --------------------------------------------------------------------------- q4
@lru_cache(maxsize=1)
def _ladder_model():
    from crmsim import CRMModel, scenarios

    sc = scenarios.load(LADDER_RUN["scenario"])
    model = CRMModel(**sc.kwargs, rng=LADDER_RUN["rng"], history=True)
    model.run(LADDER_RUN["weeks"], progress=False)
    return model


def _ladder_curve():
    from crmsim.analysis import time_to_tier

    return time_to_tier(_ladder_model(), LADDER_RUN["tier"])


def _expected_q4() -> float:
    return float(_ladder_curve()["share_reached"].loc[LADDER_RUN["within"]])


def _check_q4(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("Give one number: a share between 0 and 1."))
    from crmsim.analysis import tier_journeys

    curve, within = _ladder_curve(), LADDER_RUN["within"]
    expected = _expected_q4()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            _(
                "Right. Every customer acquired is in the denominator: those who became loyal, "
                "those who left first and those still on their way. Compare it with the share of "
                "the loyal customers who got there that fast: that one is much higher, because it "
                "leaves out everyone who never made it."
            ),
        )
    if is_percentage_of(value, expected):
        return Feedback(False, _("That looks like a percentage; give a share between 0 and 1."))
    if abs(value - (1 - expected)) < 0.002:
        return Feedback(
            False,
            _(
                "That is the share *not yet* loyal (share_not_yet, the survival curve). The "
                "question asks for the share that became loyal."
            ),
        )
    journeys = tier_journeys(_ladder_model(), LADDER_RUN["tier"])
    got_there = journeys[journeys["reached"] >= 0]
    fast = float(((got_there["reached"] - got_there["first_purchase"]) <= within).mean())
    if abs(value - fast) < 0.002:
        return Feedback(
            False,
            _(
                "That is the share among the customers who *became* loyal. The question asks about "
                "all customers acquired, including those who left before becoming loyal and those "
                "still on their way: use share_reached of analysis.time_to_tier."
            ),
        )
    censored = 1 - (1 - curve["reached"] / curve["at_risk"]).cumprod()
    if abs(value - float(censored.loc[within])) < 0.002:
        return Feedback(
            False,
            _(
                "You treated the customers who left as if they might still become loyal (censoring "
                "them, as a Kaplan-Meier curve does). A customer who left did not become loyal: "
                "leaving is a competing event, which share_reached takes into account."
            ),
        )
    if abs(value - float(curve["share_reached"].loc[within - 1])) < 0.002:
        return Feedback(
            False, _("Within 26 weeks includes week 26 since the first purchase: read that row.")
        )
    return Feedback(
        False,
        _(
            "Not the model's figure. Run the baseline scenario with rng=1 for 156 weeks (history "
            "is kept by default for 2,000 people), then read week 26 of "
            "analysis.time_to_tier(model, 'loyal')."
        ),
    )


q4 = Question(
    N_("time to loyal, every customer counted"),
    _check_q4,
    hints=[
        N_(
            "analysis.time_to_tier(model, 'loyal') has one row per week since the first purchase; "
            "share_reached is the share of *all* customers acquired who were loyal by then."
        ),
        N_("Weeks since the first purchase are the index: curve.loc[26, 'share_reached']."),
    ],
    solution=(
        N_(
            "from crmsim import analysis\n"
            "model = CRMModel(**scenarios.load('baseline').kwargs, rng=1)\n"
            "model.run(156, progress=False)\n"
            "curve = analysis.time_to_tier(model, 'loyal')\n"
            "answer = curve.loc[26, 'share_reached']"
        )
    ),
)

# ------------------------------------------------------------------ after a breach of respect
#: The runs of the notebook's section 7 and of question 5: the customer-centric firm with
#: curt staff (respect 0.4), 1,500 customers for three years, five seeds pooled.
BREACH_RUNS = {
    "scenario": "customer_centric",
    "respect": 0.4,
    "n_customers": 1_500,
    "weeks": 156,
    "seeds": (0, 1, 2, 3, 4),
}


@lru_cache(maxsize=8)
def _watch_tiers(respect: float, seeds: tuple[int, ...], n_customers: int, weeks: int):
    """The runs behind :func:`after_a_breach` and :func:`departures_by_tier`."""
    import pandas as pd

    from crmsim import CRMModel, Tier, scenarios
    from crmsim.stages import CHURN_CAUSES, DISSOLUTION

    sc = scenarios.load(BREACH_RUNS["scenario"])
    disrespect = CHURN_CAUSES.index("disrespect") + 1
    tiers = {Tier.ACTUAL: "actual", Tier.LOYAL: "loyal", Tier.MARKETER: "marketer"}
    breach = {name: [0, 0, 0, 0] for name in tiers.values()}
    stay = {name: [0, 0] for name in tiers.values()}

    def watch(report) -> None:
        # who felt a breach this week, with the tier they held when the week began
        breached = report.who("breach")
        left = report.who("left")
        gone = np.isin(breached, left)
        gone_for_disrespect = np.isin(breached, left[report.detail("left") == disrespect])
        before = report.tier_before[breached]
        slid = (report.stage_after[breached] != DISSOLUTION) & (
            report.tier_after[breached] < before
        )
        leavers = report.tier_before[left]
        for tier, name in tiers.items():
            mine = before == tier
            c = breach[name]
            c[0] += int(mine.sum())
            c[1] += int((mine & gone).sum())
            c[2] += int((mine & gone_for_disrespect).sum())
            c[3] += int((mine & slid).sum())
            stay[name][0] += int(np.count_nonzero(report.tier_before == tier))
            stay[name][1] += int(np.count_nonzero(leavers == tier))

    for seed in seeds:
        policy = sc.policy.replace(respect=respect)
        model = CRMModel(
            **(sc.kwargs | {"policy": policy, "n_customers": n_customers}), rng=seed, history=False
        )
        with model.subscribe(watch):
            model.run(weeks, progress=False)
    breaches = pd.DataFrame(
        breach, index=["breaches", "left", "left for disrespect", "slid down a tier"]
    ).T
    breaches["share who left that week"] = breaches["left"] / breaches["breaches"]
    breaches["share who left for disrespect"] = (
        breaches["left for disrespect"] / breaches["breaches"]
    )
    breaches.index.name = "tier when the breach was felt"
    departures = pd.DataFrame(stay, index=["customer-weeks", "departures"]).T
    departures["departures per 1,000 customer-weeks"] = (
        1_000 * departures["departures"] / departures["customer-weeks"]
    )
    departures.index.name = "tier at the start of the week"
    return breaches, departures


def after_a_breach(
    respect: float = BREACH_RUNS["respect"],
    seeds: tuple[int, ...] = BREACH_RUNS["seeds"],
    n_customers: int = BREACH_RUNS["n_customers"],
    weeks: int = BREACH_RUNS["weeks"],
):
    """What followed each breach of respect, by the tier of the customer who felt it.

    Runs the ``customer_centric`` scenario with ``Policy.respect`` set to ``respect``, once per
    seed, and watches every week's events (:meth:`crmsim.CRMModel.subscribe`): each episode
    felt as a breach of respect is counted under the tier its customer held when the week
    began (actual, loyal or marketer), with what had happened to them by the end of that week.
    The runs are made once and remembered.

    Parameters
    ----------
    respect : float
        The firm's respect, in [0, 1]; lower respect makes breaches more frequent.
    seeds : tuple of int
        One run per seed; the counts are pooled.
    n_customers, weeks : int
        The size and length of each run.

    Returns
    -------
    pandas.DataFrame
        One row per tier: ``breaches`` felt; ``left`` (that same week, for any cause);
        ``left for disrespect``; ``slid down a tier`` (stayed, at a lower tier); and the
        shares ``share who left that week`` and ``share who left for disrespect``.
    """
    key = (float(respect), tuple(seeds), int(n_customers), int(weeks))
    return _watch_tiers(*key)[0].copy()


def departures_by_tier(
    respect: float = BREACH_RUNS["respect"],
    seeds: tuple[int, ...] = BREACH_RUNS["seeds"],
    n_customers: int = BREACH_RUNS["n_customers"],
    weeks: int = BREACH_RUNS["weeks"],
):
    """How often customers of each tier leave the firm, for any cause, in the same runs.

    The runs are those of :func:`after_a_breach` (made once for both). A customer-week is one
    customer holding the tier at the start of one week; a departure is counted under the tier
    held when the week began.

    Returns
    -------
    pandas.DataFrame
        One row per tier (actual, loyal, marketer): ``customer-weeks``, ``departures`` and
        ``departures per 1,000 customer-weeks``.
    """
    key = (float(respect), tuple(seeds), int(n_customers), int(weeks))
    return _watch_tiers(*key)[1].copy()


# --------------------------------------------------------------------------- q5
RATE = "departures per 1,000 customer-weeks"


def _expected_q5() -> tuple[float, float]:
    rates = departures_by_tier()[RATE]
    return float(rates["loyal"]), float(rates["marketer"])


def _check_q5(answer: Any) -> Feedback:
    pair = as_pair(answer)
    if pair is None:
        return Feedback(
            False, _("Give a pair of rates: (loyal, marketer), each per 1,000 customer-weeks.")
        )
    loyal, marketer = pair
    exp_loyal, exp_marketer = _expected_q5()

    if near(loyal, exp_loyal, within=0.01) and near(marketer, exp_marketer, within=0.01):
        return Feedback(
            True,
            _(
                "Right. With curt staff the top rung is less safe than the one below it. For all "
                "other causes together marketers leave less often than loyal customers; the trap, "
                "which loyal customers never fall into, more than makes up the difference."
            ),
        )
    if near(loyal, exp_marketer, within=0.01) and near(marketer, exp_loyal, within=0.01):
        return Feedback(False, _("Right numbers, wrong order: the loyal customers come first."))
    if near(1_000 * loyal, exp_loyal, within=0.01) and near(
        1_000 * marketer, exp_marketer, within=0.01
    ):
        return Feedback(
            False, _("Those are departures per customer-week; give them per 1,000 customer-weeks.")
        )
    counts = departures_by_tier()["departures"]
    if near(loyal, counts["loyal"], within=0.01) and near(
        marketer, counts["marketer"], within=0.01
    ):
        return Feedback(
            False,
            _(
                "Those are counts of departures. There are far more loyal customers than "
                "marketers: compare rates, departures per 1,000 customer-weeks."
            ),
        )
    shares = after_a_breach()["share who left that week"]
    if near(loyal, shares["loyal"], within=0.001) and near(
        marketer, shares["marketer"], within=0.001
    ):
        return Feedback(
            False,
            _(
                "Those are the shares who left after a breach (section 7). The question asks how "
                "often customers of each tier leave in any week, for any cause: "
                "departures_by_tier()."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figures. Call departures_by_tier() with its defaults and read the "
            "column '{column}' for the loyal and the marketer rows."
        ).format(column=RATE),  # a column's name: code, not translated
    )


q5 = Prediction(
    N_("the top rung with curt staff"),
    _check_q5,
    choices=TREND_CHOICES,
    outcome=lambda answer: trend(*as_pair(answer)),
    hints=[
        N_(
            "departures_by_tier() makes the same runs as after_a_breach() and returns one row per "
            "tier."
        ),
        N_("Give answer = (rate for loyal customers, rate for marketers)."),
    ],
    solution=(
        N_(
            "rates = ex.departures_by_tier()['departures per 1,000 customer-weeks']\n"
            "answer = (rates['loyal'], rates['marketer'])"
        )
    ),
)


# --------------------------------------------------------------------------- q6
#: Other names a learner may give the three tools.
TOOL_ALIASES = {
    "customer relationship management": "CRM",
    "create": "CRM",
    "customer experience management": "CEM",
    "maintain": "CEM",
    "customer assistant management": "CAM",
    "develop": "CAM",
}
#: The actions of question 6.
ACTIONS = (
    N_("call prospects from the database to remind them of the opening offer"),
    N_("follow up a first purchase with installation help and a satisfaction call"),
    N_("give loyal customers a special discount on what they buy again"),
    N_("send loyal customers a small gift every eight weeks"),
    N_("count the repeat purchases that came from special respect"),
    N_("pay a customer a clear sum for each friend they bring who buys"),
    N_("give a valuable gift to customers whose recommendations became customers"),
    N_("count the referrals that each gift brought"),
)

q6 = Classification(
    N_("CRM, CEM or CAM?"),
    label_checker(
        {
            ACTIONS[0]: "CRM",
            ACTIONS[1]: "CRM",
            ACTIONS[2]: "CEM",
            ACTIONS[3]: "CEM",
            ACTIONS[4]: "CEM",
            ACTIONS[5]: "CAM",
            ACTIONS[6]: "CAM",
            ACTIONS[7]: "CAM",
        },
        TOOL_ALIASES,
    ),
    items=ACTIONS,
    labels=("CRM", "CEM", "CAM"),
    aliases=TOOL_ALIASES,
    hints=[
        N_(
            "Ask of each action which customer it is for: a prospect or new customer (create), a "
            "loyal customer (maintain) or a marketer who brings others (develop)."
        ),
        N_(
            "A KPI belongs to the tool whose result it counts: repeat business is CEM's, referrals "
            "are CAM's."
        ),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    ex.ACTIONS[0]: 'CRM', ex.ACTIONS[1]: 'CRM',\n"
            "    ex.ACTIONS[2]: 'CEM', ex.ACTIONS[3]: 'CEM', ex.ACTIONS[4]: 'CEM',\n"
            "    ex.ACTIONS[5]: 'CAM', ex.ACTIONS[6]: 'CAM', ex.ACTIONS[7]: 'CAM',\n"
            "}"
        )
    ),
)


# --------------------------------------------------------------------------- q7
Q7_ANSWER = N_(
    "A loyal customer buys again because they are pleased and well treated; they owe the firm "
    "nothing more. Asking them to sell for the firm treats them as unpaid staff and puts the "
    "firm's interest before theirs, which is the kind of overfamiliar, disrespectful treatment "
    "the course warns about. In the model a loyal customer who feels a breach of respect "
    "mostly stays (fewer than one in a hundred left that week), but a marketer leaves about "
    "one time in eight, angry, and then speaks against the firm for weeks; none slid back to "
    "loyal. So the better path is to let loyalty mature: keep the special respect, discounts "
    "and gifts of CEM, and once a customer refers on their own, support it with CAM's "
    "valuable gifts and a clear financial benefit. The firm loses most exactly where it has "
    "gained most."
)

q7 = Discussion(
    N_("why not ask loyal customers to market for you?"),
    min_words=60,
    hints=[
        N_(
            "Compare what a loyal customer and a marketer expect (CEM and CAM), and what each does "
            "after a breach of respect in section 7."
        ),
        N_("Use one number from the run, and say what the firm loses besides the customer."),
    ],
    solution=Q7_ANSWER,  # marked for the catalog where it is defined
    rubric=(
        N_(
            "- a loyal customer is not the firm's staff: the request itself can feel like "
            "disrespect or overfamiliarity (1 mark)\n"
            "- the asymmetry, with a number from section 7: after a breach loyal customers mostly "
            "stay, marketers leave (1 mark)\n"
            "- a marketer who leaves does not fall back to loyal, leaves angry and speaks against "
            "the firm (negative word of mouth) (1 mark)\n"
            "- what to do instead: let customers climb when they are ready; support marketers "
            "with CAM's respect, valuable gifts and clear financial benefit (1 mark)"
        )
    ),
)

QUESTIONS = (q1, q2, q3, q4, q5, q6, q7)
