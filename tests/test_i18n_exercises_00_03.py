"""The exercises of lessons 00 to 03 in Persian: every text in the catalog, every question shown
and checked in Persian, and the English left exactly as it was."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from catalogs import extracted, persian_text

import crmsim.exercises.core as core
from crmsim import Policy
from crmsim.exercises import lesson_00, lesson_01, lesson_02, lesson_03
from crmsim.exercises.core import Classification, Discussion, Prediction, Question
from crmsim.i18n import _ as translate
from crmsim.i18n import language

LESSONS = (lesson_00, lesson_01, lesson_02, lesson_03)
#: A named placeholder of str.format; "{'a': ...}" in an example answer is not one.
PLACEHOLDER = re.compile(r"\{\w+\}")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
CORRECT_FA = "درست است"


def test_every_text_of_the_lessons_and_the_question_kinds_has_a_persian_entry() -> None:
    marked = extracted(module.__file__ for module in (core, *LESSONS))
    assert len(marked) > 200  # the lessons' texts are marked, not just core.py's words
    for path, lineno, context, message in marked:
        assert isinstance(message, str), (path.name, lineno, message)
        where = f"{path.name}:{lineno}: {message[:60]!r}"
        persian = persian_text(context, message)
        assert persian.strip(), f"no Persian for {where}"
        assert sorted(PLACEHOLDER.findall(persian)) == sorted(PLACEHOLDER.findall(message)), where


def _questions() -> list[tuple[str, Question]]:
    return [
        (f"{module.__name__.rsplit('.', 1)[1]}.{name}", value)
        for module in LESSONS
        for name, value in vars(module).items()
        if re.fullmatch(r"q\d+", name) and isinstance(value, Question)
    ]


QUESTIONS = _questions()

# Discussion answers long enough to be recorded (word counts, not content, are checked).
_ESSAY = " ".join(["یک اجرا یکی از تاریخچه‌های ممکن است و شانس هم نقش دارد."] * 8)

#: A right answer for each question, computed as the existing tests and checkers do; for a
#: prediction, the choice to record first and then the measured answer.
RIGHT: dict[str, Callable[[], Any]] = {
    "lesson_00.q1": lambda: lesson_00.run_model().frame["active"].iloc[-1],
    "lesson_00.q2": lambda: lesson_00.run_model().frame["revenue"].sum(),
    "lesson_00.q3": lambda: Policy(discount=0.2, discount_target="new", discount_weeks=(0, 12)),
    "lesson_00.q4": lambda: lesson_00._gain(),
    "lesson_00.q5": lambda: dict(lesson_00._EXPECTED_LADDER),
    "lesson_00.q6": lambda: _ESSAY,
    "lesson_01.q1": lambda: dict(lesson_01._TYPE_OF),
    "lesson_01.q2": lambda: (
        lesson_01._total("targeted", "profit") - lesson_01._total("blanket", "profit")
    ),
    "lesson_01.q3": lambda: lesson_01._channel_effects(lesson_01.CHANNEL_RUN["rng"]),
    "lesson_01.q4": lambda: dict(lesson_01._EXPECTED_ATTITUDE),
    "lesson_01.q5": lambda: lesson_01._profit("new") - lesson_01._profit("none"),
    "lesson_01.q6": lambda: _ESSAY,
    "lesson_02.q1": lambda: list(lesson_02.DSO_STAGES),
    "lesson_02.q2": lambda: lesson_02.PROMOTION_WEEKS,
    "lesson_02.q3": lambda: lesson_02.opening_cohort_lost(
        lesson_02.run_scenario("opening_discount")
    ),
    "lesson_02.q4": lambda: lesson_02._change("satisfaction", lesson_02.PROMOTION_WEEKS - 1),
    "lesson_02.q5": lambda: dict(lesson_02._EXPECTED_STORY),
    "lesson_02.q6": lambda: _ESSAY,
    "lesson_03.q1": lambda: lesson_03.overall_trust("expansion", 0.8, 0.5, 0.1),
    "lesson_03.q2": lambda: lesson_03._knowledge_at_end(0.05) - lesson_03._knowledge_at_end(0.3),
    "lesson_03.q3": lambda: lesson_03._q3_shares()["expansion"],
    "lesson_03.q4": lambda: dict(lesson_03._EXPECTED_TRUST),
    "lesson_03.q5": lambda: lesson_03._satisfaction_gap(),
    "lesson_03.q6": lambda: _ESSAY,
    "lesson_03.q7": lambda: dict(lesson_03._EXPECTED_LEVERS),
}


def _wrong(question: Question) -> Any:
    """An answer each kind refuses before any long run: an empty classification, a one-word
    essay, a measurement before any prediction, a word where a number or a policy belongs."""
    if isinstance(question, Classification):
        return {}
    if isinstance(question, Discussion):
        return "کوتاه"
    return "x"


def test_every_question_of_the_lessons_has_a_right_answer_here() -> None:
    assert {name for name, _question in QUESTIONS} == set(RIGHT)


def _message(output: str, title: str) -> str:
    """The feedback after "mark — title: " in what check() printed."""
    assert title in output, output
    return output.split(f"{title}: ", 1)[1]


@pytest.mark.parametrize(("name", "question"), QUESTIONS, ids=[n for n, _q in QUESTIONS])
def test_a_question_speaks_persian(name: str, question: Question, capsys) -> None:
    question = copy.copy(question)  # the lesson's own question keeps its hints and prediction
    with language("fa"):
        title = translate(question.title)
        assert title != question.title and ARABIC_LETTER.search(title), name
        for _hint in question.hints:
            question.hint()
        question.solution()
        assert question.check(None) is False
        assert question.check(_wrong(question)) is False
        shown = capsys.readouterr().out
        assert shown.count(title) == len(question.hints) + 3, shown
        *lines, wrong = [line for line in shown.splitlines() if title in line]
        assert all(ARABIC_LETTER.search(line.split(title, 1)[0]) for line in lines), shown
        assert ARABIC_LETTER.search(_message(wrong, title)), f"{name}: not Persian: {wrong}"
        if isinstance(question, Prediction):
            question.predict(question.choices[0])
            assert "پیش‌بینی ثبت شد" in capsys.readouterr().out
        assert question.check(RIGHT[name]()) is True, name
        right = capsys.readouterr().out
        assert right.startswith(f"{CORRECT_FA} — {title}: "), right
        assert ARABIC_LETTER.search(_message(right, title)), right


def test_english_feedback_is_word_for_word_as_before(capsys) -> None:
    late = Policy(discount=0.2, discount_target="new", discount_weeks=(1, 12))
    lesson_00.q3.check(late)
    right = {"a": "strategic", "b": "operational", "c": "analytical", "d": "collaborative"}
    lesson_01.q1.check(right | {"b": "analytical", "c": "operational"})
    lesson_00.q5.check(dict(lesson_00._EXPECTED_LADDER) | {"awareness": "tier"})
    lesson_02.q1.check(["awareness", "expansion", "exploration", "commitment", "dissolution"])
    lesson_00.q1.check(...)
    assert capsys.readouterr().out.splitlines() == [
        "Not yet — a policy for an opening promotion: the discount starts in week 1. The model "
        "counts weeks from 0, so the first week of the run is week 0.",
        "Not yet — the four types of CRM: 2 of the four are misplaced. Item 'b': you said "
        "'analytical', which is about turning collected data into decisions. Is that what "
        "item 'b' describes?",
        "Not yet — stage or tier: 8 of 9 right; look again at 'awareness'.",
        "Not yet — the stages in order: only the first stage is in place; 'expansion' comes too "
        "early or too late. Retell the new-store story: flyers, a first visit, coming back for "
        "more, buying nearly everything there, and finally drifting away.",
        "Not yet — active customers at the end: No answer yet: replace the ____ or ... with "
        "your answer.",
    ]


def test_english_predictions_and_hints_read_as_before(capsys) -> None:
    question = Prediction(
        "gift and churn",
        lambda a: core.Feedback(a < 0, "measured"),
        choices=("rises", "falls"),
        outcome=lambda a: "falls" if a < 0 else "rises",
    )
    question.predict("Rises")
    assert capsys.readouterr().out == (
        "Prediction recorded — gift and churn: rises. Now run the model and check what it shows.\n"
    )
    assert question.judge(-0.01).message == (
        "measured You predicted it rises; the run shows it falls. "
        "Explain the gap in your own words."
    )
    fresh = copy.copy(lesson_00.q1)
    fresh._hints_shown = 0  # other tests may have asked the module's question for hints
    hint = fresh.hint()
    assert hint == "The weekly frame has one row per week; the last row is the last week."
