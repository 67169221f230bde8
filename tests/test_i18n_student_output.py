"""What a Persian student sees printed, in Persian words and Persian digits: a prediction's
choices (``ex.qN.show()``), a customer (``print(customer)``) and the numbers in the exercises'
feedback. The English stays word for word as it was, and ``repr`` stays the code's."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from crmsim import Policy
from crmsim.exercises import lesson_00, lesson_01, lesson_02, lesson_03, lesson_06, lesson_07
from crmsim.exercises.core import Feedback, Prediction, Question
from crmsim.i18n import _, format_number, language
from crmsim.model import CRMModel
from crmsim.stages import Stage, Tier
from crmsim.terms import term

ROOT = Path(__file__).resolve().parents[1]
PERSIAN_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
PERSIAN_DIGIT = re.compile("[۰-۹]")
WESTERN_DIGIT = re.compile("[0-9]")
#: Code inside a message: what stays as Python reads it.
BACKTICKS = re.compile(r"`[^`]*`")

#: The predictions the notebooks 00-03 ask for, before their runs.
PREDICTIONS = {
    "lesson_00.q4": lesson_00.q4,
    "lesson_01.q5": lesson_01.q5,
    "lesson_02.q4": lesson_02.q4,
    "lesson_03.q5": lesson_03.q5,
}


def _trend_question() -> Prediction:
    return Prediction(
        "gifts and churn",
        lambda a: Feedback(a < 0, "measured."),
        choices=("rises", "falls", "stays about the same"),
        outcome=lambda a: "falls" if a < 0 else "rises",
    )


# ------------------------------------------------------------------ a prediction's choices
def test_a_prediction_shows_its_choices_in_english_as_the_learner_types_them(capsys):
    text = _trend_question().show()
    assert text == (
        "Predictions on offer — gifts and churn:\n"
        "    'rises'\n"
        "    'falls'\n"
        "    'stays about the same'"
    )
    assert capsys.readouterr().out == text + "\n"


@pytest.mark.parametrize("name", PREDICTIONS)
def test_a_prediction_shows_each_choice_with_its_persian_in_persian(name, capsys):
    question = PREDICTIONS[name]
    with language("fa"):
        text = question.show()
        title, *lines = text.split("\n")
        assert PERSIAN_LETTER.search(title.split("—")[0]) and _(question.title) in title
        assert len(lines) == len(question.choices)
        for line, choice in zip(lines, question.choices, strict=True):
            persian = _(choice)
            assert persian != choice and PERSIAN_LETTER.search(persian), f"{choice!r} in English"
            # typed as the code names it, read in Persian beside it
            assert line.strip() == f"{choice!r} ({persian})"
    assert capsys.readouterr().out == text + "\n"


def test_predict_prints_the_prediction_and_returns_nothing_to_echo(capsys):
    question = _trend_question()
    with language("fa"):
        assert question.predict("falls") is None
        printed = capsys.readouterr().out
        assert "کاهش می‌یابد" in printed and "falls" not in printed
        assert question.predict("افزایش می‌یابد") is None  # its Persian is read too
    assert question.prediction == "rises"
    assert question.judge(-0.5).correct  # the check still sees the recorded prediction


def _cells(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(path.read_text("utf-8"))["cells"]]


NOTEBOOKS = sorted(
    [*ROOT.glob("notebooks/0[0-3]_*.ipynb"), *ROOT.glob("notebooks/fa/0[0-3]_*.ipynb")]
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_notebooks_show_the_choices_rather_than_print_the_english_tuple(path):
    cells = _cells(path)
    assert not [cell for cell in cells if ".choices" in cell], "a cell still prints .choices"
    shown = [cell for cell in cells if re.search(r"^ex\.q\d+\.show\(\)$", cell, re.M)]
    assert any(".predict(" in cell for cell in shown), "no prediction cell shows its choices"


# ------------------------------------------------------------------ a customer printed
@pytest.fixture(scope="module")
def customer():
    model = CRMModel(n_customers=60, rng=3)
    model.run(20, progress=False)
    return max(model.customers, key=lambda c: c.purchases)


def test_a_customer_prints_in_english_as_its_repr(customer):
    text = repr(customer)
    shape = r"<Customer \d+: [a-z]+, [a-z]+, trust \d\.\d\d, commitment \d\.\d\d>"
    assert re.fullmatch(shape, text), text
    assert str(customer) == text


@pytest.mark.parametrize("stage", list(Stage), ids=lambda s: s.name.lower())
def test_a_customer_prints_in_persian_in_the_courses_terms_and_persian_digits(customer, stage):
    before = (customer.stage, customer.tier)
    english = repr(customer)
    try:
        customer.stage = stage
        for tier in Tier:
            customer.tier = tier
            code = repr(customer)
            with language("fa"):
                text = str(customer)
                assert repr(customer) == code  # repr is for code: the same in Persian
                stage_term, tier_term = term("stage", stage), term("tier", tier)
                index = format_number(customer.index)
                trust = format_number(customer.trust, ".2f")
                commitment = format_number(customer.commitment, ".2f")
            assert PERSIAN_LETTER.search(stage_term) and PERSIAN_LETTER.search(tier_term)
            assert text == (
                f"مشتری {index}: مرحله‌ی {stage_term}، {tier_term}، "
                f"اعتماد {trust}، تعهد {commitment}"
            )
            assert not WESTERN_DIGIT.search(text) and PERSIAN_DIGIT.search(text), text
    finally:
        customer.stage, customer.tier = before
    assert repr(customer) == english


# ------------------------------------------------------------------ numbers in feedback
def _with_prediction(question: Question) -> Question:
    question = copy.copy(question)  # the lesson's own question keeps its prediction
    if isinstance(question, Prediction):
        question.prediction = question.choices[0]
    return question


def _ladder(**changes: Any) -> dict[str, Any]:
    return dict(lesson_00._EXPECTED_LADDER) | changes


#: Wrong answers whose feedback has numbers in it, and that feedback in English as it was.
WRONG = [
    pytest.param(
        lesson_00.q3,
        Policy(discount=0.5, discount_target="new", discount_weeks=(0, 12)),
        "the discount is 0.5. Discounts are shares of the price, so a discount of p per cent is "
        "written p / 100.",
        id="lesson_00.q3-discount",
    ),
    pytest.param(
        lesson_00.q3,
        Policy(discount=0.2, discount_target="new", discount_weeks=(1, 12)),
        "the discount starts in week 1. The model counts weeks from 0, so the first week of the "
        "run is week 0.",
        id="lesson_00.q3-start",
    ),
    pytest.param(
        lesson_00.q3,
        Policy(discount=0.2, discount_target="new", discount_weeks=(0, 11)),
        "the discount runs in weeks 0 to 10. The end of `discount_weeks` is excluded, like the "
        "end of a Python `range`; count how many weeks that makes.",
        id="lesson_00.q3-end",
    ),
    pytest.param(
        lesson_00.q5,
        _ladder(awareness="tier"),
        "8 of 9 right; look again at 'awareness'.",
        id="lesson_00.q5-count",
    ),
    pytest.param(
        lesson_00.q5,
        _ladder(awareness=1),  # a number where a label belongs is quoted back
        "1 is not one of the labels: stage, tier.",
        id="lesson_00.q5-number-label",
    ),
    pytest.param(
        lesson_06.q1,
        0.123,
        "Not the model's figure. Sum the weekly 'complaints' and 'failures' columns of the run "
        "with rng=6, 2000 customers and 104 weeks, then divide.",
        id="lesson_06.q1-run",
    ),
    pytest.param(
        lesson_07.q5,
        (1.0, 2.0),
        "Not the model's figures. Call departures_by_tier() with its defaults and read the "
        "column 'departures per 1,000 customer-weeks' for the loyal and the marketer rows.",
        id="lesson_07.q5-column",
    ),
]


@pytest.mark.parametrize(("question", "answer", "english"), WRONG)
def test_feedback_writes_its_numbers_in_persian_digits_outside_code(question, answer, english):
    question = _with_prediction(question)
    assert question._feedback(answer, question.judge) == Feedback(False, english)
    with language("fa"):
        message = question._feedback(answer, question.judge).message
    prose = BACKTICKS.sub("", message)
    assert PERSIAN_LETTER.search(prose), message
    assert not WESTERN_DIGIT.search(prose), f"Western digits outside code: {message}"
    assert PERSIAN_DIGIT.search(message) or "`" in message, message


def test_check_prints_persian_feedback_without_western_digits(capsys):
    wrong = Policy(discount=0.2, discount_target="new", discount_weeks=(0, 11))
    with language("fa"):
        assert lesson_00.q3.check(wrong) is False
    printed = capsys.readouterr().out
    assert "۰ تا ۱۰" in printed
    assert not WESTERN_DIGIT.search(BACKTICKS.sub("", printed)), printed
