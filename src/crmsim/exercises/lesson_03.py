"""Exercises for lesson 03, trust and commitment: calculus, knowledge and identification trust,
the course's seven ways to win a buyer's trust, and what a promise does.

Examples
--------
>>> from crmsim.exercises import lesson_03 as ex
>>> ex.q1.check(ex.overall_trust("expansion", 0.8, 0.5, 0.1), quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crmsim import CRMModel, Policy, Stage
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
from crmsim.i18n import N_, Messages, _, format_number, pgettext
from crmsim.state import TRUST_WEIGHTS
from crmsim.terms import TRUST_KINDS, read_term

# ---------------------------------------------------------------- q1: overall trust
#: The customer of question 1: a stage and the three trust components.
Q1_CUSTOMER = {"stage": "expansion", "calculus": 0.8, "knowledge": 0.5, "identification": 0.1}


def overall_trust(
    stage: str | Stage, calculus: float, knowledge: float, identification: float
) -> float:
    """Overall trust of a customer at ``stage``: the components mixed with that stage's weights."""
    stage = stage if isinstance(stage, Stage) else Stage[read_term("stage", stage).upper()]
    return float(TRUST_WEIGHTS[stage] @ np.array([calculus, knowledge, identification]))


def _check_overall(answer) -> Feedback:
    c = Q1_CUSTOMER
    parts = (c["calculus"], c["knowledge"], c["identification"])
    if close_to(overall_trust(c["stage"], *parts), rel=1e-6)(answer):
        return Feedback(
            True,
            _(
                "in expansion knowledge trust weighs most, so the customer's good record "
                "counts for more than the deal itself."
            ),
        )
    if close_to(sum(parts) / 3, rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "you gave the three components equal weight. The model weighs them by "
                "stage: look up the expansion row of `TRUST_WEIGHTS`."
            ),
        )
    for other in (Stage.EXPLORATION, Stage.COMMITMENT):
        if close_to(overall_trust(other, *parts), rel=1e-6)(answer):
            return Feedback(
                False,
                _(
                    "you used the weights of {stage}. This customer is in "
                    "expansion: use that row of `TRUST_WEIGHTS`."
                ).format(stage=pgettext("stage", other.name.lower())),
            )
    return Feedback(
        False,
        _(
            "not the overall trust. Multiply each component by its weight for the "
            "customer's stage and add the three products."
        ),
    )


q1 = Question(
    N_("overall trust in expansion"),
    _check_overall,
    hints=[
        N_(
            "`crmsim.state.TRUST_WEIGHTS[Stage.EXPANSION]` holds the weights of (calculus, "
            "knowledge, "
            "identification) for that stage."
        ),
        N_(
            "Overall trust is a weighted sum: weight times component, added over the three "
            "components."
        ),
    ],
    solution=(
        "weights = TRUST_WEIGHTS[Stage.EXPANSION]\n"
        "answer = weights[0] * 0.8 + weights[1] * 0.5 + weights[2] * 0.1"
    ),
)


# ------------------------------------------------- q2: consistency builds knowledge trust
#: The runs of question 2: a respectful firm whose service is steady or erratic.
Q2_RUN = {"n_customers": 1_500, "weeks": 104, "rng": 3}
Q2_VARIABILITY = {"steady": 0.05, "erratic": 0.3}


def consistency_policy(variability: float) -> Policy:
    """The firm of question 2 with the given service variability."""
    return Policy(service_quality=0.75, respect=0.7, service_variability=variability)


@lru_cache(maxsize=4)
def _knowledge_at_end(variability: float) -> float:
    model = CRMModel(
        n_customers=Q2_RUN["n_customers"], policy=consistency_policy(variability), rng=Q2_RUN["rng"]
    )
    model.run(Q2_RUN["weeks"], progress=False)
    return float(model.frame["trust_knowledge"].iloc[-1])


def _check_consistency(answer) -> Feedback:
    steady, erratic = (_knowledge_at_end(v) for v in Q2_VARIABILITY.values())
    gap = steady - erratic
    if close_to(gap, rel=1e-6)(answer):
        return Feedback(
            True,
            _(
                "the same average quality, delivered predictably, builds far more "
                "knowledge-based trust: customers can foresee what they will get."
            ),
        )
    if close_to(-gap, rel=1e-6)(answer):
        return Feedback(
            False, _("right size, wrong sign: the question asks for steady minus erratic.")
        )
    if close_to(steady, rel=1e-6)(answer) or close_to(erratic, rel=1e-6)(answer):
        return Feedback(
            False, _("that is one run's value. The answer is the difference between the two runs.")
        )
    return Feedback(
        False,
        _(
            "not the difference in mean knowledge trust at the last week. Run both "
            "policies with the same size and seed, read `trust_knowledge` in the last row of "
            "each frame, and subtract."
        ),
    )


