"""The exercises of lessons 04-07 in Persian: every text marked in the lesson modules has a
Persian entry, each question speaks Persian when asked to, and its English is as it was."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import pytest
from catalogs import extracted, persian_text

from crmsim import i18n
from crmsim.exercises import (
    Classification,
    Discussion,
    Prediction,
    Question,
    lesson_04,
    lesson_05,
    lesson_06,
    lesson_07,
)
from crmsim.exercises.core import TREND_CHOICES
from crmsim.i18n import language

LESSONS = (lesson_04, lesson_05, lesson_06, lesson_07)
PERSIAN = re.compile("[\u0600-\u06ff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
RIGHT = "درست است"
#: An answer no student would give for a reason: its feedback is a checker's own words.
UNRELATED = -12_345.678


pytestmark = pytest.mark.usefixtures("english_afterwards")


def questions(module: ModuleType) -> list[tuple[str, Question]]:
    """``(id, question)`` of a lesson's ``q1``, ``q2`` ..."""
    found = [
        (f"{module.__name__.rsplit('.', 1)[1]}.{name}", value)
        for name, value in vars(module).items()
        if re.fullmatch(r"q\d+", name) and isinstance(value, Question)
    ]
    return sorted(found, key=lambda pair: int(pair[0].rsplit("q", 1)[1]))


QUESTIONS = [pair for module in LESSONS for pair in questions(module)]
IDS = [name for name, _question in QUESTIONS]


