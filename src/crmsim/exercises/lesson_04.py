"""Exercises for lesson 04, customer expectations: the Kano model.

Question 1 is a small Kano survey. Each simulated respondent answers the two
classic questions about a feature (Kano et al. 1984; Berger et al. 1993):

* functional: "how do you feel if the feature is there?"
* dysfunctional: "how do you feel if it is not?"

on the scale like / expect / neutral / tolerate / dislike. The pair of answers
is classified with the Kano evaluation table (:data:`EVALUATION`), and a
feature's category is the most frequent class among respondents.

Examples
--------
>>> from crmsim.exercises import lesson_04 as ex
>>> ex.classify("like", "dislike")
'performance'
>>> ex.classify("neutral", "dislike")
'must-be'
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crmsim import CRMModel, Policy
from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_float,
    as_number,
    close_to,
    label_checker,
)
from crmsim.i18n import N_, _, format_number
from crmsim.kano import kano_curve
from crmsim.levers import KANO_CATEGORIES, default_service
from crmsim.terms import answer_name

ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")

#: Kano evaluation table: rows are the functional answer, columns the dysfunctional one.
#: "questionable" marks contradictory pairs (liking both the feature and its absence).
_TABLE = {
    "like": ("questionable", "attractive", "attractive", "attractive", "performance"),
    "expect": ("reverse", "indifferent", "indifferent", "indifferent", "must-be"),
    "neutral": ("reverse", "indifferent", "indifferent", "indifferent", "must-be"),
    "tolerate": ("reverse", "indifferent", "indifferent", "indifferent", "must-be"),
    "dislike": ("reverse", "reverse", "reverse", "reverse", "questionable"),
}
EVALUATION = pd.DataFrame(_TABLE, index=list(ANSWERS)).T.rename_axis(
    index="functional", columns="dysfunctional"
)


def classify(functional: str, dysfunctional: str) -> str:
    """The Kano class of one respondent's pair of answers."""
    return str(EVALUATION.loc[functional, dysfunctional])


# ---------------------------------------------------------------- q1: a Kano survey
#: The hidden category of each surveyed feature of a food-delivery app.
_FEATURES = {
    "A": "attractive",
    "B": "must-be",
    "C": "indifferent",
    "D": "reverse",
    "E": "performance",
}
#: How someone who sees a feature as each category typically answers (functional, dysfunctional).
_TYPICAL = {
    "must-be": [("neutral", "dislike"), ("expect", "dislike"), ("tolerate", "dislike")],
    "performance": [("like", "dislike")],
    "attractive": [("like", "neutral"), ("like", "tolerate"), ("like", "expect")],
    "reverse": [("dislike", "like"), ("tolerate", "like"), ("neutral", "like")],
    "indifferent": [("neutral", "neutral"), ("tolerate", "neutral"), ("neutral", "tolerate")],
}
SURVEY_SEED = 84
RESPONDENTS = 60
NOISE = 0.35  # share of answers that come from a respondent who sees the feature differently


def survey(
    seed: int = SURVEY_SEED, respondents: int = RESPONDENTS, noise: float = NOISE
) -> pd.DataFrame:
    """Simulated answers to a Kano questionnaire about five features labelled A-E.

    Returns one row per respondent and feature with columns ``respondent``, ``feature``,
    ``functional`` and ``dysfunctional``. Most respondents see each feature as its hidden
    category; a share ``noise`` see it as some other category, as in any real survey.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for feature, category in _FEATURES.items():
        for person in range(respondents):
            seen = category if rng.random() >= noise else str(rng.choice(KANO_CATEGORIES))
            options = _TYPICAL[seen]
            functional, dysfunctional = options[rng.integers(len(options))]
            rows.append((person, feature, functional, dysfunctional))
    return pd.DataFrame(rows, columns=["respondent", "feature", "functional", "dysfunctional"])


_ALIASES = {
    "mustbe": "must-be",
    "must": "must-be",
    "one-dimensional": "performance",
    "onedimensional": "performance",
    "delighter": "attractive",
    "delight": "attractive",
}


def _normalise(label) -> str:
    text = str(label).strip().lower().replace("_", "-").replace(" ", "-")
    # the course's Persian names too: "اجباری", "ویژگی‌های جذاب"
    return answer_name("kano", label, _ALIASES.get(text, text))


def _read_categories(answer):
    """Each feature's category as its code name (what the checker and the answer key read)."""
    if not isinstance(answer, dict):
        return answer
    return {feature: _normalise(label) for feature, label in answer.items()}


