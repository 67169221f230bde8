"""`crmsim grade` runs collected notebooks and writes one row per student and question."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from crmsim import cli
from crmsim.exercises import grading

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

SRC = Path(__file__).resolve().parent.parent / "src"


def _notebook(path: Path, *cells: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)


@pytest.fixture
def submissions(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    folder = tmp_path / "submissions"
    head = "from crmsim.exercises import lesson_05 as ex"
    # ana: q1 right, q2 wrong; her own check() that always says yes must not help her
    _notebook(
        folder / "ana" / "05_churn_rate.ipynb",
        head,
        "answer = 170_000 / 17_000_000\nex.q1.check(answer)",
        "ex.q2.checker = lambda a: True\nanswer = 0.5\nex.q2.check(answer)",
    )
    # ben: a wrong first try, then the right one (the last answer counts); a cell that fails
    _notebook(
        folder / "ben" / "work" / "05_churn_rate.ipynb",
        head,
        "ex.q1.check(0.5)",
        "1 / 0",
        "ex.q1.check(0.01)\nex.q2.check(680_000 / 17_000_000)",
    )
    # cem: answers q1, then never finishes
    _notebook(folder / "cem.ipynb", head, "ex.q1.check(0.01)", "while True:\n    pass")
    return folder


def test_grade_writes_one_row_per_student_and_question_and_a_total(submissions, tmp_path):
    out = tmp_path / "grades.csv"
    assert cli.main(["grade", str(submissions), "--out", str(out), "--timeout", "20"]) == 0
    book = pd.read_csv(out, keep_default_na=False)
    assert list(book.columns) == grading.COLUMNS
    lesson = list(grading.questions_of("lesson_05"))
    for student in ("ana", "ben", "cem"):
        rows = book[book["student"] == student]
        assert list(rows["question"]) == [*lesson, "total"]
    points = book.set_index(["student", "question"])["points"]
    assert points["ana", "lesson_05.q1"] == 1
    assert points["ana", "lesson_05.q2"] == 0  # her rewritten checker is not the grader's
    assert points["ben", "lesson_05.q1"] == 1 and points["ben", "lesson_05.q2"] == 1
    assert points["cem", "lesson_05.q1"] == 1  # answered before the time ran out
    assert points["ana", "total"] == 1 and points["ben", "total"] == 2
    assert (book.loc[book["question"] == "total", "max_points"] == len(lesson)).all()
    cem = book[(book["student"] == "cem") & (book["question"] == "lesson_05.q3")]
    assert "stopped after 20 s" in cem["status"].item()


def test_submissions_are_found_per_folder_or_per_file(tmp_path):
    _notebook(tmp_path / "a" / "x" / "n.ipynb", "1")
    _notebook(tmp_path / "b.ipynb", "1")
    _notebook(tmp_path / "a" / ".ipynb_checkpoints" / "n-checkpoint.ipynb", "1")
    found = [(s, p.name) for s, p in grading.find_submissions(tmp_path)]
    assert found == [("a", "n.ipynb"), ("b", "b.ipynb")]


def test_grade_refuses_a_folder_without_notebooks(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    assert "no notebooks" in capsys.readouterr().err
