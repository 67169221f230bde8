"""Lessons 08-11's exercises in Persian: every message has its translation, every question speaks
Persian when Persian is in use, and English is as it was.

The messages are found as Babel's extractor finds them (the ``N_`` texts of titles, hints and
solutions, the ``_`` feedback of the checkers), so a text added to a lesson without its Persian
fails here. The questions that run models reuse the lessons' own cached runs.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from catalogs import extracted, persian_text, singular

from crmsim.exercises import Classification, Discussion, Prediction, Question
from crmsim.i18n import _, language

LESSONS = ("08", "09", "10", "11")
SOURCE = Path(importlib.import_module("crmsim.exercises").__file__).parent
#: Letters of the Arabic script (Persian text), not digits alone.
PERSIAN_LETTERS = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def lesson(number: str):
    return importlib.import_module(f"crmsim.exercises.lesson_{number}")


def persian(text: str) -> bool:
    return bool(PERSIAN_LETTERS.search(text))


def printed(call, *args: Any) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call(*args)
    return out.getvalue()


def questions() -> list[tuple[str, str, Question]]:
    """``(lesson, name, question)`` for every ``qN`` of lessons 08-11."""
    found = []
    for number in LESSONS:
        module = lesson(number)
        names = sorted(
            (n for n in vars(module) if re.fullmatch(r"q\d+", n)), key=lambda n: int(n[1:])
        )
        found += [(number, name, getattr(module, name)) for name in names]
    return found


QUESTIONS = questions()
IDS = [f"{number}.{name}" for number, name, _question in QUESTIONS]


def right_answer(number: str, name: str, question: Question) -> Any:
    """What the existing tests feed as the right answer: the computed one, the classification
    the worked solution builds, or the discussion's model answer."""
    module = lesson(number)
    if isinstance(question, Discussion):
        return question.solution_text
    if isinstance(question, Classification):
        scope: dict[str, Any] = {}
        exec(question.solution_text, {"ex": module}, scope)
        return scope["answer"]
    return getattr(module, f"_expected_{name}")()


def wrong_answer(answer: Any) -> Any:
    """A right answer made wrong in its numbers (names and verdicts kept), so that the checker
    explains what is off rather than refusing the form of the answer."""
    if isinstance(answer, bool | str):
        return answer
    if isinstance(answer, tuple | list):
        return tuple(wrong_answer(part) for part in answer)
    return float(answer) * 3 + 1_017


# --------------------------------------------------------------------------- the catalog
@pytest.mark.parametrize("number", LESSONS)
def test_every_message_of_the_lesson_has_its_persian_with_the_same_placeholders(number):
    messages = extracted([SOURCE / f"lesson_{number}.py"])
    assert len(messages) > 30, "the lesson's texts are marked for the catalog"
    for _path, line, context, message in messages:
        msgid = singular(message)
        translation = persian_text(context, msgid)
        assert translation, (number, line, msgid)
        assert persian(translation), (number, line, translation)
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(msgid)), (
            number,
            line,
        )


@pytest.mark.parametrize("number", LESSONS)
def test_code_in_a_solution_is_kept_as_it_is(number):
    for question in lesson(number).QUESTIONS:
        if isinstance(question, Discussion):
            continue  # a model answer is prose
        translated = persian_text(None, question.solution_text).split("\n")
        for line in question.solution_text.split("\n"):
            assert line in translated, (question.title, line)


# --------------------------------------------------------------------------- in Persian
@pytest.mark.parametrize(("number", "name", "question"), QUESTIONS, ids=IDS)
def test_hint_solution_and_check_speak_persian(number, name, question):
    with language("fa"):
        title = _(question.title)
        assert title != question.title and persian(title)
        saved = question._hints_shown
        try:
            for text in (
                printed(question.hint),
                printed(question.solution),
                printed(question.check, None),
            ):
                assert persian(text) and title in text, text
        finally:
            question._hints_shown = saved
        for text in (*question.hints, getattr(question, "rubric", "")):
            assert not text or persian(_(text)), text