q2 = Question(
    N_("consistency and knowledge trust"),
    _check_consistency,
    hints=[
        N_(
            "Build the two policies with `ex.consistency_policy(variability)`; only the "
            "variability differs."
        ),
        N_(
            "`model.frame['trust_knowledge'].iloc[-1]` is the mean knowledge trust of active "
            "customers in "
            "the last week."
        ),
    ],
    solution=(
        "ends = {}\n"
        "for name, variability in ex.Q2_VARIABILITY.items():\n"
        "    model = CRMModel(n_customers=1_500, policy=ex.consistency_policy(variability), "
        "rng=3)\n"
        "    model.run(104)\n"
        "    ends[name] = model.frame['trust_knowledge'].iloc[-1]\n"
        "answer = ends['steady'] - ends['erratic']"
    ),
)


# ------------------------------------------------- q3: commitment and a competitor's campaign
#: The campaign of question 3: weeks before it starts, its length, and the market during it.
Q3_CAMPAIGN = {
    "start": 130,
    "weeks": 13,
    "competitor_offer_rate": 0.5,
    "competitor_offer_boost": 0.6,
}


def competitor_campaign(
    start: int = 130, weeks: int = 13, rate: float = 0.5, boost: float = 0.6, rng: int = 3
) -> dict[str, float]:
    """Share of the customers in each active stage at ``start`` whom a competitor's campaign takes.

    The firm is question 2's steady one (1,500 customers). At week ``start`` the competitor
    starts approaching customers far more often (``rate``) with better offers (``boost``);
    each customer is counted in the stage they were in when the campaign began.

    Parameters
    ----------
    start : int
        Weeks the firm runs before the campaign begins.
    weeks : int
        Length of the campaign, in weeks.
    rate : float
        The market's ``competitor_offer_rate`` during the campaign.
    boost : float
        The market's ``competitor_offer_boost`` during the campaign.
    rng : int
        The seed of the run.

    Returns
    -------
    dict
        ``{"exploration": share, "expansion": share, "commitment": share}``: of the customers
        in that stage at ``start``, the share who left for the competitor during the campaign
        (NaN for a stage nobody was in).
    """
    model = CRMModel(n_customers=1_500, policy=consistency_policy(0.05), rng=rng)
    model.run(start, progress=False)
    stage_then = model.state.stage.copy()
    model.market = model.market.replace(competitor_offer_rate=rate, competitor_offer_boost=boost)
    model.run(weeks, progress=False)
    losses = model.losses
    to_rival = losses.loc[(losses["week"] >= start) & (losses["cause"] == "competitor"), "customer"]
    shares = {}
    for stage in (Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT):
        members = np.flatnonzero(stage_then == stage)
        shares[stage.name.lower()] = (
            float(np.isin(members, to_rival).mean()) if len(members) else float("nan")
        )
    return shares


@lru_cache(maxsize=1)
def _q3_shares() -> dict[str, float]:
    c = Q3_CAMPAIGN
    return competitor_campaign(
        c["start"], c["weeks"], c["competitor_offer_rate"], c["competitor_offer_boost"]
    )


def _check_campaign(answer) -> Feedback:
    shares = _q3_shares()
    if close_to(shares["expansion"], rel=1e-6)(answer):
        if shares["commitment"] == 0:
            message = _(
                "compare with none of the committed customers: to win one, the offer has to "
                "beat their commitment *and* their switching cost, and here it never did."
            )
        else:
            message = _(
                "compare with {share} of committed customers: to win one, the offer has to "
                "beat their commitment *and* their switching cost, and it rarely does."
            ).format(share=format_number(shares["commitment"], ".1%"))
        return Feedback(True, message)
    for stage in ("exploration", "commitment"):
        if close_to(shares[stage], rel=1e-6)(answer):
            return Feedback(
                False,
                _(
                    "that is the share for customers in {stage}. The question is about "
                    "those in expansion when the campaign began."
                ).format(stage=pgettext("stage", stage)),
            )
    value = as_number(answer)
    if value is not None and value > 1:
        return Feedback(
            False, _("give the share as a fraction between 0 and 1, not a count or a percentage.")
        )
    return Feedback(
        False,
        _(
            "not the share of expansion-stage customers taken by the competitor. Note "
            "each customer's stage when the campaign starts, change `model.market`, run the "
            "campaign's weeks, and look up who left with cause 'competitor'."
        ),
    )


