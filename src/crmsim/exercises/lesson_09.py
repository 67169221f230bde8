"""Exercises for lesson 9: winning customers back and regaining trust.

Checkers compute the expected answers from the win-back rule in
:mod:`crmsim.winback` and from a seeded run.
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
    as_float,
    as_number,
    as_pair,
    label_checker,
    near,
    trend,
)
from crmsim.i18n import N_, _, format_number

#: The run of question 3: a firm that loses many customers and makes win-back offers.
RUN = {
    "policy": {"service_quality": 0.6, "recovery": 0.2, "respect": 0.4, "win_back": 0.2},
    "n_customers": 2_000,
    "weeks": 104,
    "rng": 9,
}


@lru_cache(maxsize=1)
def _run_frame():
    from crmsim import CRMModel, Policy

    model = CRMModel(
        n_customers=RUN["n_customers"],
        policy=Policy(**RUN["policy"]),
        rng=RUN["rng"],
        history=False,
    )
    model.run(RUN["weeks"], progress=False)
    return model.frame


# --------------------------------------------------------------------------- q1
#: The departing customer of question 1.
LEAVER = {"trust_knowledge": 0.6}


def _expected_q1() -> float:
    from crmsim.winback import RETURN_TRUST_KEPT

    return LEAVER["trust_knowledge"] * RETURN_TRUST_KEPT


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(
            False, _("Give one number: the knowledge trust on return, between 0 and 1.")
        )
    if abs(value - _expected_q1()) < 1e-6:
        return Feedback(
            True,
            _(
                "Right: a second chance, not a clean slate. The returner starts again in "
                "exploration with part of what they knew of the firm, and must rebuild the rest."
            ),
        )
    if abs(value - LEAVER["trust_knowledge"]) < 1e-6:
        return Feedback(
            False,
            _(
                "A returner does not pick up where they left off: win_back cuts every trust "
                "component."
            ),
        )
    if abs(value) < 1e-6:
        return Feedback(
            False,
            _("Nor do they start from nothing: they remember part of their record with the firm."),
        )
    return Feedback(False, _("Not quite. Look for the constant that win_back multiplies trust by."))


q1 = Question(
    N_("trust on return"),
    _check_q1,
    hints=[
        N_(
            "Read win_back in crmsim/winback.py: what happens to trust_knowledge of those who come "
            "back?"
        ),
        N_("While a customer is gone, their trust components are not updated."),
    ],
    solution=N_("from crmsim.winback import RETURN_TRUST_KEPT\nanswer = 0.6 * RETURN_TRUST_KEPT"),
)


# --------------------------------------------------------------------------- q2
#: The win-back intensity of question 2.
INTENSITY = 0.2
#: The two former customers of question 2: weeks since they left, why, and whether angry.
#: Neither has refused an offer yet.
WEEKS_AWAY = 13
CALM_LEAVER = {"cause": "competitor", "angry": False}
ANGRY_LEAVER = {"cause": "failure", "angry": True}


def _weekly_return(
    leaver: dict[str, Any], intensity: float = INTENSITY, weeks_away: float = WEEKS_AWAY
) -> float:
    from crmsim.winback import (
        ANGRY_ACCEPT_FACTOR,
        CAUSE_ACCEPT,
        WIN_BACK_ACCEPT,
        WIN_BACK_HALF_LIFE,
    )

    anger = ANGRY_ACCEPT_FACTOR if leaver["angry"] else 1.0
    away = 0.5 ** (weeks_away / WIN_BACK_HALF_LIFE)
    return intensity * WIN_BACK_ACCEPT * CAUSE_ACCEPT[leaver["cause"]] * anger * away


def _expected_q2() -> tuple[float, float]:
    return _weekly_return(CALM_LEAVER), _weekly_return(ANGRY_LEAVER)


def _check_q2(answer: Any) -> Feedback:
    try:
        calm, angry = (as_float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False, _("Give a pair: (calm leaver, angry leaver), each a weekly probability.")
        )
    exp_calm, exp_angry = _expected_q2()

    def near_rate(value: float, expected: float) -> bool:
        return near(value, expected, within=1e-6)

    ok_calm, ok_angry = near_rate(calm, exp_calm), near_rate(angry, exp_angry)
    if ok_calm and ok_angry:
        return Feedback(
            True,
            _(
                "Right. The angry leaver is {times} times less likely to come back: half for "
                "leaving over the service, a fifth of that for the anger. Both chances keep "
                "halving the longer they stay away, and every refused offer cuts them further. "
                "Meanwhile the angry one may be speaking against you: preventing anger is worth "
                "more than courting them later."
            ).format(times=format_number(exp_calm / exp_angry, ".0f")),
        )
    if near_rate(calm, exp_angry) and near_rate(angry, exp_calm):
        return Feedback(False, _("Right numbers, wrong order: the calm leaver comes first."))
    if near_rate(calm, exp_calm / INTENSITY) or near_rate(angry, exp_angry / INTENSITY):
        return Feedback(
            False,
            _(
                "That is the chance of accepting an offer once made. Each week only a share "
                "win_back of former customers receives one."
            ),
        )
    if near_rate(calm, _weekly_return(CALM_LEAVER, weeks_away=0)) or near_rate(
        angry, _weekly_return(ANGRY_LEAVER, weeks_away=0)
    ):
        return Feedback(
            False,
            _(
                "You left out the time away: the chance of accepting halves every "
                "WIN_BACK_HALF_LIFE weeks after leaving."
            ),
        )
    if ok_calm and near_rate(angry, exp_calm * _anger_factor()):
        return Feedback(
            False,
            _(
                "The anger is counted, but not the cause: a leaver after a failure is only "
                "CAUSE_ACCEPT['failure'] as willing as one taken by a competitor."
            ),
        )
    # one whole sentence per case: a translation cannot be put together from pieces
    if not ok_calm and not ok_angry:
        message = _(
            "The calm leaver's probability is off and the angry leaver's probability is off: "
            "chance of an offer x chance of accepting it (winback.acceptance)."
        )
    elif not ok_calm:
        message = _(
            "The calm leaver's probability is off: chance of an offer x chance of accepting it "
            "(winback.acceptance)."
        )
    else:
        message = _(
            "The angry leaver's probability is off: chance of an offer x chance of accepting it "
            "(winback.acceptance)."
        )
    return Feedback(False, message)


def _anger_factor() -> float:
    from crmsim.winback import ANGRY_ACCEPT_FACTOR

    return ANGRY_ACCEPT_FACTOR


q2 = Question(
    N_("who comes back: cause, anger and time away"),
    _check_q2,
    hints=[
        N_(
            "Two things must happen in a week: the former customer receives an offer, and accepts "
            "it."
        ),
        N_(
            "winback.acceptance multiplies WIN_BACK_ACCEPT by CAUSE_ACCEPT[cause], by "
            "ANGRY_ACCEPT_FACTOR if they left angry, by 0.5 ** (weeks away / WIN_BACK_HALF_LIFE) "
            "and by OFFER_FATIGUE for each offer refused."
        ),
    ],
    solution=(
        N_(
            "from crmsim.winback import ANGRY_ACCEPT_FACTOR, CAUSE_ACCEPT, WIN_BACK_ACCEPT, "
            "WIN_BACK_HALF_LIFE\n"
            "away = 0.5 ** (13 / WIN_BACK_HALF_LIFE)\n"
            "calm = 0.2 * WIN_BACK_ACCEPT * CAUSE_ACCEPT['competitor'] * away\n"
            "angry = 0.2 * WIN_BACK_ACCEPT * CAUSE_ACCEPT['failure'] * ANGRY_ACCEPT_FACTOR * away\n"
            "answer = (calm, angry)"
        )
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> float:
    f = _run_frame()
    return float(f["cost_win_back"].sum() / f["won_back"].sum())


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("Give one amount of money per customer won back."))
    f = _run_frame()
    expected = _expected_q3()
    if abs(value - expected) <= 0.01 * expected:
        return Feedback(
            True,
            _(
                "Right. Every offer costs money, accepted or not, so each returner costs many "
                "offers. Compare it with what a returner spends before they leave again."
            ),
        )
    if abs(value - f["cost_win_back"].sum() / f["win_back_offers"].sum()) <= 0.01 * expected:
        return Feedback(
            False,
            _(
                "That is the cost of one offer. Divide the campaign's cost by the customers it "
                "brought back."
            ),
        )
    if abs(value - f["cost_win_back"].sum()) <= 1:
        return Feedback(
            False,
            _("That is the whole campaign's cost; divide it by the number of customers won back."),
        )
    return Feedback(
        False,
        _(
            "Not the model's figure. Run the policy given (win_back=0.2, rng=9, 2,000 customers, "
            "104 weeks) and divide the cost of win-back offers by the customers won back."
        ),
    )


q3 = Question(
    N_("cost of a customer won back"),
    _check_q3,
    hints=[
        N_("The frame has cost_win_back (money) and won_back (customers who returned) each week."),
        N_("Sum each over the run, then divide."),
    ],
    solution=(
        N_(
            "policy = Policy(service_quality=0.6, recovery=0.2, respect=0.4, win_back=0.2)\n"
            "model = CRMModel(n_customers=2_000, policy=policy, rng=9, history=False)\n"
            "model.run(104, progress=False)\n"
            "f = model.frame\n"
            "answer = f['cost_win_back'].sum() / f['won_back'].sum()"
        )
    ),
)


# ------------------------------------------------------------------ the win-back checklist
def checklist(model):
    """The win-back checklist for every former customer of ``model``, as things stand now.

    What the course says to find out before trying to win a customer back, one row per
    former customer (stage dissolution), with what :func:`crmsim.winback.acceptance` makes of
    it for an offer made in the model's next week.

    Parameters
    ----------
    model : crmsim.CRMModel
        A model that has run for some weeks.

    Returns
    -------
    pandas.DataFrame
        One row per former customer, indexed by their row: ``why they left`` (the cause),
        ``left angry``, ``weeks away``, ``offers refused`` (since they left), ``former tier``,
        ``chance of accepting`` an offer now, and ``offer cost per return``: what offers at
        ``Market.win_back_unit_cost`` each cost, on average, per customer they bring back
        (infinite for those who cannot be won back).
    """
    import pandas as pd

    from crmsim.levers import TIER_NAMES
    from crmsim.stages import CHURN_CAUSES, DISSOLUTION
    from crmsim.winback import acceptance

    s = model.state
    gone = np.flatnonzero(s.stage == DISSOLUTION)
    chance = acceptance(s, gone, model.week)
    with np.errstate(divide="ignore"):
        cost = np.where(chance > 0, model.market.win_back_unit_cost / chance, np.inf)
    return pd.DataFrame(
        {
            "why they left": [CHURN_CAUSES[c - 1] for c in s.churn_cause[gone]],
            "left angry": s.angry[gone],
            "weeks away": model.week - s.lost_week[gone],
            "offers refused": s.win_back_refusals[gone],
            "former tier": [TIER_NAMES[t] for t in s.former_tier[gone]],
            "chance of accepting": chance,
            "offer cost per return": cost,
        },
        index=pd.Index(gone, name="customer"),
    )


#: The firm of the notebook's section 7 and of question 4: middling service, few complaints
#: resolved, curt staff, and win-back offers at intensity 0.2; 1,000 customers for two years,
#: seeds 0-3.
CAMPAIGN_RUNS = {
    "policy": {"service_quality": 0.6, "recovery": 0.2, "respect": 0.4},
    "intensity": 0.2,
    "n_customers": 1_000,
    "weeks": 104,
    "seeds": (0, 1, 2, 3),
}


@lru_cache(maxsize=16)
def _campaign(target, intensity: float, seeds: tuple[int, ...], n_customers: int, weeks: int):
    import pandas as pd

    from crmsim import CRMModel, Policy

    policy = Policy(**CAMPAIGN_RUNS["policy"], win_back=intensity, win_back_target=target)
    totals = []
    for seed in seeds:
        model = CRMModel(n_customers=n_customers, policy=policy, rng=seed, history=False)
        model.run(weeks, progress=False)
        f = model.frame
        totals.append(
            {
                "offers": f["win_back_offers"].sum(),
                "won back": f["won_back"].sum(),
                "cost of offers": f["cost_win_back"].sum(),
                "active at the end": f["active"].iloc[-1],
                "profit": f["profit"].sum(),
            }
        )
    table = pd.DataFrame(totals)
    out = table.mean()
    won = table["won back"].sum()
    out["cost per customer won back"] = table["cost of offers"].sum() / won if won else np.inf
    return out


def win_back_campaign(
    target="all",
    intensity: float = CAMPAIGN_RUNS["intensity"],
    seeds: tuple[int, ...] = CAMPAIGN_RUNS["seeds"],
    n_customers: int = CAMPAIGN_RUNS["n_customers"],
    weeks: int = CAMPAIGN_RUNS["weeks"],
):
    """One win-back campaign of the leaky firm, aimed with ``Policy.win_back_target``.

    The firm serves at quality 0.6, resolves a fifth of complaints and has curt staff
    (respect 0.4), so it loses many customers for every cause. The runs are made once per
    seed and remembered.

    Parameters
    ----------
    target : str or set of str
        ``"all"``, or the causes and/or former tiers to aim at, as ``Policy.win_back_target``
        takes them (``{"competitor", "drift"}``, ``{"loyal", "marketer"}`` ...).
    intensity : float
        ``Policy.win_back``: the weekly chance that a targeted former customer gets an offer.
    seeds : tuple of int
        One run per seed.
    n_customers, weeks : int
        The size and length of each run.

    Returns
    -------
    pandas.Series
        Means over the seeds of ``offers``, ``won back``, ``cost of offers``, ``active at the
        end`` and ``profit``, and the ``cost per customer won back`` of all the seeds together.
    """
    names = "all" if target == "all" else frozenset({target} if isinstance(target, str) else target)
    key = (names, float(intensity), tuple(seeds), int(n_customers), int(weeks))
    return _campaign(*key).copy()


#: The campaign of question 4: offers only to those who left after a failure or a breach of
#: respect.
Q4_TARGET = frozenset({"failure", "disrespect"})


# --------------------------------------------------------------------------- q4
def _expected_q4() -> tuple[float, float]:
    return (
        float(win_back_campaign("all")["cost per customer won back"]),
        float(win_back_campaign(Q4_TARGET)["cost per customer won back"]),
    )


def _check_q4(answer: Any) -> Feedback:
    pair = as_pair(answer)
    if pair is None:
        return Feedback(
            False,
            _("Give a pair of costs: (offers to everyone, offers aimed), per customer won back."),
        )
    everyone, aimed = pair
    exp_everyone, exp_aimed = _expected_q4()

    if near(everyone, exp_everyone, share=0.005) and near(aimed, exp_aimed, share=0.005):
        return Feedback(
            True,
            _(
                "Right: each customer won back costs about {times} times as much. Those who left "
                "over the firm's own failings are half as willing to listen to begin with, and "
                "many left angry, five times less willing again. With so few returns a run, four "
                "seeds measure the ratio only roughly."
            ).format(times=format_number(exp_aimed / exp_everyone, ".1f")),
        )
    if near(everyone, exp_aimed, share=0.005) and near(aimed, exp_everyone, share=0.005):
        return Feedback(
            False, _("Right numbers, wrong order: the campaign to everyone comes first.")
        )
    runs = [win_back_campaign("all"), win_back_campaign(Q4_TARGET)]
    per_offer = [r["cost of offers"] / r["offers"] for r in runs]
    if near(everyone, per_offer[0], share=0.005) and near(aimed, per_offer[1], share=0.005):
        return Feedback(
            False,
            _(
                "That is the cost of one offer, the same in both campaigns. Divide the cost of the "
                "offers by the customers they brought back."
            ),
        )
    if near(everyone, runs[0]["cost of offers"], share=0.005) and near(
        aimed, runs[1]["cost of offers"], share=0.005
    ):
        return Feedback(
            False,
            _(
                "Those are the campaigns' whole costs; the question asks for the cost per customer "
                "won back."
            ),
        )
    return Feedback(
        False,
        _(
            "Not the model's figures. Call win_back_campaign('all') and "
            "win_back_campaign({'failure', 'disrespect'}) and read 'cost per customer won back'."
        ),
    )


q4 = Prediction(
    N_("win back those you failed?"),
    _check_q4,
    choices=TREND_CHOICES,
    outcome=lambda answer: trend(*as_pair(answer)),
    hints=[
        N_(
            "win_back_campaign(target) runs the leaky firm with offers aimed at target; its result "
            "has an entry 'cost per customer won back'."
        ),
        N_("Call it twice: with 'all' and with {'failure', 'disrespect'}."),
    ],
    solution=(
        N_(
            "everyone = ex.win_back_campaign('all')\n"
            "aimed = ex.win_back_campaign({'failure', 'disrespect'})\n"
            "answer = (everyone['cost per customer won back'], aimed['cost per customer won back'])"
        )
    ),
)


# --------------------------------------------------------------------------- q5
#: Other names a learner may give the four labels.
EASE_ALIASES = {
    "easy": "easiest",
    "hard": "harder",
    "harder to win back": "harder",
    "very hard": "hardest",
    "impossible": "out of reach",
    "never": "out of reach",
    "unreachable": "out of reach",
}
#: The former customers of question 5.
LEAVERS = (
    N_("took a rival's introductory offer and left on good terms"),
    N_("simply stopped coming, for no reason in particular"),
    N_("left without a word after a delivery that went wrong and was never put right"),
    N_("complained about a failure, heard nothing back, and left angry"),
    N_("a marketer who walked out after staff were rude to them"),
    N_("moved abroad and no longer buys anything of the kind"),
)

q5 = Classification(
    N_("which leavers are easiest to win back?"),
    label_checker(
        {
            LEAVERS[0]: "easiest",
            LEAVERS[1]: "easiest",
            LEAVERS[2]: "harder",
            LEAVERS[3]: "hardest",
            LEAVERS[4]: "hardest",
            LEAVERS[5]: "out of reach",
        },
        EASE_ALIASES,
    ),
    items=LEAVERS,
    labels=(N_("easiest"), N_("harder"), N_("hardest"), N_("out of reach")),
    aliases=EASE_ALIASES,
    hints=[
        N_(
            "First name each leaver's cause as the model does: competitor, drift, failure, "
            "disrespect or moved; then ask whether they left angry."
        ),
        N_(
            "CAUSE_ACCEPT in crmsim.winback says how willing each cause is; ANGRY_ACCEPT_FACTOR "
            "cuts it again for those who left angry. A marketer who feels disrespected always "
            "leaves angry."
        ),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    ex.LEAVERS[0]: 'easiest', ex.LEAVERS[1]: 'easiest', ex.LEAVERS[2]: 'harder',\n"
            "    ex.LEAVERS[3]: 'hardest', ex.LEAVERS[4]: 'hardest', ex.LEAVERS[5]: 'out of "
            "reach',\n"
            "}"
        )
    ),
)


# --------------------------------------------------------------------------- q6
Q6_ANSWER = N_(
    "Offers sent every week to everyone mostly reach people who will not listen, and each "
    "one costs money accepted or not. Before an offer I would go through the checklist. Why "
    "did they leave? Those taken by a competitor or who drifted off accept an offer several "
    "times as often as those who left after a failure, and an angry leaver hardly ever. How "
    "long ago? The chance halves every half year away, so offers belong in the first months. "
    "How often have they refused? Each refusal cuts the next chance by 40 %, so fewer, "
    "better-timed offers beat frequent ones. What tier did they hold? A former loyal customer "
    "or marketer is worth more if they return. And what does the offer cost against what a "
    "returner brings? In the runs, aiming at calm competitor and drift leavers cut the cost "
    "per customer won back, while aiming at those the firm had failed raised it; "
    "for those, fixing the service and the manners is the better investment."
)

q6 = Discussion(
    N_("a weekly offer to everyone who left?"),
    min_words=80,
    hints=[
        N_(
            "Go through the checklist of section 7 one item at a time: why, how long ago, how "
            "many refusals, former tier, cost of the offer."
        ),
        N_("Back at least two items with a number from the notebook."),
    ],
    solution=Q6_ANSWER,
    rubric=(
        N_(
            "- why they left: competitor and drift leavers listen, angry leavers hardly ever (1 "
            "mark)\n"
            "- time away and offer fatigue: early offers, fewer of them (1 mark)\n"
            "- former tier and the cost of an offer against what a returner is worth (1 mark)\n"
            "- a concrete proposal backed by a number from the runs (targeting, intensity, or "
            "fixing the causes instead) (1 mark)"
        )
    ),
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