@pytest.mark.parametrize(("number", "name", "question"), QUESTIONS, ids=IDS)
def test_options_shown_to_the_learner_have_their_persian(number, name, question):
    texts = [
        *getattr(question, "items", ()),
        *getattr(question, "labels", ()),
        *(getattr(question, "choices", ()) if number == "10" else ()),  # the others: core's
    ]
    with language("fa"):
        for text in texts:
            assert persian(_(text)), text


@pytest.mark.parametrize(("number", "name", "question"), QUESTIONS, ids=IDS)
def test_right_answer_is_correct_in_persian_and_wrong_one_explained_in_persian(
    number, name, question
):
    answer = right_answer(number, name, question)
    with language("fa"):
        if isinstance(question, Prediction):
            printed(question.predict, question.choices[0])
        try:
            text = printed(question.check, answer)
            assert text.startswith("درست است"), text
            if type(question) in (Question, Prediction):  # the lesson's own checker speaks
                assert persian(question.checker(question.canonical(answer)).message)
                wrong = question.checker(question.canonical(wrong_answer(answer)))
                assert not wrong.correct and persian(wrong.message), wrong.message
                refused = question.checker("seven")
                assert not refused.correct and persian(refused.message), refused.message
        finally:
            if isinstance(question, Prediction):
                question.prediction = None


def test_typical_mistakes_are_explained_in_persian_with_numbers_in_persian_digits():
    ex9, ex10 = lesson("09"), lesson("10")
    calm, angry = ex9._expected_q2()
    with language("fa"):
        right = ex9.q2.checker((calm, angry)).message
        assert persian(right) and not re.search("[0-9]", right)  # the ratio in Persian digits
        for wrong in ((calm * 3, angry), (calm, angry * 3), (calm * 3, angry * 3)):
            message = ex9.q2.checker(wrong).message
            assert persian(message) and "winback.acceptance" in message, message
        mean, low, high = ex10._expected_q2()
        message = ex10.q2.checker((mean, low, high)).message
        assert message.startswith("درست است") and persian(message)
        firms = ex10.q2.checker((mean * 5, low, high)).message
        assert "Policy(discount=0.1, discount_target=...)" in firms  # code stays code
        assert "۵۰۰" in firms and "500" not in firms.replace("0.1", "")


# --------------------------------------------------------------------------- English as before
def test_english_output_is_unchanged():
    ex8, ex9, ex10, ex11 = (lesson(n) for n in LESSONS)
    ex8.q1._hints_shown = 0
    assert printed(ex8.q1.hint) == (
        "Hint — a marketer's weekly referral rate: referral_rate in crmsim/referrals.py: a base "
        "rate times sociability times a reward factor, times a tier share.\n"
    )
    ex8.q1._hints_shown = 0
    assert printed(ex8.q1.check, None) == (
        "Not yet — a marketer's weekly referral rate: No answer yet: replace the ____ or ... "
        "with your answer.\n"
    )
    assert ex8.q2.checker("many").message == "Give one number: a share between 0 and 1."
    calm, angry = ex9._expected_q2()
    assert ex9.q2.checker((calm * 3, angry * 3)).message == (
        "The calm leaver's probability is off and the angry leaver's probability is off: "
        "chance of an offer x chance of accepting it (winback.acceptance)."
    )
    assert ex9.q2.checker((calm, angry * 3)).message == (
        "The angry leaver's probability is off: chance of an offer x chance of accepting it "
        "(winback.acceptance)."
    )
    assert ex9.q2.checker((calm, angry)).message.startswith(
        f"Right. The angry leaver is {calm / angry:.0f} times less likely to come back: half "
    )
    mean, low, high = ex10._expected_q2()
    assert ex10.q2.checker((mean * 5, low, high)).message == (
        "Not the model's figures. Use seeds 0-3, 500 customers and 52 weeks, total profit per "
        "run, and Policy(discount=0.1, discount_target=...) with 'new' and 'all'."
    )
    firms = ", ".join(ex11._switching().index)
    assert ex11.q1.checker(("Nobody & Sons", 3)).message == (
        f"'Nobody & Sons' is not a firm of the game: {firms}."
    )
    assert ex11.q3.checker((2.0, 3.0)).message == (
        "Give the shares as fractions of 1, not percentages."
    )