q3 = Question(
    N_("a competitor's campaign"),
    _check_campaign,
    hints=[
        N_("Copy `model.state.stage` *before* the campaign: stages change as people leave."),
        N_(
            "`model.market = model.market.replace(competitor_offer_rate=..., "
            "competitor_offer_boost=...)` "
            "changes the market mid-run."
        ),
        N_(
            "`ex.competitor_campaign(...)` runs the campaign and returns, for each stage, the "
            "share "
            "of its customers the competitor took; read its docstring for the arguments."
        ),
    ],
    solution=(
        "shares = ex.competitor_campaign(start=130, weeks=13, rate=0.5, boost=0.6)\n"
        "answer = shares['expansion']"
    ),
)


# ------------------------------------------------- q4: which kind of trust is it?
#: The statements of question 4: what a customer (or a supplier) says about a partner.
TRUST_STATEMENTS = Messages(
    {
        "a": N_(
            "For two years the parcels have come on the day they were promised, so I have stopped "
            "checking the tracking."
        ),
        "b": N_("I moved to this shop because it delivers a day sooner than the others."),
        "c": N_(
            "The wholesaler lets a client it has served for fifteen years pay at the end of the "
            "month, with no deposit."
        ),
        "d": N_("They are the cheapest this month, so this month I buy from them."),
        "e": N_(
            "I know how they handle a return: I have sent things back three times and it always "
            "went the same way."
        ),
        "f": N_("They stand for what I stand for; when friends run them down, I take their side."),
    }
)
_TRUST_ALIASES = {
    f"{kind}{suffix}": kind
    for kind in TRUST_KINDS
    for suffix in ("-based", " based", "-based trust", " based trust", " trust")
}
_EXPECTED_TRUST = {
    "a": "knowledge",
    "b": "calculus",
    "c": "identification",
    "d": "calculus",
    "e": "knowledge",
    "f": "identification",
}

q4 = Classification(
    N_("which kind of trust"),
    label_checker(_EXPECTED_TRUST, aliases=_TRUST_ALIASES),
    items=tuple(TRUST_STATEMENTS),
    labels=TRUST_KINDS,
    aliases=_TRUST_ALIASES,
    kind="trust",
    hints=[
        N_(
            "Ask what the trust rests on: the deal on offer now, a record that makes the partner "
            "predictable, or goals and values the two sides share."
        ),
        N_(
            "A benefit of today (price, speed) is a calculation; a history that lets you foresee "
            "the next episode is knowledge; trust that survives a risk taken for the other side "
            "is identification."
        ),
    ],
    solution=(
        "answer = {'a': 'knowledge', 'b': 'calculus', 'c': 'identification', "
        "'d': 'calculus', 'e': 'knowledge', 'f': 'identification'}"
    ),
)


# ------------------------------------------------- q5: under-promise, over-deliver
#: The runs of question 5 and of the notebook's section on the seven ways: the steady firm of
#: question 2 (whose episodes feel about 0.4 on the satisfaction scale) with three promises,
#: for three years (a promise's effect on customers builds slowly: after two years the
#: under- and over-promising firms have about as many).
PROMISE_RUN = {"n_customers": 2_000, "weeks": 156, "seeds": (1, 2, 3), "streams": "keyed"}
PROMISES = {"under": 0.1, "honest": 0.4, "over": 0.7}
#: A difference in mean satisfaction smaller than this counts as "about the same".
SAME_SATISFACTION = 0.01


def promise_policy(promise: float) -> Policy:
    """The steady firm of question 2 making a ``promise`` (what newcomers expect, in [-1, 1]).

    Parameters
    ----------
    promise : float
        ``Policy.promise``: the satisfaction the firm's marketing tells newcomers to expect.
        The firm's service is the same whatever it promises.

    Returns
    -------
    Policy
        The firm of :func:`consistency_policy` with variability 0.05, and the promise.

    Examples
    --------
    >>> promise_policy(0.1).promise
    0.1
    """
    return consistency_policy(Q2_VARIABILITY["steady"]).replace(promise=promise)


