"""Lessons 6-11: exercises accept the right answer, explain typical wrong ones, keep their secrets.

Each checker computes its expected answer from the model (``_expected_qN``); these
tests feed it that answer, then the mistakes a student is likely to make, and ask
for a ``False`` with an explanation that does not give the answer away. Hints must
not print the numeric answer either.
"""

from __future__ import annotations

import importlib
import math
import re

import numpy as np
import pytest

LESSONS = ("06", "07", "08", "09", "10", "11")


def lesson(number: str):
    return importlib.import_module(f"crmsim.exercises.lesson_{number}")


def numbers_in(value) -> list[float]:
    if isinstance(value, bool | np.bool_ | str):
        return []
    if isinstance(value, tuple | list):
        return [x for v in value for x in numbers_in(v)]
    return [float(value)]


def spellings(x: float) -> set[str]:
    """Ways a number could be leaked in a text: 0.386 -> '0.386', '0.39', '38.6 %', '39%' ..."""
    out = set()
    if x == int(x) and abs(x) >= 2:
        return {str(int(x))}
    for digits in (2, 3, 4):
        out.add(f"{x:.{digits}f}")
    if abs(x) <= 1:
        for digits in (0, 1):
            pct = f"{100 * x:.{digits}f}"
            out |= {pct + " %", pct + "%"}
    else:
        out |= {f"{x:.0f}", f"{x:.1f}", f"{x:,.0f}"}
    return {s for s in out if s.strip("0.-% ")}


def leaks(text: str, answer) -> list[str]:
    found = []
    for x in numbers_in(answer):
        for s in spellings(x):
            if re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", text):
                found.append(s)
    return found


def verdict(question, answer):
    return question.checker(answer)


def computed(module):
    """``(number, question)`` of the questions whose answer a ``_expected_qN`` computes; the
    predictions, classifications and discussions are tested in test_lessons_07_10.py."""
    from crmsim.exercises import Question

    return [(i, q) for i, q in enumerate(module.QUESTIONS, 1) if type(q) is Question]


# --------------------------------------------------------------------------- every question
@pytest.mark.parametrize("number", LESSONS)
def test_every_question_accepts_its_expected_answer(number):
    module = lesson(number)
    for i, question in computed(module):
        expected = getattr(module, f"_expected_q{i}")()
        assert question.check(expected, quiet=True), (number, i, expected)


@pytest.mark.parametrize("number", LESSONS)
def test_hints_do_not_reveal_numeric_answers(number):
    module = lesson(number)
    for i, question in computed(module):
        expected = getattr(module, f"_expected_q{i}")()
        for hint in question.hints:
            assert not leaks(hint, expected), (number, i, hint)


@pytest.mark.parametrize("number", LESSONS)
def test_no_answer_yet_is_not_correct(number):
    for question in lesson(number).QUESTIONS:
        assert question.check(..., quiet=True) is False
        assert question.check(None, quiet=True) is False


@pytest.mark.parametrize("number", LESSONS)
def test_nonsense_answers_get_feedback_not_a_crash(number):
    for question in lesson(number).QUESTIONS:
        for nonsense in ("seven", [1, 2, 3, 4, 5], {"a": 1}, float("nan")):
            assert question.check(nonsense, quiet=True) is False


def test_answers_are_read_as_numbers_and_percentages_are_recognised():
    from crmsim.exercises.core import as_number, is_percentage_of

    assert as_number("0.25") == 0.25
    assert as_number(3) == 3.0
    assert as_number("seven") is None
    assert as_number(float("inf")) is None
    assert is_percentage_of(37.0, 0.37)
    assert not is_percentage_of(0.37, 0.37)  # the share itself
    assert not is_percentage_of(37.0, 0.5)


# --------------------------------------------------------------------------- typical mistakes
def _lesson06_mistakes():
    ex = lesson("06")
    f = ex._run_frame()
    rude, kind = ex._expected_q2()
    return [
        (ex.q1, f["complaints"].sum() / f["episodes"].sum(), "denominator"),
        (ex.q1, f["recovered"].sum() / f["complaints"].sum(), "recovery rate"),
        (ex.q1, 100 * ex._expected_q1(), "percentage"),
        (ex.q2, (kind, rude), "order"),
        (ex.q2, (rude + 0.5, kind), "RECOVERED_SERVICE"),
        (ex.q2, (rude + 0.3, kind), "2 * respect - 1"),
        (ex.q3, 1.0, "complaint"),
        (ex.q3, 1 - ex._expected_q3(), "complement"),
    ]


def _lesson07_mistakes():
    ex = lesson("07")
    f = ex._cem_frame()
    trap = ex._trap_model().frame
    return [
        (ex.q1, f["repeat_respect"].sum() / f["repeat_purchases"].sum(), "spend"),
        (ex.q1, f["repeat_spend_respect"].sum() / f["revenue"].sum(), "repeat"),
        (ex.q1, 100 * ex._expected_q1(), "percentage"),
        (ex.q2, "discount", "strength"),
        (ex.q2, "respect", "special"),
        (ex.q3, int(trap["disrespected"].sum()), "breach"),
        (ex.q3, int(trap["lost"].sum()), "cause"),
        *_lesson07_ladder_mistakes(ex),
    ]


