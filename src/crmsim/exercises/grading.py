"""Grade collected notebooks: run each one, record its answers, check them, write a gradebook.

``crmsim grade submissions/ --out grades.csv`` runs every notebook found under
``submissions/`` in a Jupyter kernel of the current Python environment, with a time limit
each. A first cell added to the notebook records every ``ex.qN.check(answer)`` the notebook
makes (the question and the answer itself, not the verdict printed to the student); when the
notebook has run, each question's last recorded answer is checked again here, by the
checkers of the installed package. Installed from the instructor edition, those are the
checkers that recompute every answer from the model, so a student who rewrote ``check`` in
their notebook gains nothing, and the student edition's answer key is not needed.

Submissions may be laid out as ``submissions/<student>/<notebook>.ipynb`` (one folder per
student, as learning platforms export them; deeper folders are fine) or as
``submissions/<student>.ipynb``. The gradebook has one row per student, notebook and question
of the lessons the notebook imports (unanswered questions score 0), and a ``total`` row per
student.

Run untrusted submissions in a container or a throw-away account: grading executes them.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import os
import pickle
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crmsim.exercises.core import Discussion, Prediction, Question, question_id

#: Seconds a notebook may run before grading stops it (``crmsim grade --timeout``).
DEFAULT_TIMEOUT = 600.0
#: Columns of the gradebook, in order.
COLUMNS = [
    "student",
    "notebook",
    "question",
    "title",
    "points",
    "max_points",
    "status",
    "prediction",
    "answer",
]
#: Status of a discussion answer that awaits marking by hand (its points are left empty).
MANUAL = "manual"

_IMPORT = re.compile(r"from\s+crmsim\.exercises\s+import\s+(lesson_\d+)\b")
_RECORD_ENV = "CRMSIM_GRADING_RECORD"

__all__ = [
    "COLUMNS",
    "DEFAULT_TIMEOUT",
    "MANUAL",
    "NotebookRun",
    "all_questions",
    "discussions_markdown",
    "find_submissions",
    "grade",
    "lessons_used",
    "questions_of",
    "rubrics_markdown",
    "run_notebook",
    "start_recording",
]


# ------------------------------------------------------------------ inside the kernel
def start_recording(path: str | os.PathLike[str]) -> None:
    """Record every question checked from now on, with its answer, into the file ``path``.

    Called by the cell that grading adds at the top of a notebook; each check appends one line
    (the question's id and title, the pickled answer and, for a
    :class:`~crmsim.exercises.core.Prediction`, the prediction then in force). The learner
    still sees the usual feedback.
    """
    original = Question.check
    target = Path(path)

    def recording_check(self: Question, answer: Any = None, quiet: bool = False) -> bool:
        result = original(self, answer, quiet)
        try:
            blob = base64.b64encode(pickle.dumps(answer)).decode("ascii")
        except Exception:  # an answer that cannot be pickled is graded as unreadable
            blob = ""
        prediction = getattr(self, "prediction", None) if isinstance(self, Prediction) else None
        said = base64.b64encode(str(prediction).encode()).decode("ascii") if prediction else ""
        title = " ".join(str(self.title).split())  # no tab or newline inside a field
        with target.open("a", encoding="utf-8") as out:
            out.write(f"{question_id(self) or ''}\t{title}\t{blob}\t{said}\n")
        return result

    Question.check = recording_check  # type: ignore[method-assign]


# ------------------------------------------------------------------ running a notebook
@dataclass
class NotebookRun:
    """What one notebook did when run: its last answer to each question, and any failure."""

    path: Path
    answers: dict[str, Any] = field(default_factory=dict)
    predictions: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    error: str = ""
    seconds: float = 0.0


def _kernel_manager() -> Any:
    from jupyter_client.manager import KernelManager

    class CurrentEnvironment(KernelManager):
        """A kernel of this very interpreter, whatever kernels are installed elsewhere."""

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            return [
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                self.connection_file,
                *(extra_arguments or []),
            ]

    return CurrentEnvironment(kernel_name="python3")


def _kill(kernel: Any) -> None:
    process = getattr(getattr(kernel, "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        with contextlib.suppress(OSError):  # it may have ended meanwhile
            process.kill()


def _read_records(path: Path, run: NotebookRun) -> None:
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _title, blob, said = (line.split("\t") + ["", "", ""])[:4]
        if not qid:
            continue
        try:
            prediction = base64.b64decode(said).decode() if said else ""
        except Exception:  # a damaged record: no prediction rather than no grade
            prediction = ""
        if prediction:
            run.predictions[qid] = prediction
        else:
            run.predictions.pop(qid, None)
        try:
            run.answers[qid] = pickle.loads(base64.b64decode(blob)) if blob else None
            run.unreadable.discard(qid)
            if not blob:
                run.unreadable.add(qid)
        except Exception:
            run.unreadable.add(qid)


def run_notebook(
    path: Path, timeout: float = DEFAULT_TIMEOUT, cells: Sequence[str] | None = None
) -> NotebookRun:
    """Run a notebook in a fresh kernel and collect the answers it checked.

    Parameters
    ----------
    path : Path
        The notebook; it runs in its own folder, so relative paths in it work.
    timeout : float
        Seconds the whole notebook may take; a cell that raises does not stop the others.
    cells : sequence of str, optional
        Run these code cells instead of the notebook's own (used to run only part of one).

    Returns
    -------
    NotebookRun
        The last answer given to each question, and an error message if the run failed or
        ran out of time (answers checked before that still count).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    run = NotebookRun(path)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crmsim-grade-") as scratch:
        record = Path(scratch) / "checks.tsv"
        notebook = nbformat.read(path, as_version=4)
        code = (
            [nbformat.v4.new_code_cell(source) for source in cells]
            if cells is not None
            else [cell for cell in notebook.cells if cell.cell_type == "code"]
        )
        setup = nbformat.v4.new_code_cell(
            "import matplotlib\nmatplotlib.use('Agg')\n"
            "from crmsim.exercises import grading as _crmsim_grading\n"
            f"_crmsim_grading.start_recording({str(record)!r})"
        )
        notebook.cells = [setup, *code]
        kernel = _kernel_manager()
        client = NotebookClient(
            notebook,
            km=kernel,
            timeout=max(1, int(timeout)),
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        # The whole notebook's limit. nbclient can wait for ever on the output of a kernel that
        # was killed, so it runs in a thread of its own that is abandoned when time is up.
        outcome: list[BaseException | None] = []

        def execute() -> None:
            try:
                client.execute()
                outcome.append(None)
            except BaseException as err:  # reported below, in the grading thread
                outcome.append(err)

        worker = threading.Thread(target=execute, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive() or isinstance(outcome[0], CellTimeoutError | DeadKernelError):
            run.error = f"stopped after {timeout:g} s"
        elif outcome[0] is not None:  # a broken notebook must not stop the other students
            lines = str(outcome[0]).strip().splitlines() or [""]
            run.error = f"{type(outcome[0]).__name__}: {lines[-1]}"
        if worker.is_alive() or not kernel.has_kernel:
            _kill(kernel)
        else:
            try:
                kernel.shutdown_kernel(now=True)
            except Exception:  # a kernel that will not stop is killed
                _kill(kernel)
        failed = [
            cell.outputs
            for cell in notebook.cells
            if any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        ]
        if failed and not run.error:
            run.error = f"{len(failed)} cell(s) raised an error"
        _read_records(record, run)
    run.seconds = time.monotonic() - started
    return run


# ------------------------------------------------------------------ grading
def lessons_used(path: Path) -> list[str]:
    """The exercise modules (``lesson_NN``) a notebook imports, in order of first use."""
    found = _IMPORT.findall(Path(path).read_text(encoding="utf-8"))
    return list(dict.fromkeys(found))


def questions_of(lesson: str) -> dict[str, Question]:
    """The questions ``qN`` of one exercise module, by id (``"lesson_05.q1"``), in order."""
    module = importlib.import_module(f"crmsim.exercises.{lesson}")
    found = {
        name: q
        for name, q in vars(module).items()
        if re.fullmatch(r"q\d+", name) and isinstance(q, Question)
    }
    return {f"{lesson}.{name}": found[name] for name in sorted(found, key=lambda n: int(n[1:]))}


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """``(student, notebook)`` for every notebook under ``folder`` (checkpoints skipped)."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        student = relative.parts[0] if len(relative.parts) > 1 else path.stem
        found.append((student, path))
    return found


def grade(
    folder: Path,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run and grade every notebook under ``folder``.

    Parameters
    ----------
    folder : Path
        The collected submissions (see the module's description for the layout).
    timeout : float
        Seconds each notebook may run.
    progress : callable, optional
        Called with one line per notebook graded (the command line prints them).

    Returns
    -------
    pandas.DataFrame
        One row per student, notebook and question, columns :data:`COLUMNS`, then one
        ``total`` row per student (``points`` and ``max_points`` summed).
    """
    rows: list[dict[str, Any]] = []
    for student, path in find_submissions(folder):
        lessons = lessons_used(path)
        run = run_notebook(path, timeout) if lessons else NotebookRun(path)
        notebook = path.name
        for lesson in lessons:
            for qid, question in questions_of(lesson).items():
                rows.append(_row(student, notebook, qid, question, run))
        if not lessons:
            rows.append(
                {
                    "student": student,
                    "notebook": notebook,
                    "question": "",
                    "title": "",
                    "points": 0,
                    "max_points": 0,
                    "status": "no exercises in this notebook",
                    "prediction": "",
                    "answer": "",
                }
            )
        if progress is not None:
            mine = [r for r in rows if r["student"] == student and r["notebook"] == notebook]
            got = sum(r["points"] for r in mine if r["points"] is not None)
            manual = sum(r["status"].startswith(MANUAL) for r in mine)
            progress(
                f"{student}/{notebook}: {got} point(s)"
                + (f", {manual} answer(s) to mark by hand" if manual else "")
                + f" in {run.seconds:.0f} s"
                + (f" ({run.error})" if run.error else "")
            )
    book = pd.DataFrame(rows, columns=COLUMNS)
    if book.empty:
        return book
    book["points"] = book["points"].astype("Int64")  # empty for answers marked by hand
    book["manual"] = book["status"].str.startswith(MANUAL)
    totals = (
        book.groupby("student", sort=False)
        .agg(points=("points", "sum"), max_points=("max_points", "sum"), manual=("manual", "sum"))
        .reset_index()
    )
    totals["status"] = [
        f"{n} answer(s) to mark by hand, not counted in points" if n else ""
        for n in totals["manual"]
    ]
    totals = totals.assign(notebook="", question="total", title="", prediction="", answer="")[
        COLUMNS
    ]
    book = book.drop(columns="manual")
    ordered = pd.concat([book, totals], ignore_index=True)
    ordered["_order"] = ordered["question"].eq("total")
    ordered = ordered.sort_values(["student", "_order"], kind="stable").drop(columns="_order")
    ordered["points"] = ordered["points"].astype("Int64")
    return ordered.reset_index(drop=True)


def _row(student: str, notebook: str, qid: str, question: Question, run: NotebookRun) -> dict:
    """One gradebook row: a question's points and status for one student's notebook."""
    points: int | None
    answer = run.answers.get(qid)
    text = ""
    if qid in run.unreadable:
        points, status = 0, "answer could not be read back"
    elif qid not in run.answers:
        points, status = 0, "not answered" + (f" ({run.error})" if run.error else "")
    elif isinstance(question, Discussion):
        text = answer.strip() if isinstance(answer, str) else ""
        if not isinstance(answer, str):
            points, status = 0, "not correct (not a text)"
        elif not text:
            points, status = 0, "not answered"
        else:
            points, status = None, MANUAL
            words = len(text.split())
            if words < question.min_words:
                status += f" (only {words} words of the {question.min_words} asked)"
    else:
        ok = question.mark(answer).correct
        points, status = int(ok), "correct" if ok else "not correct"
    prediction = ""
    if isinstance(question, Prediction):
        prediction = run.predictions.get(qid, "")
        if qid in run.answers and not prediction:
            status += " (no prediction made)"
    return {
        "student": student,
        "notebook": notebook,
        "question": qid,
        "title": question.title,
        "points": points,
        "max_points": 1,
        "status": status,
        "prediction": prediction,
        "answer": text,
    }


# ------------------------------------------------------------------ for the instructor
def all_questions() -> dict[str, Question]:
    """Every question of every lesson module (``crmsim.exercises.lesson_NN``), by id."""
    import pkgutil

    import crmsim.exercises as package

    lessons = sorted(
        m.name
        for m in pkgutil.iter_modules(package.__path__)
        if re.fullmatch(r"lesson_\d+", m.name)
    )
    return {qid: q for lesson in lessons for qid, q in questions_of(lesson).items()}


def rubrics_markdown(questions: dict[str, Question] | None = None) -> str:
    """A document for instructors: every discussion question's model answer and rubric.

    Parameters
    ----------
    questions : dict, optional
        Question id to question; every lesson's (:func:`all_questions`) by default. Only the
        :class:`~crmsim.exercises.core.Discussion` questions among them are written.
    """
    questions = all_questions() if questions is None else questions
    parts = [
        "# Discussion questions: model answers and rubrics\n",
        "For instructors only: do not hand this out. Made from the exercise modules "
        "(`crmsim.exercises.lesson_NN`) of the instructor edition; the student edition ships "
        "neither the model answers nor the rubrics. `crmsim grade` leaves these answers "
        "unmarked (status `manual`) and writes them beside the rubrics in "
        "`<gradebook>-discussions.md`.\n",
    ]
    found = 0
    for qid, question in questions.items():
        if not isinstance(question, Discussion):
            continue
        found += 1
        parts.append(f"## {qid}: {question.title}\n")
        parts.append(f"At least {question.min_words} words.\n")
        parts.append("### Model answer\n")
        parts.append((question.solution_text.strip() or "*(none written)*") + "\n")
        parts.append("### Rubric\n")
        parts.append((question.rubric.strip() or "*(none written)*") + "\n")
    if not found:
        parts.append("No discussion questions yet.\n")
    return "\n".join(parts)


def discussions_markdown(book: pd.DataFrame, questions: dict[str, Question] | None = None) -> str:
    """The discussion answers of a gradebook (:func:`grade`), question by question, each
    question's rubric first, for marking by hand."""
    rows = book[book["status"].astype(str).str.startswith(MANUAL)]
    parts = ["# Discussion answers to mark by hand\n"]
    if rows.empty:
        parts.append("No discussion answers in these submissions.\n")
    for qid, answers in rows.groupby("question", sort=False):
        question = (questions or {}).get(qid)
        if question is None:
            lesson = str(qid).split(".")[0]
            with contextlib.suppress(ImportError):
                question = questions_of(lesson).get(qid)
        title = answers["title"].iloc[0]
        parts.append(f"## {qid}: {title}\n")
        rubric = getattr(question, "rubric", "").strip()
        if rubric:
            parts.append("**Rubric**\n\n" + rubric + "\n")
        for _, row in answers.iterrows():
            note = "" if row["status"] == MANUAL else f" — {row['status'][len(MANUAL) :].strip()}"
            quoted = "\n".join("> " + line for line in str(row["answer"]).splitlines())
            parts.append(f"### {row['student']} ({row['notebook']}){note}\n\n{quoted}\n")
            parts.append("Points: ____\n")
    return "\n".join(parts)
