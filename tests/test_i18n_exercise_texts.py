"""What a question shows besides its own messages, in Persian: the statements and stories a
lesson lists for it, the items and labels of every classification, and the tables a lesson
prints; and labels of no term kind written in Persian are read as the labels they name."""

from __future__ import annotations

import importlib
import re
from types import ModuleType

import pytest

from crmsim.exercises import lesson_01, lesson_06
from crmsim.exercises.core import Classification, read_label
from crmsim.i18n import Messages, language, translations

LESSONS = [importlib.import_module(f"crmsim.exercises.lesson_{n:02d}") for n in range(12)]
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
PERSIAN = translations("fa")


def _lessons_values[T](kind: type[T]) -> list[tuple[str, T]]:
    """``("lesson_NN.name", value)`` for every value of type ``kind`` in the lesson modules."""
    return [
        (f"{module.__name__.rsplit('.', 1)[1]}.{name}", value)
        for module in LESSONS
        for name, value in vars(module).items()
        if isinstance(value, kind)
    ]


def _classifications() -> list[tuple[str, Classification]]:
    return _lessons_values(Classification)


def _shown_texts() -> list[tuple[str, Messages]]:
    return _lessons_values(Messages)


def test_the_lessons_list_their_statements_as_messages():
    assert {name for name, _texts in _shown_texts()} >= {
        "lesson_01.ACTIVITIES",
        "lesson_01.STATEMENTS",
        "lesson_02.STORY",
        "lesson_03.TRUST_STATEMENTS",
    }


@pytest.mark.parametrize(
    "name, texts", _shown_texts(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_a_lessons_statements_read_in_persian_in_persian_and_in_english_otherwise(name, texts):
    english = dict(texts)
    assert english == texts.messages, name
    with language("fa"):
        persian = dict(texts)
    assert persian.keys() == english.keys()
    for key, text in persian.items():
        assert ARABIC_LETTER.search(text) and text != english[key], f"{name}[{key!r}] is English"


@pytest.mark.parametrize(
    "name, question", _classifications(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_every_item_and_label_a_classification_shows_has_its_persian(name, question):
    with language("fa"):
        shown = question.show()
    for item in question.items:
        if len(item) > 1:  # a letter stands for a statement listed in Persian (above)
            assert PERSIAN.gettext(item) != item, f"{name}: item {item!r} has no Persian"
    for label in question.labels:
        if question.kind is None and not label.isupper():  # "CRM", "CEM": written so in Persian
            assert PERSIAN.gettext(label) != label, f"{name}: label {label!r} has no Persian"
    assert shown.count("#") >= len([item for item in question.items if len(item) > 1])


def _solution(module: ModuleType, question: Classification) -> dict[str, str]:
    """The question's answer, as its solution writes it."""
    names = {"ex": module, module.__name__.rsplit(".", 1)[1]: module}
    exec(question.solution_text, names)  # noqa: S102 (the lesson's own solution code)
    return dict(names["answer"])


@pytest.mark.parametrize(
    "name, question",
    # labels written the same in Persian ("CRM", "CEM") have nothing to read
    [
        (n, q)
        for n, q in _classifications()
        if q.kind is None and not all(map(str.isupper, q.labels))
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_a_classification_answered_with_the_persian_of_its_labels_is_right(name, question):
    module = importlib.import_module(f"crmsim.exercises.{name.split('.')[0]}")
    answer = _solution(module, question)
    assert question.check(answer, quiet=True), name
    persian = {item: PERSIAN.gettext(label) for item, label in answer.items()}
    assert question.check(persian, quiet=True), f"{name}: {persian}"
    wrong = dict(persian)
    first = next(iter(wrong))
    others = [label for label in question.labels if label != answer[first]]
    wrong[first] = PERSIAN.gettext(others[0])
    assert not question.check(wrong, quiet=True), f"{name}: a wrong Persian label passed"


def test_a_persian_alias_is_read_and_other_persian_is_not_taken_for_it():
    labels = ("customer-centric", "product-centric")
    aliases = lesson_01._ATTITUDE_ALIASES
    assert read_label("مشتری محور", aliases, labels=labels) == "customer centric"
    assert read_label("محصول‌مدار", aliases, labels=labels) == "product centric"
    assert read_label("هیچ‌کدام", aliases, labels=labels) not in {
        "customer centric",
        "product centric",
    }
    refused = lesson_01.q4.judge({item: "هیچ‌کدام" for item in lesson_01.q4.items})
    assert not refused.correct and "هیچ‌کدام" in refused.message


def test_the_seven_mistakes_table_is_persian_in_persian():
    with language("fa"):
        table = lesson_06.mistakes_table()
    english = lesson_06.mistakes_table()
    assert table.shape == english.shape
    for text in [table.index.name, *table.columns, *table.index, *table.to_numpy().ravel()]:
        assert ARABIC_LETTER.search(str(text)), f"English in the Persian table: {text!r}"
    assert set(english["in the model"]) == {"yes", "partly", "no"}
    # the same verdict in both languages, row by row
    verdicts = dict(zip(["yes", "partly", "no"], ["آری", "تا اندازه‌ای", "نه"], strict=True))
    assert [verdicts[v] for v in english["in the model"]] == list(table.iloc[:, 0])


def test_a_wrong_classification_names_its_items_with_their_persian_in_persian():
    from crmsim.exercises import lesson_10

    item = lesson_10.q5.items[0]
    wrong = {each: "customer-centric" for each in lesson_10.q5.items}
    english = lesson_10.q5.judge(wrong).message
    with language("fa"):
        persian = lesson_10.q5.judge(wrong).message
    assert f"look again at {item!r}" in english and "(" not in english.split("look again at")[1]
    assert f"{item!r} ({PERSIAN.gettext(item)})" in persian


def test_a_numpy_number_in_an_answer_is_quoted_as_a_number():
    import numpy as np

    from crmsim.exercises.core import quoted

    assert quoted(np.float64(0.25)) == "0.25" and quoted(np.int64(3)) == "3"
    with language("fa"):
        assert quoted(np.float64(0.25)) == "۰٫۲۵"