def _lesson07_ladder_mistakes(ex):
    from crmsim.analysis import tier_journeys

    curve, within = ex._ladder_curve(), ex.LADDER_RUN["within"]
    journeys = tier_journeys(ex._ladder_model(), "loyal")
    got_there = journeys[journeys["reached"] >= 0]
    among_loyal = ((got_there["reached"] - got_there["first_purchase"]) <= within).mean()
    censored = 1 - (1 - curve["reached"] / curve["at_risk"]).cumprod()
    return [
        (ex.q4, among_loyal, "all customers acquired"),
        (ex.q4, censored.loc[within], "competing event"),
        (ex.q4, 1 - ex._expected_q4(), "not yet"),
        (ex.q4, 100 * ex._expected_q4(), "percentage"),
        (ex.q4, curve["share_reached"].loc[within - 1], "includes week"),
    ]


def _lesson08_mistakes():
    ex = lesson("08")
    from crmsim.referrals import LOYAL_REFERRAL_SHARE

    f = ex._run_frame()
    return [
        (ex.q1, ex._rate(0.0), "without a reward"),
        (ex.q1, ex._rate(ex.MARKETER["referral_reward"], LOYAL_REFERRAL_SHARE), "loyal"),
        (ex.q2, f["referrals_respect"].sum() / f["referrals"].sum(), "respect"),
        (ex.q3, f["referrals"].sum() / f["acquired"].sum(), "first purchase"),
    ]


def _lesson09_mistakes():
    ex = lesson("09")
    from crmsim.winback import ANGRY_ACCEPT_FACTOR

    f = ex._run_frame()
    calm, angry = ex._expected_q2()
    return [
        (ex.q1, ex.LEAVER["trust_knowledge"], "cuts"),
        (ex.q1, 0.0, "nothing"),
        (ex.q2, (angry, calm), "order"),
        (ex.q2, (calm / ex.INTENSITY, angry / ex.INTENSITY), "offer"),
        (ex.q2, (ex._weekly_return(ex.CALM_LEAVER, weeks_away=0), angry), "weeks"),
        (ex.q2, (calm, calm * ANGRY_ACCEPT_FACTOR), "cause"),
        (ex.q3, f["cost_win_back"].sum() / f["win_back_offers"].sum(), "one offer"),
        (ex.q3, f["cost_win_back"].sum(), "whole campaign"),
    ]


def _lesson10_mistakes():
    ex = lesson("10")
    x = np.asarray(ex.SAMPLE)
    n = len(x)
    mean, low, high = ex._expected_q2()
    a, b = np.array(ex._profits("new")), np.array(ex._profits("all"))
    unpaired = math.sqrt(ex.t_half_width(a) ** 2 + ex.t_half_width(b) ** 2)
    return [
        (ex.q1, 1.96 * x.std(ddof=1) / math.sqrt(n), "normal quantile"),
        (ex.q1, 2 * ex._expected_q1(), "full width"),
        (ex.q1, ex._expected_q1() * math.sqrt(n), "square root"),
        (ex.q2, (-mean, -high, -low), "sign"),
        (ex.q2, (mean, mean - unpaired, mean + unpaired), "seed by seed"),
        (ex.q3, not ex._expected_q3(), "interval"),
    ]


def _lesson11_mistakes():
    ex = lesson("11")
    totals = ex._switching()
    gross = totals["won_from_rival"].idxmax()
    firm, net = ex._expected_q1()
    profit, active = ex._expected_q2()
    what_if = ex._what_if_totals().loc["what_if", "profit"]
    before, after = ex._expected_q3()
    return [
        (ex.q1, (gross, int(totals.loc[gross, "won_from_rival"])), "net gain"),
        (ex.q1, (firm, -net), "sign"),
        (ex.q1, ("Nobody & Sons", net), "not a firm"),
        (ex.q2, (-profit, -active), "wrong way round"),
        (ex.q2, (what_if, active), "profit itself"),
        (ex.q2, (profit, active + 50), "last week"),
        (ex.q3, (after, before), "order"),
        (ex.q3, (100 * before, 100 * after), "fractions"),
    ]


MISTAKES = {
    "06": _lesson06_mistakes,
    "07": _lesson07_mistakes,
    "08": _lesson08_mistakes,
    "09": _lesson09_mistakes,
    "10": _lesson10_mistakes,
    "11": _lesson11_mistakes,
}


@pytest.mark.parametrize("number", LESSONS)
def test_typical_mistakes_are_rejected_with_an_explanation(number):
    module = lesson(number)
    for question, wrong, keyword in MISTAKES[number]():
        feedback = verdict(question, wrong)
        assert feedback.correct is False, (question.title, wrong)
        assert keyword.lower() in feedback.message.lower(), (
            question.title,
            keyword,
            feedback.message,
        )
        i = module.QUESTIONS.index(question) + 1
        expected = getattr(module, f"_expected_q{i}")()
        assert not leaks(feedback.message, expected), (question.title, feedback.message)


def test_lesson07_attribution_answer_follows_the_attribution_rule():
    # as in crmsim.attribution: the gift when its goodwill tipped the purchase (same draw,
    # bought with it and not without), else the strongest of the other motives
    ex = lesson("07")
    c = ex.CHANCE
    tipped = c["without_goodwill"] <= c["draw"] < c["with_goodwill"]
    strengths = ex._strengths()
    assert "gift" not in strengths
    assert ex._expected_q2() == ("gift" if tipped else max(strengths, key=strengths.get))
    # the question is built so that the gift tipped a purchase the discount would otherwise win
    assert tipped and max(strengths, key=strengths.get) == "discount"


def test_lesson10_confidence_interval_matches_scipy():
    from scipy import stats

    ex = lesson("10")
    x = np.asarray(ex.SAMPLE)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert math.isclose(ex._expected_q1(), (high - low) / 2, rel_tol=1e-9)
