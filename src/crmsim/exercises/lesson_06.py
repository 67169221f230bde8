"""Exercises for lesson 6: customer experience — failures, complaints, recovery and respect.

Each checker computes the expected answer from the model itself (a seeded run, or
the constants of :mod:`crmsim.episodes`), so the questions stay right if the
model is recalibrated.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from crmsim.events import WeekReport
from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_float,
    as_number,
    close_to,
    is_percentage_of,
    label_checker,
)
from crmsim.i18n import N_, _, format_number, pgettext

#: The run questions 1 refers to (keep in step with the notebook).
RUN = {"n_customers": 2_000, "weeks": 104, "rng": 6}


@lru_cache(maxsize=1)
def _run_frame():
    from crmsim import CRMModel

    model = CRMModel(n_customers=RUN["n_customers"], rng=RUN["rng"], history=False)
    model.run(RUN["weeks"], progress=False)
    return model.frame


# --------------------------------------------------------------------------- q1
def _expected_q1() -> float:
    f = _run_frame()
    return float(f["complaints"].sum() / f["failures"].sum())


def _check_q1(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(
            False, _("Give a single number: the share of failed episodes followed by a complaint.")
        )
    f = _run_frame()
    expected = _expected_q1()
    if abs(value - expected) < 0.002:
        return Feedback(
            True,
            _(
                "Yes. Close to the survey's 40 %: most customers who had a bad experience "
                "never tell the firm, so recovery can only ever reach a minority of them."
            ),
        )
    if is_percentage_of(value, expected):
        return Feedback(
            False, _("That looks like a percentage; give the share as a number between 0 and 1.")
        )
    if abs(value - f["complaints"].sum() / f["episodes"].sum()) < 0.002:
        return Feedback(
            False,
            _(
                "You divided by all episodes. Only episodes that went wrong can lead to a "
                "complaint, so the denominator is the number of failures."
            ),
        )
    if abs(value - f["recovered"].sum() / f["complaints"].sum()) < 0.002:
        return Feedback(
            False,
            _(
                "That is the share of complaints the firm resolved (the recovery rate), not the "
                "share of failures that were complained about."
            ),
        )
    if abs(value - f["recovered"].sum() / f["failures"].sum()) < 0.002:
        return Feedback(
            False,
            _("That counts failures that were put right; the question asks about complaints."),
        )
    if not 0 <= value <= 1:
        return Feedback(False, _("A share must lie between 0 and 1."))
    return Feedback(
        False,
        _(
            "Not the model's figure. Sum the weekly 'complaints' and 'failures' columns of the "
            "run with rng={rng}, {customers} customers and {weeks} weeks, then divide."
        ).format(
            rng=RUN["rng"],  # code: as Python reads it
            customers=format_number(RUN["n_customers"]),
            weeks=format_number(RUN["weeks"]),
        ),
    )


q1 = Question(
    N_("complaints after a failure"),
    _check_q1,
    hints=[
        N_("The weekly frame has a column for failed episodes and one for complaints."),
        N_(
            "Add each column up over the whole run before dividing; a mean of weekly ratios "
            "gives quiet weeks as much weight as busy ones."
        ),
    ],
    solution=(
        N_(
            "model = CRMModel(n_customers=2_000, rng=6, history=False)\n"
            "model.run(104, progress=False)\n"
            "frame = model.frame\n"
            "answer = frame['complaints'].sum() / frame['failures'].sum()"
        )
    ),
)


# --------------------------------------------------------------------------- q2
def _felt(service_term: float, respect: float) -> float:
    from crmsim.episodes import RESPECT_WEIGHT

    return (1 - RESPECT_WEIGHT) * service_term + RESPECT_WEIGHT * (2 * respect - 1)


def _expected_q2() -> tuple[float, float]:
    from crmsim.episodes import RECOVERED_SERVICE

    fixed_but_rude = _felt(RECOVERED_SERVICE, 0.1)
    kind_but_unfixed = _felt(-1.0, 0.9)
    return fixed_but_rude, kind_but_unfixed


def _check_q2(answer: Any) -> Feedback:
    try:
        rude, kind = (as_float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False,
            _("Give a pair: (fixed but rude, kind but not fixed), e.g. answer = (x, y)."),
        )
    exp_rude, exp_kind = _expected_q2()
    ok_rude, ok_kind = abs(rude - exp_rude) < 1e-3, abs(kind - exp_kind) < 1e-3
    if ok_rude and ok_kind:
        return Feedback(
            True,
            _(
                "Right. Respect is a third of how an episode feels, apart from the fix: it can "
                "spoil a good recovery, but in this model it cannot make up for a problem left "
                "unsolved."
            ),
        )
    if abs(rude - exp_kind) < 1e-3 and abs(kind - exp_rude) < 1e-3:
        return Feedback(
            False,
            _(
                "Your two numbers are right but in the wrong order: the fixed-but-rude case comes "
                "first."
            ),
        )
    from crmsim.episodes import RECOVERED_SERVICE, RESPECT_WEIGHT

    plain = ((1 - RESPECT_WEIGHT) * RECOVERED_SERVICE + RESPECT_WEIGHT * 0.1,
             (1 - RESPECT_WEIGHT) * -1.0 + RESPECT_WEIGHT * 0.9)  # fmt: skip
    if abs(rude - plain[0]) < 1e-3 or abs(kind - plain[1]) < 1e-3:
        return Feedback(
            False,
            _(
                "Respect delivered is on a 0-1 scale but enters satisfaction on the -1..1 scale: "
                "use 2 * respect - 1 for the respect term."
            ),
        )
    if not ok_rude:  # its own message: the constant's name must keep its capitals
        if ok_kind:
            return Feedback(
                False,
                _(
                    "The first number is off: a resolved failure's service term is "
                    "crmsim.episodes.RECOVERED_SERVICE, not the full service satisfaction. "
                    "Weigh the service term by 1 - RESPECT_WEIGHT and the respect term by "
                    "RESPECT_WEIGHT."
                ),
            )
        return Feedback(
            False,
            _(
                "The first number is off: a resolved failure's service term is "
                "crmsim.episodes.RECOVERED_SERVICE, not the full service satisfaction. The "
                "second is off too: an unresolved failure's is -1. Weigh the service term by "
                "1 - RESPECT_WEIGHT and the respect term by RESPECT_WEIGHT."
            ),
        )
    # only the second number is off (both right was answered above)
    return Feedback(
        False,
        _(
            "The second number is off: an unresolved failure's service term is -1. Weigh the "
            "service term by 1 - RESPECT_WEIGHT and the respect term by RESPECT_WEIGHT."
        ),
    )


q2 = Question(
    N_("respect apart from the fix"),
    _check_q2,
    hints=[
        N_(
            "Read serve_customers in crmsim/episodes.py: an episode is (1 - RESPECT_WEIGHT) "
            "times a service term plus RESPECT_WEIGHT times a respect term."
        ),
        N_(
            "A failure that was resolved has the service term RECOVERED_SERVICE; one that was "
            "not has -1. The respect term of an episode without a breach is 2 * respect - 1."
        ),
    ],
    solution=(
        N_(
            "from crmsim.episodes import RECOVERED_SERVICE, RESPECT_WEIGHT\n"
            "def experienced(service_term, respect):\n"
            "    return (1 - RESPECT_WEIGHT) * service_term + RESPECT_WEIGHT * (2 * respect - 1)\n"
            "answer = (experienced(RECOVERED_SERVICE, 0.1), experienced(-1.0, 0.9))"
        )
    ),
)


# --------------------------------------------------------------------------- q3
def _expected_q3() -> float:
    from crmsim import Market

    return Market().complaint_propensity


def _check_q3(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("Give a single number between 0 and 1."))
    expected = _expected_q3()
    if abs(value - expected) < 1e-6:
        return Feedback(
            True,
            _(
                "Yes. The recovery lever only acts on complaints, and most failures are never "
                "complained about: to reach the silent majority the firm must prevent failures "
                "(must-be quality) or find them without waiting to be told."
            ),
        )
    if abs(value - 1.0) < 1e-6:
        return Feedback(
            False,
            _(
                "recovery=1 resolves every *complaint*, but a failure the customer never reports "
                "is never resolved. What share of failures turn into complaints?"
            ),
        )
    if abs(value - 100 * expected) < 1e-6:
        return Feedback(False, _("That looks like a percentage; give a share between 0 and 1."))
    if abs(value - (1 - expected)) < 1e-6:
        return Feedback(
            False,
            _(
                "That is the share of failures that can never be resolved, the complement of what "
                "is asked."
            ),
        )
    return Feedback(
        False,
        _("Not quite. Which failures can the firm resolve at all, and how many of them are there?"),
    )


q3 = Question(
    N_("the ceiling of complaint recovery"),
    _check_q3,
    hints=[
        N_(
            "In serve_customers a failure is resolved only if the customer complained *and* "
            "the recovery draw succeeds."
        ),
        N_(
            "With recovery = 1 the second condition always holds. Which Market field sets the "
            "first?"
        ),
    ],
    solution=(
        N_(
            "from crmsim import Market\n"
            "answer = Market().complaint_propensity  # 1.0 x the complaint share"
        )
    ),
)

# ------------------------------------------------------------------ the seven mistakes
#: The course's seven customer-experience mistakes, each with what crmsim has for it: a
#: lever, a mechanism, or nothing (then the nearest thing and why it falls short).
SEVEN_MISTAKES = {
    N_("not measuring"): (
        "partly",
        N_(
            "the weekly frame counts every failure, complaint and departure and crmsim.analysis "
            "turns them into churn and cohorts; a firm in the model hears only complaints "
            "(Market.complaint_propensity), and no lever finds silent failures"
        ),
    ),
    N_("underestimating emotions"): (
        "partly",
        N_(
            "Policy.respect: the manner of every episode weighs a third of how it feels "
            "(crmsim.episodes.RESPECT_WEIGHT); empathy and an apology are folded into it"
        ),
    ),
    N_("first contact"): (
        "yes",
        N_(
            "a first purchase is an exploration episode, where failure_resilience is 0: an "
            "unresolved failure then ends about half of the relationships; levers "
            "Policy.service (reliability) and Policy.recovery"
        ),
    ),
    N_("robotic staff"): (
        "no",
        N_(
            "no lever; the nearest are the attractive attribute personal_touch and Policy.respect, "
            "neither of which adapts to what each customer knows"
        ),
    ),
    N_("real need"): (
        "no",
        N_(
            "no lever; a customer's only need is an episode that works, and recovery puts a "
            "complained-of failure right or not"
        ),
    ),
    N_("negative wording"): (
        "no",
        N_("no lever; at most part of Policy.respect"),
    ),
    N_("escalating anger"): (
        "partly",
        N_(
            "a customer who complained, was not helped and left is marked angry and speaks against "
            "the firm (crmsim.episodes.failure_defections, lesson 08); Policy.recovery lowers it, "
            "but nothing models calming a customer down"
        ),
    ),
}


def mistakes_table() -> pd.DataFrame:
    """:data:`SEVEN_MISTAKES` as a table: one row per mistake, whether and how crmsim has it.

    In the language in use: in Persian the names, the words and the columns are Persian.

    Examples
    --------
    >>> list(mistakes_table().columns), mistakes_table().loc["robotic staff", "in the model"]
    (['in the model', 'how'], 'no')
    """
    said = {
        "yes": pgettext("in the model", "yes"),
        "partly": pgettext("in the model", "partly"),
        "no": pgettext("in the model", "no"),
    }
    rows = [(_(mistake), said[has], _(how)) for mistake, (has, how) in SEVEN_MISTAKES.items()]
    columns = [_("mistake"), pgettext("in the model", "in the model"), _("how")]
    return pd.DataFrame(rows, columns=columns).set_index(columns[0])


# ------------------------------------------------------------------ first contact
#: The runs of the first-contact section and question 5: the default firm, two seeds pooled,
#: a market large enough for the first-purchase failures to be counted in hundreds.
FIRST_CONTACT = {"n_customers": 20_000, "weeks": 104, "seeds": (6, 7)}
#: When in the relationship a failure happens, in weeks since it began (0: the first purchase).
#: The names are messages: a Persian figure of the table shows them in Persian.
WHEN = {
    N_("first purchase"): (0, 0),
    N_("weeks 1-4"): (1, 4),
    N_("weeks 5-12"): (5, 12),
    N_("weeks 13-25"): (13, 25),
    N_("week 26 on"): (26, 10**6),
}


def _record_failures(model) -> list[pd.DataFrame]:
    from crmsim.stages import CHURN_CAUSES

    left_for_failure = CHURN_CAUSES.index("failure") + 1
    tables: list[pd.DataFrame] = []

    def observe(report: WeekReport) -> None:
        who = report.who("failure")
        if not len(who):
            return
        outcome = report.detail("failure")
        left = report.who("left")[report.detail("left") == left_for_failure]
        kept = ~np.isin(who, report.who("moved"))  # a newcomer holds a mover's row
        tables.append(
            pd.DataFrame(
                {
                    "weeks_in": report.week - model.state.spell_start[who],
                    "resolved": outcome >= 2,
                    "left": np.isin(who, left),
                }
            )[kept]
        )

    with model.subscribe(observe):
        model.run(FIRST_CONTACT["weeks"], progress=False)
    return tables


@lru_cache(maxsize=1)
def failures_by_when() -> pd.DataFrame:
    """Unresolved failures by when they came in the relationship, and the share that ended it.

    Runs the default firm (:data:`FIRST_CONTACT`) and follows every service failure the firm
    did not put right: one row per period of :data:`WHEN`, with ``failures`` (how many) and
    ``left`` (the share after which the customer left, that same week, because of it).

    Examples
    --------
    >>> table = failures_by_when()
    >>> list(table.columns), list(table.index) == list(WHEN)
    (['failures', 'left'], True)
    """
    from crmsim import CRMModel

    tables = []
    for seed in FIRST_CONTACT["seeds"]:
        model = CRMModel(n_customers=FIRST_CONTACT["n_customers"], rng=seed, history=False)
        tables += _record_failures(model)
    failures = pd.concat(tables, ignore_index=True)
    failures = failures[~failures["resolved"]]
    when = pd.Series(pd.NA, index=failures.index, dtype="object")
    for name, (low, high) in WHEN.items():
        when[failures["weeks_in"].between(low, high)] = name
    table = failures.groupby(when)["left"].agg(failures="size", left="mean")
    return table.reindex(list(WHEN))


# ------------------------------------------------------------------ q4: which mistake
MISTAKE_LABELS = tuple(SEVEN_MISTAKES)
#: Other ways of naming the seven mistakes.
MISTAKE_ALIASES = {
    "not measuring the experience": "not measuring",
    "no measurement": "not measuring",
    "measuring": "not measuring",
    "emotions": "underestimating emotions",
    "ignoring emotions": "underestimating emotions",
    "underestimated emotions": "underestimating emotions",
    "getting the first contact wrong": "first contact",
    "first contact wrong": "first contact",
    "wrong first contact": "first contact",
    "first impression": "first contact",
    "robotic": "robotic staff",
    "robot staff": "robotic staff",
    "scripted staff": "robotic staff",
    "not focusing on the real need": "real need",
    "missing the real need": "real need",
    "the real need": "real need",
    "negative language": "negative wording",
    "negative words": "negative wording",
    "anger": "escalating anger",
    "letting anger escalate": "escalating anger",
    "escalation": "escalating anger",
}
SCENES = (
    N_(
        "A hotel has never asked its guests how their stay went and cannot say which parts of a "
        "stay bring them back."
    ),
    N_(
        "A traveller's suitcase is lost on the way to her father's funeral; the agent hands her a "
        "claim form without a word of sympathy."
    ),
    N_("A new customer's first call to the bank rings for twelve minutes before anyone answers."),
    N_(
        "The help desk reads the same script, word for word, to a retired teacher and to a "
        "network engineer."
    ),
    N_(
        "A customer asks for a refund for a broken laptop charger; what she needs is to work "
        "tomorrow, and nobody mentions that a replacement could reach her today."
    ),
    N_(
        "A clerk says 'we can't change bookings online' instead of 'I can change it for you now, "
        "by phone'."
    ),
    N_(
        "A customer raises his voice about a wrong bill; the clerk raises hers back and tells him "
        "it is his own fault."
    ),
)

q4 = Classification(
    N_("which of the seven mistakes"),
    label_checker(
        {
            SCENES[0]: "not measuring",
            SCENES[1]: "underestimating emotions",
            SCENES[2]: "first contact",
            SCENES[3]: "robotic staff",
            SCENES[4]: "real need",
            SCENES[5]: "negative wording",
            SCENES[6]: "escalating anger",
        },
        aliases=MISTAKE_ALIASES,
    ),
    items=SCENES,
    labels=MISTAKE_LABELS,
    aliases=MISTAKE_ALIASES,
    hints=[
        N_("Each scene shows exactly one of the seven mistakes, and each mistake appears once."),
        N_(
            "Ask what the firm got wrong: what it knows, how it made the customer feel, when it "
            "happened, how staff talked, what the customer really wanted, which words were used, "
            "or what happened to the customer's temper."
        ),
    ],
    solution=(
        N_(
            "answer = dict(zip(ex.SCENES, ['not measuring', 'underestimating emotions', "
            "'first contact', 'robotic staff', 'real need', 'negative wording', "
            "'escalating anger']))"
        )
    ),
)


# ------------------------------------------------------------------ q5: the first contact
#: What a failure can show in question 5, as the learner predicts it (it ...).
Q5_CHOICES = (
    N_("ends more relationships at the first purchase"),
    N_("ends more relationships after half a year"),
    N_("ends about as many either way"),
)


def _first_gap() -> float:
    table = failures_by_when()
    return float(table.loc["first purchase", "left"] - table.loc["week 26 on", "left"])


def _q5_outcome(answer) -> str:
    gap = as_number(answer)
    if gap is None or abs(gap) < 0.05:
        return Q5_CHOICES[2]
    return Q5_CHOICES[0] if gap > 0 else Q5_CHOICES[1]


def _check_first_contact(answer: Any) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("give one number: a difference of two shares."))
    table = failures_by_when()
    gap = _first_gap()
    if close_to(gap, rel=1e-6)(value):
        first, late = table.loc["first purchase", "left"], table.loc["week 26 on", "left"]
        return Feedback(
            True,
            _(
                "an unresolved failure at the first purchase ends {first} of the relationships, "
                "one after half a year {late}: a new customer has only the deal to go on, so "
                "the first contact has no goodwill to fall back on."
            ).format(first=format_number(first, ".0%"), late=format_number(late, ".0%")),
        )
    if close_to(-gap, rel=1e-6)(value):
        return Feedback(False, _("right size, wrong sign: first purchase minus week 26 on."))
    if is_percentage_of(value, gap):
        return Feedback(False, _("that looks like percentage points; give it as a share of 1."))
    if close_to(table.loc["first purchase", "left"], rel=1e-6)(value):
        return Feedback(
            False, _("that is the first-purchase share alone; subtract the share of week 26 on.")
        )
    return Feedback(
        False,
        _(
            "not the difference. In `ex.failures_by_when()`, take the 'left' share of the "
            "'first purchase' row minus that of the 'week 26 on' row."
        ),
    )


q5 = Prediction(
    N_("a failure at the first contact"),
    _check_first_contact,
    choices=Q5_CHOICES,
    outcome=_q5_outcome,
    hints=[
        N_(
            "`ex.failures_by_when()` follows every failure the firm did not put right and gives "
            "the share that ended the relationship, by when in the relationship it came."
        ),
        N_("Compare the first row with the last one; then look at the rows in between."),
    ],
    solution=(
        N_(
            "table = ex.failures_by_when()\n"
            "answer = table.loc['first purchase', 'left'] - table.loc['week 26 on', 'left']"
        )
    ),
)


# ------------------------------------------------------------------ q6: what the model lacks
q6 = Discussion(
    N_("a mistake the model cannot make"),
    min_words=70,
    hints=[
        N_("`ex.mistakes_table()` lists the mistakes crmsim has no lever for."),
        N_(
            "A model change needs three things: something stored for each customer or the firm, a "
            "rule that changes it each week, and a lever a student can move."
        ),
    ],
    solution=(
        N_(
            "Take escalating anger. In the model a customer who complained and was not helped, and "
            "then left, is marked angry and speaks against the firm; nothing happens in between, "
            "and nothing the staff do changes how angry a customer is. In reality a tense "
            "complaint can be calmed or made worse, and a customer whose anger grows is the one "
            "who leaves loudly. To add it I would give each customer an anger level that rises "
            "with an unresolved failure and with each further contact that goes badly, and falls "
            "with a calm, respectful answer; a new lever, de-escalation training (costing money "
            "per complaint) would set how often staff calm a customer down. The chance of leaving "
            "after a failure and the chance of speaking against the firm would grow with the anger "
            "level. A run should then show fewer angry leavers and less negative word of mouth at "
            "a higher cost, and the sweep would say when the training pays, as the recovery sweep "
            "does."
        )
    ),
    rubric=(
        N_(
            "- names a mistake the model has no lever for and says what it does to customers in "
            "reality (1 mark)\n"
            "- says what the model does now, or what it folds the mistake into (respect, recovery, "
            "angry leavers) (1 mark)\n"
            "- proposes the change: a state variable, a weekly rule and a lever with a cost (1 "
            "mark)\n"
            "- says what a run should then show, and how one would test it against the present "
            "model (1 mark)"
        )
    ),
)

#: The questions answered by a number or a pair, each with its ``_expected_qN``; q4 to q6 are
#: a classification, a prediction and a discussion.
QUESTIONS = (q1, q2, q3)