@lru_cache(maxsize=16)
def _promise_frame(promise: float, seed: int) -> pd.DataFrame:
    """The weekly frame of one promise run (shared by the checks; do not modify it)."""
    run = PROMISE_RUN
    model = CRMModel(
        n_customers=run["n_customers"],
        policy=promise_policy(promise),
        rng=seed,
        streams=run["streams"],
    )
    model.run(run["weeks"], progress=False)
    return model.frame


def _mean_satisfaction(promise: float, seed: int) -> tuple[float, float]:
    """(mean over the weeks, last week) of the frame's satisfaction in one promise run."""
    satisfaction = _promise_frame(promise, seed)["satisfaction"]
    return float(satisfaction.mean()), float(satisfaction.iloc[-1])


def _satisfaction_gap(which: int = 0, seeds=None, low: str = "under", high: str = "over"):
    seeds = PROMISE_RUN["seeds"] if seeds is None else seeds
    return float(
        np.mean([_mean_satisfaction(PROMISES[low], s)[which] for s in seeds])
        - np.mean([_mean_satisfaction(PROMISES[high], s)[which] for s in seeds])
    )


def _promise_outcome(answer) -> str:
    value = as_number(answer)
    if value is None or abs(value) < SAME_SATISFACTION:
        return "comes out about the same"
    return (
        "comes out higher with the under-promise"
        if value > 0
        else "comes out higher with the over-promise"
    )


def _check_promise(answer) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("give one number: mean satisfaction, under minus over."))
    gap = _satisfaction_gap()
    if close_to(gap, rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "the same service feels better to customers who were told to expect less: each "
                "episode is judged against the expectation, and a pleasant surprise adds to it "
                "(disconfirmation). Now look at the rest of the table: what did the promise do "
                "to the customers the firm kept?"
            ),
        )
    if close_to(-gap, rel=1e-6)(value):
        return Feedback(False, _("right size, wrong sign: the question asks for under minus over."))
    if close_to(_satisfaction_gap(seeds=PROMISE_RUN["seeds"][:1]), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "that is the first seed alone. Average each promise over all the seeds first: one "
                "run is one possible history."
            ),
        )
    if close_to(_satisfaction_gap(which=1), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "that compares the last week only. The question asks for the mean over all the "
                "weeks of each run."
            ),
        )
    if close_to(_satisfaction_gap(high="honest"), rel=1e-6)(value) or close_to(
        _satisfaction_gap(low="honest"), rel=1e-6
    )(value):
        return Feedback(
            False,
            _(
                "that compares one promise with the honest one. The question sets the "
                "under-promise against the over-promise."
            ),
        )
    return Feedback(
        False,
        _(
            "not the difference in mean satisfaction. For each promise, average the frame's "
            "`satisfaction` column over the weeks, then over the seeds; subtract over from under."
        ),
    )


q5 = Prediction(
    N_("under-promise, over-deliver"),
    _check_promise,
    choices=(
        N_("comes out higher with the under-promise"),
        N_("comes out about the same"),
        N_("comes out higher with the over-promise"),
    ),
    outcome=_promise_outcome,
    hints=[
        N_(
            "The firm serves exactly as well in every run; only what newcomers are told to expect "
            "differs."
        ),
        N_(
            "Mean satisfaction of a run is `model.frame['satisfaction'].mean()`; average it over "
            "the seeds for each promise, then take under minus over."
        ),
    ],
    solution=(
        N_(
            "# by_promise: the notebook's table, each run's mean over the weeks, averaged over "
            "seeds\n"
            "answer = by_promise.loc['under', 'satisfaction'] - by_promise.loc['over', "
            "'satisfaction']"
        )
    ),
)


