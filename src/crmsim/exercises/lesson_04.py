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
from crmsim.exercises.core import Feedback, Question, close_to
from crmsim.kano import kano_curve
from crmsim.levers import KANO_CATEGORIES, default_service

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
    return _ALIASES.get(text, text)


@lru_cache(maxsize=1)
def _survey_categories() -> dict[str, str]:
    answers = survey()
    answers["class"] = [
        classify(f, d) for f, d in zip(answers["functional"], answers["dysfunctional"], strict=True)
    ]
    return answers.groupby("feature")["class"].agg(lambda s: s.value_counts().idxmax()).to_dict()


def _check_survey(answer) -> Feedback:
    if not isinstance(answer, dict):
        return Feedback(
            False, "give a dict mapping each feature letter to its category, e.g. {'A': ..., ...}."
        )
    expected = _survey_categories()
    given = {str(k).strip().upper(): _normalise(v) for k, v in answer.items()}
    missing = sorted(set(expected) - set(given))
    if missing:
        return Feedback(False, f"feature(s) {missing} have no category yet.")
    unknown = sorted({v for v in given.values() if v not in KANO_CATEGORIES})
    if unknown:
        return Feedback(
            False, f"{unknown} is not a Kano category; use one of {list(KANO_CATEGORIES)}."
        )
    wrong = [k for k in sorted(expected) if given[k] != expected[k]]
    if not wrong:
        return Feedback(
            True,
            "each feature's most frequent class in the evaluation table is its category, "
            "even though many single answers pointed elsewhere.",
        )
    k = wrong[0]
    return Feedback(
        False,
        f"{len(wrong)} feature(s) misclassified, among them {k!r}. Classify every "
        f"respondent's pair of answers for {k!r} with the evaluation table and take the most "
        "frequent class, rather than looking at one answer alone.",
    )


q1 = Question(
    "classify features from a Kano survey",
    _check_survey,
    hints=[
        "`ex.classify(functional, dysfunctional)` turns one respondent's pair of answers into "
        "a class.",
        "Add a `class` column to the survey, then `groupby('feature')` and take each feature's "
        "most "
        "frequent class (`value_counts().idxmax()`).",
    ],
    solution=(
        "answers = ex.survey()\n"
        "answers['class'] = [ex.classify(f, d) for f, d in zip(answers['functional'], "
        "answers['dysfunctional'])]\n"
        "answer = answers.groupby('feature')['class'].agg(lambda s: "
        "s.value_counts().idxmax()).to_dict()"
    ),
)


# ---------------------------------------------------------------- q2: where the curves are steep
def _gains(low: float, high: float) -> tuple[float, float]:
    must = float(kano_curve("must-be", high) - kano_curve("must-be", low))
    attractive = float(kano_curve("attractive", high) - kano_curve("attractive", low))
    return must, attractive


def _check_gains(answer) -> Feedback:
    try:
        must, attractive = (float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False,
            "give a pair of numbers: (gain of the must-be attribute, gain of the attractive one).",
        )
    expected = _gains(0.9, 1.0)
    if close_to(expected[0], rel=1e-6)(must) and close_to(expected[1], rel=1e-6)(attractive):
        return Feedback(
            True,
            "near the top, perfecting a must-be attribute is barely noticed, while an "
            "attractive one delights. At the bottom it is the other way round: try 0 -> 0.1.",
        )
    if close_to(expected[1], rel=1e-6)(must) and close_to(expected[0], rel=1e-6)(attractive):
        return Feedback(False, "the two numbers are swapped: must-be first, attractive second.")
    low_end = _gains(0.0, 0.1)
    if close_to(low_end[0], rel=1e-6)(must) and close_to(low_end[1], rel=1e-6)(attractive):
        return Feedback(
            False,
            "those are the gains at the bottom of the scale (0 -> 0.1). The question "
            "asks about the top.",
        )
    if close_to(-expected[0], rel=1e-6)(must) or close_to(-expected[1], rel=1e-6)(attractive):
        return Feedback(
            False, "a gain is the satisfaction *after* minus the satisfaction *before*."
        )
    return Feedback(
        False,
        "not the two gains. For each category take `kano_curve(category, 1.0)` "
        "minus `kano_curve(category, 0.9)`.",
    )


q2 = Question(
    "the last step to perfection",
    _check_gains,
    hints=[
        "`crmsim.kano.kano_curve(category, fulfilment)` gives satisfaction at a fulfilment level.",
        "A gain is satisfaction at the higher level minus satisfaction at the lower one; do it for "
        "'must-be' and for 'attractive'.",
    ],
    solution=(
        "from crmsim.kano import kano_curve\n"
        "answer = (kano_curve('must-be', 1.0) - kano_curve('must-be', 0.9),\n"
        "          kano_curve('attractive', 1.0) - kano_curve('attractive', 0.9))"
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
        note = "every customer behaved exactly as before" if same else "customers barely noticed"
        return Feedback(
            True, f"{note}: the money spent on an indifferent attribute bought nothing."
        )
    if close_to(-gain, rel=1e-6)(answer):
        return Feedback(
            False,
            "right size, wrong sign: the question asks for profit without the spending "
            "minus profit with it.",
        )
    if close_to(default_service()["logo_colour"].level, rel=1e-6)(answer):
        return Feedback(
            False,
            "that is the saving on *one* episode (per unit of service cost). Over two "
            "years the firm serves many thousands of episodes; compare the runs' total profit.",
        )
    if close_to(without["revenue"].sum() - with_logo["revenue"].sum(), abs_=1e-6)(answer):
        return Feedback(
            False,
            "that is the change in revenue, and it is the point of the exercise: "
            "customers did not notice. Now compare profit.",
        )
    return Feedback(
        False,
        "not the change in total profit. Run the default service and the same service "
        "with `logo_colour=0.0` (same seed and size) and subtract their summed `profit`.",
    )


q3 = Question(
    "money spent where customers do not care",
    _check_logo,
    hints=[
        "`ex.service_levels(logo_colour=0.0)` gives the default levels with the logo's colour "
        "not paid for; "
        "pass it as `Policy(service=...)`.",
        "Keep the seed, the size and the weeks the same in both runs, so the only difference "
        "is the spending.",
    ],
    solution=(
        "profit = {}\n"
        "for level in (0.5, 0.0):\n"
        "    model = CRMModel(n_customers=2_000, "
        "policy=Policy(service=ex.service_levels(logo_colour=level)), rng=0)\n"
        "    model.run(104)\n"
        "    profit[level] = model.frame['profit'].sum()\n"
        "answer = profit[0.0] - profit[0.5]"
    ),
)

__all__ = [
    "ANSWERS",
    "EVALUATION",
    "Q3_RUN",
    "classify",
    "q1",
    "q2",
    "q3",
    "service_levels",
    "survey",
]
