"""Kinds of question (prediction, classification, discussion) through the whole course machinery.

Each kind on its own (:mod:`crmsim.exercises.core`), then the student edition of a lesson module
that uses all of them (``tools/make_student.py``: nothing of the answers ships, and the module
works against a key made the way ``make student`` makes it), then grading a notebook that
answers them (``crmsim grade``). The lesson module here is a fixture, written into a temporary
folder added to ``crmsim.exercises``, so these tests do not depend on the lessons' content.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import crmsim.exercises
from crmsim.exercises import key as key_module
from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    close_to,
    label_checker,
    near,
    read_number,
    sentence,
)
from crmsim.exercises.key import KeyedChecker, make_key

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _load_make_student():
    if "make_student" in sys.modules:
        return sys.modules["make_student"]
    spec = importlib.util.spec_from_file_location(
        "make_student", ROOT / "tools" / "make_student.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_student"] = module
    spec.loader.exec_module(module)
    return module


make_student = _load_make_student()


# --------------------------------------------------------------------------- each kind alone
def _gift_prediction() -> Prediction:
    return Prediction(
        "gifts and churn",
        lambda a: Feedback(close_to(-0.02)(a), "the change in churn, measured."),
        choices=("rises", "falls", "stays about the same"),
        outcome=lambda a: "falls" if a < 0 else "rises",
        solution="answer = -0.02",
    )


def test_a_prediction_is_needed_before_the_check(capsys):
    q = _gift_prediction()
    assert not q.check(-0.02)
    assert "First commit to a prediction" in capsys.readouterr().out
    assert q.predict(...) is None
    assert "No prediction yet" in capsys.readouterr().out
    assert q.predict("soars") is None and q.prediction is None
    assert "'rises', 'falls', 'stays about the same'" in capsys.readouterr().out
    assert q.predict("  FALLS ") is None  # printed, not returned: a cell shows it once
    assert q.prediction == "falls"


def test_a_prediction_is_set_beside_what_the_run_shows():
    q = _gift_prediction()
    q.predict("rises")
    assert not q.check(0.5, quiet=True)  # a wrong measurement: the checker's word, no outcome
    assert "predicted" not in q.judge(0.5).message
    wrong_guess = q.judge("-2%")  # numbers written as text are read
    assert wrong_guess.correct
    assert "You predicted it rises; the run shows it falls" in wrong_guess.message
    q.predict("falls")
    assert "You predicted it falls, and it does" in q.judge(-0.02).message


def test_grading_marks_the_measured_answer_not_the_prediction():
    q = _gift_prediction()  # no prediction made
    assert q.mark(-0.02).correct and not q.mark(0.3).correct
    assert not q.mark(None).correct


LABELS = ("calculus-based", "knowledge-based", "identification-based")
ALIASES = {
    "calculus": "calculus-based",
    "knowledge": "knowledge-based",
    "identity": "identification-based",
}
ITEMS = ("a discount keeps her", "he knows the firm delivers", "she wears the brand")
EXPECTED = dict(zip(ITEMS, LABELS, strict=True))


def _trust_classification() -> Classification:
    return Classification(
        "kinds of trust",
        label_checker(EXPECTED, ALIASES),
        items=ITEMS,
        labels=LABELS,
        aliases=ALIASES,
    )


def test_labels_are_compared_in_any_word_form_or_alias():
    q = _trust_classification()
    answer = {
        "A discount keeps her": "Calculus",
        "he KNOWS the firm delivers": "knowledge based",
        "she wears the brand": "Identity",
    }
    assert q.check(answer, quiet=True)
    assert q.canonical(answer) == EXPECTED
    assert q.canonical(["not", "a mapping"]) == ["not", "a mapping"]


def test_an_unknown_label_is_refused_with_the_labels_named():
    q = _trust_classification()
    answer = dict(EXPECTED, **{"she wears the brand": "loyalty"})
    message = q.judge(answer).message
    assert not q.check(answer, quiet=True)
    assert "'loyalty' is not one of the labels" in message
    assert all(label in message for label in LABELS)
    assert "not one of the items" in q.judge({"something else": "calculus"}).message
    assert "give a dict" in q.judge("calculus").message


def test_a_wrong_label_names_the_item_not_the_right_label():
    q = _trust_classification()
    answer = dict(EXPECTED, **{"she wears the brand": "calculus"})
    message = q.judge(answer).message
    assert "2 of 3 right" in message and "'she wears the brand'" in message
    assert "identification" not in message
    assert "missing" in q.judge({"a discount keeps her": "calculus"}).message


def test_show_prints_a_template_without_the_answers(capsys):
    q = _trust_classification()
    text = q.show()
    assert all(item in text for item in ITEMS) and "'____'" in text
    assert "calculus-based, knowledge-based" in capsys.readouterr().out


def test_a_discussion_asks_for_enough_words_and_keeps_its_rubric(capsys):
    q = Discussion("why complain", min_words=6, solution="The model answer.", rubric="- a point")
    assert not q.check("Too short.", quiet=True)
    assert "2 words" in q.judge("Too short.").message
    assert not q.check(42, quiet=True) and "text" in q.judge(42).message
    assert q.check("Complaining gives the firm a chance.", quiet=True)
    assert q.mark("Complaining gives the firm a chance.").correct
    assert q.rubric == "- a point"
    q.solution()
    assert "The model answer." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.12", 0.12),
        ("12%", 0.12),
        ("12 %", 0.12),
        ("۱۲٪", 0.12),
        ("۱۲ درصد", 0.12),
        ("12 percent", 0.12),
        ("٠٫١٢", 0.12),
        ("1,000", 1000.0),
        ("۱٬۰۰۰", 1000.0),
        ("\u22120.5", -0.5),
        ("1%", 0.01),
        ("۱٪", 0.01),
    ],
)
def test_numbers_written_as_text_are_read(text, value):
    assert read_number(text) == pytest.approx(value)
    assert close_to(value)(text)


@pytest.mark.parametrize("text", ["", "about ten", "1,00", "nan", "12%%"])
def test_texts_that_are_not_one_number_are_not_read(text):
    assert read_number(text) is None


def test_the_answer_key_reads_numbers_written_as_text():
    key = make_key({"t.share": 0.12, "t.count": 1000}, salt="s")
    for text in ("12%", "۱۲٪", "0.12", "12 percent"):
        assert KeyedChecker("t.share", key)(text).correct, text
    assert KeyedChecker("t.count", key)("۱٬۰۰۰").correct
    slip = KeyedChecker("t.share", key)("12")
    assert not slip.correct and "percentage" in slip.message
    assert "0.12" not in json.dumps(key) and "12%" not in json.dumps(key)


def test_solutions_can_be_hidden_for_the_course_site(monkeypatch, capsys):
    from crmsim.exercises.core import HIDE_SOLUTIONS, NO_SOLUTION

    q = _gift_prediction()
    assert q.solution() == "answer = -0.02"
    monkeypatch.setenv(HIDE_SOLUTIONS, "1")
    assert q.solution() == NO_SOLUTION
    assert "-0.02" not in capsys.readouterr().out.split("answer = -0.02", 1)[1]


def test_the_answer_key_reads_yes_and_no_and_numpy_booleans():
    np = pytest.importorskip("numpy")
    key = make_key({"t.pair": (np.float64(-1535.5), np.False_), "t.flag": np.True_}, salt="s")
    assert key["questions"]["t.pair"]["kind"] == "sequence"
    assert KeyedChecker("t.pair", key)([-1535.5, "no"]).correct
    assert KeyedChecker("t.pair", key)((-1535.5, False)).correct
    assert KeyedChecker("t.flag", key)("Yes").correct and KeyedChecker("t.flag", key)(True).correct
    assert not KeyedChecker("t.flag", key)("no").correct


def test_sentence_upper_cases_only_the_first_letter():
    assert sentence("the term is RECOVERED_SERVICE") == "The term is RECOVERED_SERVICE"
    assert sentence("") == ""
    assert "RESPECT_WEIGHT" in sentence("weigh it by RESPECT_WEIGHT")


# --------------------------------------------------------------------------- a lesson module
LESSON = "lesson_97"
MODEL_ANSWER = "Customers who complain give the firm its only chance to recover them"
RUBRIC_POINT = "Names the silent majority who leave without a word"
#: A lesson module with every kind of question, written as the content's modules are.
MODULE = textwrap.dedent(
    f'''
    """A fixture lesson with every kind of question.

    Examples
    --------
    >>> q1.check(0.25)
    True
    """

    from __future__ import annotations

    from typing import Any

    from crmsim.exercises.core import (
        Classification,
        Discussion,
        Feedback,
        Prediction,
        Question,
        close_to,
        label_checker,
    )

    RUN = {{"n_customers": 100, "rng": 97}}
    LABELS = ("must-be", "one-dimensional", "attractive")
    _ALIASES = {{"basic": "must-be", "performance": "one-dimensional", "delighter": "attractive"}}
    ITEMS = ("battery lasting a day", "faster charging", "a surprise gift")
    EXPECTED_KANO = {{
        "battery lasting a day": "must-be",
        "faster charging": "one-dimensional",
        "a surprise gift": "attractive",
    }}
    _HIDDEN_LABELS = {{"logo": "indifferent", "stickers": "indifferent"}}


    def _expected_share() -> float:
        return 0.0625 * 4


    def _helper_of_helper() -> float:
        return _expected_share()


    def _check_share(answer: Any) -> Feedback:
        if close_to(_helper_of_helper())(answer):
            return Feedback(True, "a quarter of them.")
        return Feedback(False, "divide those lost by those at the start.")


    def _check_change(answer: Any) -> Feedback:
        return Feedback(close_to(-0.0387)(answer), "the change in churn.")


    def _outcome_change(answer: Any) -> str:
        return "falls" if answer < 0 else "rises"


    _check_hidden = label_checker(_HIDDEN_LABELS)


    def run_share() -> float:
        """A public helper the notebook uses (it stays, without its worked example).

        Examples
        --------
        >>> round(run_share() / 0.0625, 1)
        4.0
        """
        return RUN["n_customers"] / 400


    q1 = Question(
        "share lost",
        _check_share,
        hints=["Who is in the denominator?"],
        solution="answer = lost / start  # 0.25",
    )
    q2 = Prediction(
        "gifts and churn",
        _check_change,
        choices=("rises", "falls", "stays about the same"),
        outcome=_outcome_change,
        hints=["Compare the two runs' churn."],
        solution="answer = churn_gift - churn_none  # -0.0387",
    )
    q3 = Classification(
        "Kano categories",
        label_checker(EXPECTED_KANO, _ALIASES),
        items=ITEMS,
        labels=LABELS,
        aliases=_ALIASES,
        hints=["Which would customers complain about if it were missing?"],
        solution="battery: must-be; charging: one-dimensional; gift: attractive",
    )
    q4 = Classification(
        "features that leave customers cold",
        _check_hidden,
        items=("logo", "stickers"),
        labels=("indifferent", "reverse"),
        solution="both indifferent",
    )
    Q5_ANSWER = "{MODEL_ANSWER}, while most unhappy customers leave in silence."
    q5 = Discussion(
        "why welcome complaints",
        min_words=8,
        hints=["Think of who never complains."],
        solution=Q5_ANSWER,
        rubric="- {RUBRIC_POINT} (1 point)\\n- Links it to recovery in the model (1 point)",
    )
    '''
)

#: What the instructor notebook checks, as it records it (labels in its own word forms).
REFERENCE = {
    f"{LESSON}.q1": 0.25,
    f"{LESSON}.q2": -0.0387,
    f"{LESSON}.q3": {
        "Battery lasting a day": "Basic",
        "faster charging": "performance",
        "a surprise gift": "Delighters",
    },
    f"{LESSON}.q4": {"logo": "Indifferent", "stickers": "indifferent"},
    f"{LESSON}.q5": f"{MODEL_ANSWER}.",
}


@pytest.fixture
def lessons_folder(tmp_path, monkeypatch):
    """``crmsim.exercises.lesson_97`` importable from a temporary folder (and in kernels)."""
    folder = tmp_path / "lessons_pkg"
    folder.mkdir()
    (folder / f"{LESSON}.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.setattr(crmsim.exercises, "__path__", [*crmsim.exercises.__path__, str(folder)])
    yield folder
    sys.modules.pop(f"crmsim.exercises.{LESSON}", None)


def _load(source: str, name: str):
    module = type(sys)(name)
    module.__file__ = name
    sys.modules[name] = module  # dataclasses and the like look modules up
    try:
        exec(compile(source, name, "exec"), module.__dict__)
    finally:
        sys.modules.pop(name, None)
    return module


def test_the_student_module_leaks_no_answer():
    student = make_student.student_module(MODULE, LESSON)
    for secret in (
        "0.0625",
        "-0.0387",
        "EXPECTED_KANO",
        "_HIDDEN_LABELS",
        "_expected_share",
        "_helper_of_helper",
        "_check_share",
        "_check_change",
        "_check_hidden",
        "Q5_ANSWER",
        "label_checker(",
        "'logo': 'indifferent'",
        "'faster charging': 'one-dimensional'",
        "'battery lasting a day': 'must-be'",
        MODEL_ANSWER,
        RUBRIC_POINT,
        "rubric",
        "solution",
        "both indifferent",
        ">>> q1.check",
        ">>> round(run_share()",
        "Examples",
    ):
        assert secret not in student, secret
    for kept in ("def run_share", "def _outcome_change", "RUN = ", "_ALIASES = ", "ITEMS = "):
        assert kept in student, kept
    assert "Think of who never complains." in student and "min_words=8" in student
    for question in ("q1", "q2", "q3", "q4"):
        assert f"KeyedChecker('{LESSON}.{question}')" in student
    assert f"KeyedChecker('{LESSON}.q5')" not in student


def test_a_question_made_otherwise_stops_the_build():
    with pytest.raises(ValueError, match="q1"):
        make_student.student_module("q1 = make_question('x')\n", LESSON)
    leaky = MODULE.replace(
        'return "falls" if answer < 0', 'return "falls" if answer < EXPECTED_KANO'
    )
    with pytest.raises(ValueError, match="EXPECTED_KANO would ship"):
        make_student.student_module(leaky, LESSON)


def test_the_student_module_works_with_a_key_made_as_make_student_makes_it(monkeypatch, capsys):
    instructor = _load(MODULE, f"crmsim.exercises.{LESSON}_instructor")
    questions = {f"{LESSON}.{n}": getattr(instructor, n) for n in ("q1", "q2", "q3", "q4", "q5")}
    for qid, question in questions.items():  # the reference answers pass the instructor's checks
        if isinstance(question, Prediction):
            question.predict(question.choices[0])
        assert question.check(REFERENCE[qid], quiet=True), qid

    keyed = make_student.key_answers(REFERENCE, questions)
    assert f"{LESSON}.q5" not in keyed  # discussions are marked by hand
    assert keyed[f"{LESSON}.q3"] == instructor.EXPECTED_KANO  # the question's own spelling
    key = make_key(keyed, {q: questions[q].title for q in keyed}, salt="fixture")
    for label in ("must-be", "one-dimensional", "attractive", "basic", "delighter"):
        assert label not in json.dumps(key).lower(), label  # items name paths; labels are hashed
    monkeypatch.setattr(key_module, "load_key", lambda: key)

    student = _load(make_student.student_module(MODULE, LESSON), f"crmsim.exercises.{LESSON}_s")
    assert student.q1.check("25%", quiet=True) and student.q1.check("۰٫۲۵", quiet=True)
    assert not student.q1.check(0.3, quiet=True)
    assert "percentage" in student.q1.judge(25).message

    assert not student.q2.check(-0.0387, quiet=True)  # no prediction yet
    student.q2.predict("rises")
    assert student.q2.check("-3.87%", quiet=True)
    assert "the run shows it falls" in student.q2.judge(-0.0387).message

    assert student.q3.check(
        {
            "BATTERY lasting a day": "must be",
            "faster charging": "One-Dimensional",
            "a surprise gift": "attractives",
        },
        quiet=True,
    )
    assert student.q3.check(REFERENCE[f"{LESSON}.q3"], quiet=True)
    wrong = student.q3.judge(
        {
            "battery lasting a day": "attractive",
            "faster charging": "performance",
            "a surprise gift": "delighter",
        }  # fmt: skip
    )
    assert not wrong.correct and "battery lasting a day" in wrong.message
    assert "is not one of the labels" in student.q3.judge({"faster charging": "great"}).message
    assert student.q4.check({"Logo": "INDIFFERENT", "stickers": "indifferent"}, quiet=True)

    assert student.q5.check("Customers who complain let the firm put things right.", quiet=True)
    assert not student.q5.check("Too short.", quiet=True)
    capsys.readouterr()
    student.q5.solution()
    assert MODEL_ANSWER not in capsys.readouterr().out
    assert not hasattr(student.q5, "rubric") or not student.q5.rubric


def test_rubrics_gather_every_discussion_for_the_instructor(lessons_folder, tmp_path):
    from crmsim.exercises import grading

    questions = grading.questions_of(LESSON)
    path = make_student.write_rubrics(tmp_path / "instructor", questions)
    text = path.read_text(encoding="utf-8")
    assert path.name == "rubrics.md"
    assert f"{LESSON}.q5: why welcome complaints" in text
    assert MODEL_ANSWER in text and RUBRIC_POINT in text and "At least 8 words" in text
    assert "share lost" not in text  # only discussions
    assert "No discussion questions yet" in grading.rubrics_markdown({})


# --------------------------------------------------------------------------- the notebooks
PREDICTION_CELL = 'prediction = "falls"  # SOLUTION\nex.q2.predict(prediction)'
DISCUSSION_CELL = (
    '### BEGIN SOLUTION\nanswer = """\nA model answer that runs\nover two lines.\n"""\n'
    "### END SOLUTION\nassert ex.q5.check(answer)"
)


def test_prediction_and_discussion_cells_become_blanks():
    assert make_student.strip_code(PREDICTION_CELL) == "prediction = ...\nex.q2.predict(prediction)"
    assert make_student.strip_code('ex.q2.predict("falls")  # SOLUTION') == "ex.q2.predict(...)"
    assert make_student.strip_code("    x += 1  # SOLUTION") == "    # YOUR CODE HERE"
    student = make_student.strip_code(DISCUSSION_CELL)
    assert "model answer" not in student and "two lines" not in student
    assert student == '# YOUR CODE HERE\nanswer = """\n\n"""\nex.q5.check(answer)'
    namespace: dict = {}
    exec(student.replace("ex.q5.check(answer)", ""), namespace)
    assert namespace["answer"].split() == []


def test_prediction_cells_carry_nbgrader_metadata_worth_no_points():
    nbformat = pytest.importorskip("nbformat")
    cells = [
        f"from crmsim.exercises import {LESSON} as ex",
        PREDICTION_CELL,
        "### BEGIN SOLUTION\nanswer = -0.0387\n### END SOLUTION\nassert ex.q2.check(answer)",
        DISCUSSION_CELL,
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    student = make_student.student_notebook(json.loads(nbformat.writes(notebook)), "97.ipynb")
    nbformat.validate(nbformat.from_dict(student))
    meta = [c["metadata"].get("nbgrader") for c in student["cells"]]
    assert meta[0] is None
    assert meta[1]["grade_id"] == f"{LESSON}-q2-prediction"
    assert meta[1]["solution"] and not meta[1]["grade"] and "points" not in meta[1]
    assert meta[2]["grade_id"] == f"{LESSON}-q2" and meta[2]["grade"] and meta[2]["points"] == 1
    assert meta[3]["grade_id"] == f"{LESSON}-q5" and meta[3]["grade"]


# --------------------------------------------------------------------------- grading
def _notebook(path: Path, *cells: str) -> None:
    nbformat = pytest.importorskip("nbformat")
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)


def test_grading_a_notebook_with_every_kind(lessons_folder, tmp_path, monkeypatch):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from crmsim import cli
    from crmsim.exercises import grading

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    head = (
        "import crmsim.exercises\n"
        f"crmsim.exercises.__path__.append({str(lessons_folder)!r})\n"
        f"from crmsim.exercises import {LESSON} as ex"
    )
    essay = "Complaints are a gift: the customers who stay silent simply leave for good."
    submissions = tmp_path / "submissions"
    # ana answers everything, in her own word forms; she predicted wrong, which costs nothing
    _notebook(
        submissions / "ana" / "97.ipynb",
        head,
        'ex.q1.check("25%")',
        'ex.q2.predict("rises")',
        "ex.q2.check(-0.0387)",
        "ex.q3.check({'battery lasting a day': 'basic', 'faster charging': 'Performance',"
        " 'a surprise gift': 'delighters'})",
        "ex.q4.check({'logo': 'indifferent', 'stickers': 'reverse'})",
        f"ex.q5.check({essay!r})",
    )
    # ben predicts nothing, writes too little and leaves q3 and q4 out
    _notebook(submissions / "ben.ipynb", head, "ex.q2.check(-0.0387)", 'ex.q5.check("Because.")')
    out = tmp_path / "grades.csv"
    assert cli.main(["grade", str(submissions), "--out", str(out), "--timeout", "120"]) == 0
    book = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert list(book.columns) == grading.COLUMNS
    row = book.set_index(["student", "question"])
    q = [f"{LESSON}.q{n}" for n in range(1, 6)]
    assert row.loc[("ana", q[0]), "points"] == "1"
    assert row.loc[("ana", q[1]), "points"] == "1"
    assert row.loc[("ana", q[1]), "prediction"] == "rises"
    assert row.loc[("ana", q[2]), "points"] == "1"  # aliases and plurals
    assert row.loc[("ana", q[3]), "points"] == "0"
    assert row.loc[("ana", q[4]), "points"] == "" and row.loc[("ana", q[4]), "status"] == "manual"
    assert row.loc[("ana", q[4]), "answer"] == essay
    assert row.loc[("ana", q[0]), "answer"] == ""  # only written answers are copied
    assert row.loc[("ana", "total"), "points"] == "3"
    assert row.loc[("ana", "total"), "max_points"] == "5"
    assert "1 answer(s) to mark by hand" in row.loc[("ana", "total"), "status"]

    assert row.loc[("ben", q[1]), "points"] == "1"
    assert row.loc[("ben", q[1]), "prediction"] == ""
    assert "no prediction made" in row.loc[("ben", q[1]), "status"]
    assert row.loc[("ben", q[2]), "status"].startswith("not answered")
    assert row.loc[("ben", q[4]), "status"].startswith("manual (only 1 words of the 8")
    assert row.loc[("ben", "total"), "points"] == "1"

    discussions = (tmp_path / "grades-discussions.md").read_text(encoding="utf-8")
    assert essay in discussions and RUBRIC_POINT in discussions
    assert "### ana (97.ipynb)\n" in discussions
    assert "### ben (ben.ipynb) — (only 1 words of the 8 asked)" in discussions


def test_near_takes_a_share_of_the_expected_number_not_of_the_larger():
    # 100.5 is within half a percent of 100, 100.502 is not (math.isclose says it is,
    # taking the share of the larger number)
    assert near(100.5, 100.0, share=0.005)
    assert not near(100.502, 100.0, share=0.005)
    assert close_to(100.0, rel=0.005)(100.502) is True
    assert near(0.305, 0.3, within=0.01) and not near(0.32, 0.3, within=0.01)
    assert near(-1.0, -1.004, share=0.005)
    assert not near(1.0, 1.0 + 1e-9)  # with neither bound, only equality