# ------------------------------------------------------------------ (a) the catalog
@pytest.mark.parametrize("module", LESSONS, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_every_marked_text_has_a_persian_entry_with_the_same_placeholders(module):
    found = extracted([module.__file__])
    assert len(found) > 30  # the module is marked at all
    for _path, _line, context, message in found:
        ids = (message,) if isinstance(message, str) else message
        for text in ids:
            persian = persian_text(context, text)
            assert persian, f"{module.__name__}: no Persian for {text!r}"
            assert PERSIAN.search(persian), text
            assert sorted(PLACEHOLDER.findall(persian)) == sorted(PLACEHOLDER.findall(text)), text


def test_a_solution_in_persian_keeps_its_code_line_for_line():
    for _name, question in QUESTIONS:
        code = question.solution_text
        if "answer =" not in code:  # a model answer in prose
            continue
        persian = persian_text(None, code)
        kept = [line for line in persian.splitlines() if not line.lstrip().startswith("#")]
        original = [line for line in code.splitlines() if not line.lstrip().startswith("#")]
        # a comment at the end of a line may be translated; the code before it may not
        assert [line.split("  #")[0] for line in kept] == [
            line.split("  #")[0] for line in original
        ], code


# ------------------------------------------------------------------ (b) the questions in Persian
def right_answer(name: str, question: Question) -> Any:
    """The answer each question accepts, computed as the answer key or a student would."""
    module = {m.__name__.rsplit(".", 1)[1]: m for m in LESSONS}[name.split(".")[0]]
    number = int(name.rsplit("q", 1)[1])
    if isinstance(question, Discussion):
        return " ".join(["because"] * (question.min_words + 5))
    expected = getattr(module, f"_expected_q{number}", None)
    if expected is not None:
        return expected()
    special = {
        "lesson_04.q1": lambda: lesson_04._survey_categories(),
        "lesson_04.q2": lambda: lesson_04._gains(0.9, 1.0),
        "lesson_04.q3": lambda: (
            lesson_04._run(0.0).frame["profit"].sum() - lesson_04._run(0.5).frame["profit"].sum()
        ),
        "lesson_04.q5": lesson_04._cut_gap,
        "lesson_05.q1": lambda: 170_000 / 17_000_000,
        "lesson_05.q2": lambda: 680_000 / 17_000_000,
        "lesson_05.q5": lambda: lesson_05.silence_churn(8)["measured churn"],
        "lesson_06.q5": lesson_06._first_gap,
    }
    if name in special:
        return special[name]()
    # the rest: the worked solution, run as a student would run it
    space: dict[str, Any] = {"ex": module}
    exec(question.solution_text, space)  # noqa: S102 (the package's own solutions)
    return space["answer"]


@pytest.mark.parametrize(("name", "question"), QUESTIONS, ids=IDS)
def test_a_question_speaks_persian(name, question, capsys, monkeypatch):
    with language("fa"):
        title = i18n._(question.title)
        assert title != question.title and PERSIAN.search(title), name
        question.hint()
        question.solution()
        question.check(None)
        printed = capsys.readouterr().out
        assert printed.count(title) == 3, (name, printed)
        assert len(PERSIAN.findall(printed)) > 40, (name, printed)
        if isinstance(question, Prediction):
            if question.choices != TREND_CHOICES:  # core's own choices are core's to translate
                assert all(PERSIAN.search(i18n._(choice)) for choice in question.choices)
            monkeypatch.setattr(question, "prediction", None)  # restored when the test ends
            question.predict(question.choices[0])
        if isinstance(question, Classification):
            assert all(PERSIAN.search(i18n._(item)) for item in question.items)
        if type(question) in (Question, Prediction):  # the kinds whose checker a lesson wrote
            wrong = question.checker(UNRELATED)
            assert not wrong.correct
            assert PERSIAN.search(wrong.message), (name, wrong.message)
            assert not re.search(
                r"\b(the|a|is|of)\b", re.sub(r"`[^`]*`|'[^']*'", "", wrong.message)
            )
        capsys.readouterr()
        assert question.check(right_answer(name, question)) is True, capsys.readouterr().out
        assert RIGHT in capsys.readouterr().out


# ------------------------------------------------------------------ (c) English as before
def test_english_feedback_is_as_it_was(capsys, monkeypatch):
    # the messages that used to be built from pieces or f-strings, word for word
    assert lesson_05.q3.checker(UNRELATED).message == (
        "not the quarter's churn. Count the customers active at the start of week 39, then how "
        "many of *them* left during weeks 39-51."
    )
    assert lesson_06.q1.checker(0.999).message == (
        "Not the model's figure. Sum the weekly 'complaints' and 'failures' columns of the run "
        "with rng=6, 2000 customers and 104 weeks, then divide."
    )
    rude, kind = lesson_06._expected_q2()
    tail = " Weigh the service term by 1 - RESPECT_WEIGHT and the respect term by RESPECT_WEIGHT."
    first = (
        "The first number is off: a resolved failure's service term is "
        "crmsim.episodes.RECOVERED_SERVICE, not the full service satisfaction."
    )
    assert lesson_06.q2.checker((7.0, kind)).message == first + tail
    assert lesson_06.q2.checker((7.0, 5.0)).message == (
        first + " The second is off too: an unresolved failure's is -1." + tail
    )
    assert lesson_06.q2.checker((rude, 5.0)).message == (
        "The second number is off: an unresolved failure's service term is -1." + tail
    )
    assert lesson_07.q5.checker((100.0, 200.0)).message == (
        "Not the model's figures. Call departures_by_tier() with its defaults and read the "
        "column 'departures per 1,000 customer-weeks' for the loyal and the marketer rows."
    )
    categories = lesson_04._survey_categories()
    wrong = categories | {"A": "reverse" if categories["A"] != "reverse" else "attractive"}
    assert lesson_04.q1.checker(wrong).message.startswith(
        "1 feature(s) misclassified, among them 'A'. Look at 'A''s row of `ex.class_counts()`"
    )
    assert lesson_04.q1.checker({"A": "must-be"}).message == (
        "feature(s) ['B', 'C', 'D', 'E'] have no category yet."
    )
    monkeypatch.setattr(lesson_05.q1, "_hints_shown", 0)  # the first hint, whatever ran before
    lesson_05.q1.hint()
    assert capsys.readouterr().out == (
        "Hint — churn of the telecom operator: Churn compares the customers lost with the "
        "customers present when the period *began*.\n"
    )


def test_numbers_in_persian_feedback_are_written_in_persian():
    with language("fa"):
        message = lesson_05.q3.checker(UNRELATED).message
        assert "۳۹" in message and "۵۱" in message and "39" not in message
        shop = lesson_05.q5.checker(lesson_05.silence_churn(8)["measured churn"]).message
        assert "٪" in shop
        # a call to the package is code: its number stays as Python reads it
        assert "ex.silence_churn(8)" in lesson_05.q5.checker(0.999).message