@lru_cache(maxsize=1)
def _survey_categories() -> dict[str, str]:
    answers = survey()
    answers["class"] = [
        classify(f, d) for f, d in zip(answers["functional"], answers["dysfunctional"], strict=True)
    ]
    return answers.groupby("feature")["class"].agg(lambda s: s.value_counts().idxmax()).to_dict()


def class_counts(answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many respondents' answer pairs fall in each Kano class, per feature.

    Each respondent's pair of answers (functional, dysfunctional) is classified with the
    evaluation table (:func:`classify`) and the classes are counted: one row per feature,
    one column per class (the five categories, and "questionable" for contradictory pairs).

    Parameters
    ----------
    answers : pandas.DataFrame, optional
        Survey answers with columns ``feature``, ``functional`` and ``dysfunctional``;
        :func:`survey` by default.

    Examples
    --------
    >>> counts = class_counts()
    >>> list(counts.index), int(counts.sum(axis=1).iloc[0]) == RESPONDENTS
    (['A', 'B', 'C', 'D', 'E'], True)
    """
    answers = survey() if answers is None else answers
    classes = [
        classify(f, d) for f, d in zip(answers["functional"], answers["dysfunctional"], strict=True)
    ]
    counts = pd.crosstab(answers["feature"].to_numpy(), np.asarray(classes))
    columns = [c for c in (*KANO_CATEGORIES, "questionable") if c in counts.columns]
    return counts[columns].rename_axis(index="feature", columns="class")


def _check_survey(answer) -> Feedback:
    if not isinstance(answer, dict):
        return Feedback(
            False,
            _("give a dict mapping each feature letter to its category, e.g. {'A': ..., ...}."),
        )
    expected = _survey_categories()
    given = {str(k).strip().upper(): _normalise(v) for k, v in answer.items()}
    missing = sorted(set(expected) - set(given))
    if missing:
        return Feedback(
            False, _("feature(s) {missing} have no category yet.").format(missing=missing)
        )
    unknown = sorted({v for v in given.values() if v not in KANO_CATEGORIES})
    if unknown:
        return Feedback(
            False,
            _("{unknown} is not a Kano category; use one of {categories}.").format(
                unknown=unknown, categories=list(KANO_CATEGORIES)
            ),
        )
    wrong = [k for k in sorted(expected) if given[k] != expected[k]]
    if not wrong:
        return Feedback(
            True,
            _(
                "each feature's most frequent class in the evaluation table is its category, "
                "even though many single answers pointed elsewhere."
            ),
        )
    k = wrong[0]
    return Feedback(
        False,
        _(
            "{count} feature(s) misclassified, among them {feature}. Look at {feature}'s row of "
            "`ex.class_counts()`: a feature's category is its most frequent class among all the "
            "respondents, not what one answer, or the first few, suggest."
        ).format(count=format_number(len(wrong)), feature=repr(k)),
    )


q1 = Question(
    N_("classify features from a Kano survey"),
    _check_survey,
    hints=[
        N_(
            "`ex.classify(functional, dysfunctional)` turns one respondent's pair of answers into "
            "a class; `ex.class_counts()` does it for every respondent and counts the classes."
        ),
        N_(
            "In each row of `ex.class_counts()`, the column with the largest count is the "
            "feature's category (`.idxmax(axis=1)` finds it)."
        ),
    ],
    solution=(N_("answer = ex.class_counts().idxmax(axis=1).to_dict()")),
    reader=_read_categories,
)


# ---------------------------------------------------------------- q2: where the curves are steep
def _gains(low: float, high: float) -> tuple[float, float]:
    must = float(kano_curve("must-be", high) - kano_curve("must-be", low))
    attractive = float(kano_curve("attractive", high) - kano_curve("attractive", low))
    return must, attractive


def _check_gains(answer) -> Feedback:
    try:
        must, attractive = (as_float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False,
            _(
                "give a pair of numbers: (gain of the must-be attribute, gain of the attractive "
                "one)."
            ),
        )
    expected = _gains(0.9, 1.0)
    if close_to(expected[0], rel=1e-6)(must) and close_to(expected[1], rel=1e-6)(attractive):
        return Feedback(
            True,
            _(
                "near the top, perfecting a must-be attribute is barely noticed, while an "
                "attractive one delights. At the bottom it is the other way round: try 0 -> 0.1."
            ),
        )
    if close_to(expected[1], rel=1e-6)(must) and close_to(expected[0], rel=1e-6)(attractive):
        return Feedback(False, _("the two numbers are swapped: must-be first, attractive second."))
    low_end = _gains(0.0, 0.1)
    if close_to(low_end[0], rel=1e-6)(must) and close_to(low_end[1], rel=1e-6)(attractive):
        return Feedback(
            False,
            _(
                "those are the gains at the bottom of the scale (0 -> 0.1). The question "
                "asks about the top."
            ),
        )
    if close_to(-expected[0], rel=1e-6)(must) or close_to(-expected[1], rel=1e-6)(attractive):
        return Feedback(
            False, _("a gain is the satisfaction *after* minus the satisfaction *before*.")
        )
    return Feedback(
        False,
        _(
            "not the two gains. For each category take `kano_curve(category, 1.0)` "
            "minus `kano_curve(category, 0.9)`."
        ),
    )


q2 = Question(
    N_("the last step to perfection"),
    _check_gains,
    hints=[
        N_(
            "`crmsim.kano.kano_curve(category, fulfilment)` gives satisfaction at a fulfilment "
            "level."
        ),
        N_(
            "A gain is satisfaction at the higher level minus satisfaction at the lower one; do "
            "it for 'must-be' and for 'attractive'."
        ),
    ],
    solution=(
        N_(
            "from crmsim.kano import kano_curve\n"
            "answer = (kano_curve('must-be', 1.0) - kano_curve('must-be', 0.9),\n"
            "          kano_curve('attractive', 1.0) - kano_curve('attractive', 0.9))"
        )
    ),
)


# ---------------------------------------------------------------- q3: the indifferent attribute
#: The runs of question 3: the default service, with and without spending on the logo's colour.
Q3_RUN = {"n_customers": 2_000, "weeks": 104, "rng": 0}


def service_levels(**changes: float) -> dict[str, float]:
    """The default service levels, with some changed: ``service_levels(logo_colour=0.0)``."""
    return {name: attr.level for name, attr in default_service().items()} | changes


@lru_cache(maxsize=2)
def _run(logo_colour: float) -> CRMModel:
    policy = Policy(service=service_levels(logo_colour=logo_colour))
    model = CRMModel(n_customers=Q3_RUN["n_customers"], policy=policy, rng=Q3_RUN["rng"])
    model.run(Q3_RUN["weeks"], progress=False)
    return model


def _check_logo(answer) -> Feedback:
    with_logo, without = _run(default_service()["logo_colour"].level).frame, _run(0.0).frame
    gain = without["profit"].sum() - with_logo["profit"].sum()
    if close_to(gain, rel=1e-6)(answer):
        same = bool((with_logo["active"].to_numpy() == without["active"].to_numpy()).all())
        # two whole sentences, not one sentence with a part swapped: a translation may need
        # to change the rest of it too
        if same:
            note = _(
                "every customer behaved exactly as before: the money spent on an indifferent "
                "attribute bought nothing."
            )
        else:
            note = _(
                "customers barely noticed: the money spent on an indifferent attribute bought "
                "nothing."
            )
        return Feedback(True, note)
    if close_to(-gain, rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "right size, wrong sign: the question asks for profit without the spending "
                "minus profit with it."
            ),
        )
    if close_to(default_service()["logo_colour"].level, rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "that is the saving on *one* episode (per unit of service cost). Over two "
                "years the firm serves many thousands of episodes; compare the runs' total profit."
            ),
        )
    if close_to(without["revenue"].sum() - with_logo["revenue"].sum(), abs_=1e-6)(answer):
        return Feedback(
            False,
            _(
                "that is the change in revenue, and it is the point of the exercise: "
                "customers did not notice. Now compare profit."
            ),
        )
    return Feedback(
        False,
        _(
            "not the change in total profit. Run the default service and the same service "
            "with `logo_colour=0.0` (same seed and size) and subtract their summed `profit`."
        ),
    )


q3 = Question(
    N_("money spent where customers do not care"),
    _check_logo,
    hints=[
        N_(
            "`ex.service_levels(logo_colour=0.0)` gives the default levels with the logo's colour "
            "not paid for; "
            "pass it as `Policy(service=...)`."
        ),
        N_(
            "Keep the seed, the size and the weeks the same in both runs, so the only difference "
            "is the spending."
        ),
    ],
    solution=(
        N_(
            "profit = {}\n"
            "for level in (0.5, 0.0):\n"
            "    model = CRMModel(n_customers=2_000, "
            "policy=Policy(service=ex.service_levels(logo_colour=level)), rng=0)\n"
            "    model.run(104)\n"
            "    profit[level] = model.frame['profit'].sum()\n"
            "answer = profit[0.0] - profit[0.5]"
        )
    ),
)

# ---------------------------------------------------------------- q4: classify in Kano's terms
#: Other names the Kano literature uses for the model's five categories.
KANO_ALIASES = {
    "mustbe": "must-be",
    "must have": "must-be",
    "basic": "must-be",
    "basic need": "must-be",
    "expected": "must-be",
    "one-dimensional": "performance",
    "onedimensional": "performance",
    "linear": "performance",
    "delighter": "attractive",
    "delight": "attractive",
    "excitement": "attractive",
    "reversed": "reverse",
    "indifference": "indifferent",
    "neutral": "indifferent",
}

#: Everyday features to sort into the Kano categories.
KANO_ITEMS = (
    N_("hours a phone's battery lasts on one charge"),
    N_("a free protective case in a new phone's box"),
    N_("clean sheets on a hotel bed"),
    N_("pop-up adverts inside an app you paid for"),
    N_("the colour of the envelopes a bank posts statements in"),
    N_("the speed of a hotel's Wi-Fi"),
    N_("a handwritten welcome note from the hotel's manager"),
    N_("a phone that turns on when its power button is pressed"),
)

q4 = Classification(
    N_("Kano categories of everyday features"),
    label_checker(
        {
            KANO_ITEMS[0]: "performance",
            KANO_ITEMS[1]: "attractive",
            KANO_ITEMS[2]: "must-be",
            KANO_ITEMS[3]: "reverse",
            KANO_ITEMS[4]: "indifferent",
            KANO_ITEMS[5]: "performance",
            KANO_ITEMS[6]: "attractive",
            KANO_ITEMS[7]: "must-be",
        },
        aliases=KANO_ALIASES,
    ),
    items=KANO_ITEMS,
    labels=KANO_CATEGORIES,
    aliases=KANO_ALIASES,
    kind="kano",
    hints=[
        N_(
            "Ask Kano's two questions of each feature: how does a typical customer feel if it is "
            "there, and how if it is missing? Then read the answer off the lesson's table."
        ),
        N_(
            "Something nobody praises but everyone misses is must-be; something whose every extra "
            "bit pleases is performance; a pleasant surprise nobody asked for is attractive; "
            "something whose presence annoys is reverse."
        ),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    \"hours a phone's battery lasts on one charge\": 'performance',\n"
            "    \"a free protective case in a new phone's box\": 'attractive',\n"
            "    'clean sheets on a hotel bed': 'must-be',\n"
            "    'pop-up adverts inside an app you paid for': 'reverse',\n"
            "    'the colour of the envelopes a bank posts statements in': 'indifferent',\n"
            "    \"the speed of a hotel's Wi-Fi\": 'performance',\n"
            "    \"a handwritten welcome note from the hotel's manager\": 'attractive',\n"
            "    'a phone that turns on when its power button is pressed': 'must-be',\n"
            "}"
        )
    ),
)


# ---------------------------------------------------------------- q5: which cut hurts more
#: The runs of question 5: default service with one attribute lowered by 0.2, on three seeds;
#: keyed streams give each person the same luck under both cuts.
Q5_RUN = {"n_customers": 5_000, "weeks": 104, "seeds": (0, 1, 2), "streams": "keyed"}
#: The two cuts of question 5, each saving 0.2 of service level on every episode.
Q5_CUTS = {"reliability": 0.6, "personal_touch": 0.1}


@lru_cache(maxsize=8)
def _kept(changes: tuple[tuple[str, float], ...]) -> float:
    kept = []
    for seed in Q5_RUN["seeds"]:
        model = CRMModel(
            n_customers=Q5_RUN["n_customers"],
            policy=Policy(service=service_levels(**dict(changes))),
            rng=seed,
            streams=Q5_RUN["streams"],
            history=False,
        )
        model.run(Q5_RUN["weeks"], progress=False)
        kept.append(int(model.frame["active"].iloc[-1]))
    return float(np.mean(kept))


def customers_kept(**changes: float) -> float:
    """Active customers after two years, averaged over question 5's seeds.

    The default service with the levels in ``changes`` (``customers_kept(reliability=0.6)``),
    ``Q5_RUN["n_customers"]`` people, ``Q5_RUN["weeks"]`` weeks, one run per seed in
    ``Q5_RUN["seeds"]`` with keyed random streams, so the same people meet the same luck
    whatever the service.
    """
    return _kept(tuple(sorted(changes.items())))


def _cut_gap() -> float:
    return customers_kept(personal_touch=Q5_CUTS["personal_touch"]) - customers_kept(
        reliability=Q5_CUTS["reliability"]
    )


#: What the firm of question 5 can show, as the learner predicts it (it ...).
Q5_CHOICES = (
    N_("loses more customers with the reliability cut"),
    N_("loses more customers with the personal-touch cut"),
    N_("loses about as many either way"),
)


def _q5_outcome(answer) -> str:
    gap = as_number(answer)
    if gap is None or abs(gap) < 50:
        return Q5_CHOICES[2]
    return Q5_CHOICES[0] if gap > 0 else Q5_CHOICES[1]


def _check_cut(answer) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(
            False,
            _(
                "give one number: customers kept after the personal-touch cut minus customers "
                "kept after the reliability cut."
            ),
        )
    gap = _cut_gap()
    if close_to(gap, rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "the reliability cut costs about {gap} more customers than the cut in personal "
                "touch, for the same saving: a must-be attribute that slips makes episodes fail, "
                "and a failure can end a young relationship, while a smaller delight is merely "
                "missed."
            ).format(gap=format_number(gap, ".0f")),
        )
    if close_to(-gap, rel=1e-6)(value):
        return Feedback(
            False, _("right size, wrong sign: personal-touch cut minus reliability cut.")
        )
    default = customers_kept()
    if close_to(default - customers_kept(reliability=Q5_CUTS["reliability"]), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "that compares the reliability cut with the default service; the question sets the "
                "two cuts against each other."
            ),
        )
    return Feedback(
        False,
        _(
            "not the difference. Take `ex.customers_kept(personal_touch=0.1)` and "
            "`ex.customers_kept(reliability=0.6)` and subtract the second from the first."
        ),
    )


q5 = Prediction(
    N_("cut a must-be or an attractive attribute?"),
    _check_cut,
    choices=Q5_CHOICES,
    outcome=_q5_outcome,
    hints=[
        N_(
            "`ex.customers_kept(**levels)` runs the default service with the levels you change and "
            "returns the customers still active after two years (mean of three seeds)."
        ),
        N_(
            "Both cuts save 0.2 of service level on every episode; only where the saving is made "
            "differs."
        ),
    ],
    solution=(
        N_("answer = ex.customers_kept(personal_touch=0.1) - ex.customers_kept(reliability=0.6)")
    ),
)


# ---------------------------------------------------------------- q6: features that drift
q6 = Discussion(
    N_("when a delight becomes the minimum"),
    min_words=60,
    hints=[
        N_(
            "Think of the touch screen: what did a phone without one feel like in 2008, and what "
            "would it feel like today?"
        ),
        N_(
            "Which of the model's attributes would have to change category over the weeks, and "
            "what would happen to a firm that keeps its levels fixed?"
        ),
    ],
    solution=(
        N_(
            "Categories are not fixed. A feature that delights when it is new (the touch screen) "
            "is soon compared across brands, so it behaves like a performance feature, and once "
            "every rival has it customers simply expect it: it is must-be. A firm that keeps "
            "spending the same amount on it gets less and less satisfaction for the money and, if "
            "it lets it slip, is punished as for any missing basic. So a firm must keep asking "
            "its customers (repeat the Kano survey every year or two), look for the next delight, "
            "and treat yesterday's delights as the floor. In crmsim each attribute keeps its "
            "category for the whole run and every customer sees it the same way, so the drift "
            "cannot be seen; to show it one would let an attribute's category (or its curve) "
            "change with the week, or with how many rivals offer it."
        )
    ),
    rubric=(
        N_(
            "- says a feature's category changes over time, from attractive towards performance "
            "and must-be, with an example such as the touch screen (1 mark)\n"
            "- explains what that means for spending: the same level buys less delight, and a "
            "shortfall turns into dissatisfaction (1 mark)\n"
            "- draws a practical conclusion: survey customers again, look for new delights, keep "
            "the floor in place (1 mark)\n"
            "- notes that crmsim fixes each attribute's category for the whole run and for "
            "everyone, and says how the model could be extended to show the drift (1 mark)"
        )
    ),
)

__all__ = [
    "ANSWERS",
    "EVALUATION",
    "KANO_ALIASES",
    "KANO_ITEMS",
    "Q3_RUN",
    "Q5_CHOICES",
    "Q5_CUTS",
    "Q5_RUN",
    "class_counts",
    "classify",
    "customers_kept",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "service_levels",
    "survey",
]