# ------------------------------------------------- q6: what a promise does
q6 = Discussion(
    N_("what a promise does in the model"),
    min_words=60,
    hints=[
        N_(
            "Find every place the model reads `state.expectation` or `Policy.promise`: "
            "`crmsim.awareness` (what newcomers expect), `crmsim.episodes` (how an episode "
            "feels) and `crmsim.offer.firm_value` with `promised_quality` (what the offer seems "
            "worth, judged against the promise)."
        ),
        N_(
            "Compare the table's customers after two years and after three, and the customers "
            "lost to the competitor: when does the promise pay, and through which channel?"
        ),
    ],
    solution=(
        N_(
            "In the model a promise does three jobs. It is an advert: newcomers expect what they "
            "are promised, so a grand promise makes the offer look better at first. It is a "
            "yardstick for each episode: the same service is felt against the expectation, so it "
            "feels better after a modest promise, and the run bears that out, with higher mean "
            "satisfaction under the under-promise. And it stays a reference for what the firm "
            "is worth: customers judge the quality they now expect against what was promised, "
            "a shortfall weighing 2.25 times a surplus (loss aversion). Service that beats a "
            "modest promise counts as a gain; the same service below a grand one as a loss, "
            "which drags calculus trust down and makes competitor offers easier to accept. Over "
            "three years the under-promising firm keeps more customers, with lower weekly churn, "
            "and loses far fewer of them to the competitor than the over-promising one; after "
            "two years the gap in customers is still narrow, because the grand promise's trials "
            "and the broken promise's losses nearly cancel at first. An honest promise wins as "
            "many trials as a grand one without its shortfall, so it does at least as well as "
            "the under-promise on churn, and it builds the most knowledge trust, since any "
            "surprise, pleasant or not, is unpredictability. What the model still leaves out: a "
            "broken promise is not a betrayal that cuts identification trust or sets off angry "
            "word of mouth, and every customer keeps the same fixed reference however long ago "
            "they heard it; with those in, over-promising would cost even more."
        )
    ),
    rubric=(
        "- names the yardstick role: episodes are felt against the expectation, so "
        "under-promising raises satisfaction (1 mark)\n"
        "- names the reference role: the expected quality is judged against the promise, a "
        "shortfall weighing more than a surplus (loss aversion), which moves calculus trust "
        "and competitor offers (1 mark)\n"
        "- quotes the run's direction: under-promising satisfies more, keeps more customers "
        "and loses fewer to the competitor over three years, while after two years the gap "
        "in customers is narrow (the advert role: a grand promise wins more trials) (1 mark)\n"
        "- notes that an honest promise is at least as good on churn and builds the most "
        "knowledge trust, because any surprise cuts it (1 mark)\n"
        "- says what the model leaves out (a broken promise as a betrayal, word of mouth about "
        "it, a reference that fades or differs by customer) and how it would change the "
        "result (1 mark)"
    ),
)


# ------------------------------------------------- q7: the seven ways and the model's levers
#: The course's seven ways to win a buyer's trust, the items of question 7.
SEVEN_WAYS = (
    N_("make buying feel safe"),
    N_("be present on social media"),
    N_("under-promise and over-deliver"),
    N_("serve before, during and after the sale"),
    N_("speak with a human voice"),
    N_("communicate, and own your mistakes"),
    N_("always be reachable"),
)
#: The labels of question 7: a field of `Policy`, or none.
LEVERS = (N_("promise"), N_("service"), N_("respect"), N_("recovery"), N_("channels"), N_("none"))
_LEVER_ALIASES = {
    "no lever": "none",
    "nothing": "none",
    "policy promise": "promise",
    "policy channels": "channels",
    "channel": "channels",
    "policy recovery": "recovery",
    "policy respect": "respect",
    "service quality": "service",
    "policy service": "service",
}
_EXPECTED_LEVERS = {
    "make buying feel safe": "none",
    "be present on social media": "none",
    "under-promise and over-deliver": "promise",
    "serve before, during and after the sale": "service",
    "speak with a human voice": "respect",
    "communicate, and own your mistakes": "recovery",
    "always be reachable": "channels",
}

q7 = Classification(
    N_("the seven ways and the model's levers"),
    label_checker(_EXPECTED_LEVERS, aliases=_LEVER_ALIASES),
    items=SEVEN_WAYS,
    labels=LEVERS,
    aliases=_LEVER_ALIASES,
    hints=[
        N_(
            "Read the parameters of `help(crmsim.Policy)`: which field changes what that way of "
            "winning trust changes?"
        ),
        N_("Two of the seven have no lever: the model has no website, payment or social media."),
    ],
    solution=(
        "answer = {\n"
        "    'make buying feel safe': 'none',\n"
        "    'be present on social media': 'none',\n"
        "    'under-promise and over-deliver': 'promise',\n"
        "    'serve before, during and after the sale': 'service',\n"
        "    'speak with a human voice': 'respect',\n"
        "    'communicate, and own your mistakes': 'recovery',\n"
        "    'always be reachable': 'channels',\n"
        "}"
    ),
)

__all__ = [
    "Q1_CUSTOMER",
    "Q2_RUN",
    "Q2_VARIABILITY",
    "PROMISES",
    "PROMISE_RUN",
    "Q3_CAMPAIGN",
    "SEVEN_WAYS",
    "TRUST_STATEMENTS",
    "competitor_campaign",
    "consistency_policy",
    "overall_trust",
    "promise_policy",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
]
