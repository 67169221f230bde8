"""The student edition keeps no solutions, and the instructor edition's solutions pass their checks.

``tools/make_student.py`` turns the committed (instructor) notebooks into the
student edition. Here we build it into a temporary folder and check that no
solution survives and every notebook is still valid; then, for every lesson
module in ``crmsim.exercises``, we run the exercise cells of its instructor
notebook and require every question of the module to have been checked, and
passed, by the notebook's own solution.

Running exercise cells needs a Jupyter kernel (nbclient, ipykernel); without
them that part is skipped. To stay fast, only the exercise section of each
notebook is run (from the cell that imports ``crmsim.exercises.lesson_NN`` on,
after the notebook's first code cell); a notebook whose exercises use variables
from earlier cells is run whole instead.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import io
import json
import os
import pickle
import pkgutil
import re
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SRC = ROOT / "src"

nbformat = pytest.importorskip("nbformat")


def _load_make_student():
    spec = importlib.util.spec_from_file_location(
        "make_student", ROOT / "tools" / "make_student.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_student"] = module
    spec.loader.exec_module(module)
    return module


make_student = _load_make_student()
# the English notebooks, then the Persian ones (notebooks/fa)
INSTRUCTOR = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "fa").glob("*.ipynb"))


def _code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _solution_lines(source: str) -> tuple[list[str], list[str]]:
    """Lines inside solution blocks, and lines outside them, of one cell."""
    inside, outside, in_block = [], [], False
    for line in source.splitlines():
        if make_student.BEGIN.match(line):
            in_block = True
        elif make_student.END.match(line):
            in_block = False
        else:
            (inside if in_block else outside).append(line.strip())
    return inside, outside


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.build(out, NOTEBOOKS, ROOT / "lessons")
    return out


# --------------------------------------------------------------------------- the student edition
def test_every_notebook_gets_a_student_version(student_dir):
    assert INSTRUCTOR, "no notebooks found"
    built = sorted((student_dir / "notebooks").rglob("*.ipynb"))
    assert [p.relative_to(student_dir) for p in built] == sorted(
        p.relative_to(ROOT) for p in INSTRUCTOR
    )


def test_lessons_are_copied(student_dir):
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("*.md"))
    assert lessons
    assert sorted(p.name for p in (student_dir / "lessons").glob("*.md")) == lessons


@pytest.mark.parametrize("path", INSTRUCTOR, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_student_notebook_is_valid_and_has_no_solution(student_dir, path):
    student = nbformat.read(student_dir / path.relative_to(ROOT), as_version=4)
    nbformat.validate(student)
    text = json.dumps(student)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text

    instructor = nbformat.read(path, as_version=4)
    solution, elsewhere = [], set()
    for cell in instructor.cells:
        if cell.cell_type == "code":
            inside, outside = _solution_lines(cell.source)
            solution += inside
            elsewhere |= set(outside)
        else:
            elsewhere |= {line.strip() for line in cell.source.splitlines()}
    secret = [
        line for line in solution
        if line and not line.startswith("#") and line not in elsewhere
        and not re.fullmatch(r"[\w.]+ = (\.\.\.|\"\"\"|\'\'\')", line) and len(line) > 3
    ]  # fmt: skip
    student_lines = {
        line.strip() for source in _code_cells(student) for line in source.splitlines()
    }
    survivors = [line for line in secret if line in student_lines]
    assert not survivors, f"{path.name}: solution code left in the student edition: {survivors[:3]}"
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def _names(source: str) -> tuple[set[str], set[str]]:
    """Names a cell binds and reads at its top level (not inside the functions it defines)."""
    import ast

    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set(), set()
    bound, read = set(), set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)  # its body is a scope of its own
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        pending.extend(ast.iter_child_nodes(node))
    return bound, read


@pytest.mark.parametrize("path", INSTRUCTOR, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_student_notebook_reads_no_name_only_a_solution_binds(student_dir, path):
    """A cell after an exercise must not lean on a variable the removed solution made."""
    import builtins

    student = nbformat.read(student_dir / path.relative_to(ROOT), as_version=4)
    known = set(dir(builtins)) | {"display", "get_ipython", "In", "Out", "_"}
    for number, source in enumerate(_code_cells(student)):
        bound, read = _names(source)
        missing = read - known - bound
        assert not missing, (
            f"{path.name}, code cell {number}: reads {sorted(missing)}, which only a solution "
            "defines in the student edition"
        )
        known |= bound


@pytest.mark.parametrize("path", INSTRUCTOR, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_an_answer_is_used_outside_its_solution_only_to_check_it(path):
    """In the student edition an answer is ``...`` until written: printing or computing with it
    outside the solution block would fail before the student has answered."""
    instructor = nbformat.read(path, as_version=4)
    for number, source in enumerate(_code_cells(instructor)):
        if "SOLUTION" not in source:
            continue
        _, outside = _solution_lines(source)
        for line in outside:
            uses = re.search(r"\banswer\w*\b", line)
            harmless = (
                line.startswith("#")
                or "# SOLUTION" in line
                or re.fullmatch(r"(assert )?ex\.q\d+\.check\(answer\w*\)", line)
            )
            assert not uses or harmless, f"{path.name}, code cell {number}: {line!r}"


def test_solution_blocks_become_prompts_and_answer_placeholders():
    source = (
        "x = 1\n### BEGIN SOLUTION\ny = x + 1\nanswer = y * 2\n### END SOLUTION\n"
        "assert ex.q1.check(answer)"
    )
    assert (
        make_student.strip_code(source)
        == "x = 1\n# YOUR CODE HERE\nanswer = ...\nex.q1.check(answer)"
    )
    assert make_student.strip_code("answer = 42  # SOLUTION") == "answer = ..."
    md = "Why?\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->"
    assert "Because" not in make_student.strip_markdown(md)


def test_unbalanced_markers_are_an_error():
    with pytest.raises(make_student.SolutionMarkerError):
        make_student.strip_code("### BEGIN SOLUTION\nanswer = 1")
    with pytest.raises(make_student.SolutionMarkerError):
        make_student.strip_code("answer = 1\n### END SOLUTION")
    with pytest.raises(make_student.SolutionMarkerError):
        make_student.strip_markdown("<!-- BEGIN SOLUTION --> no end")


# --------------------------------------------------------------------------- the instructor edition
def _lesson_modules() -> list[str]:
    import crmsim.exercises as package

    return sorted(
        m.name
        for m in pkgutil.iter_modules(package.__path__)
        if re.fullmatch(r"lesson_\d+", m.name)
    )


def _notebook_for(module: str) -> Path | None:
    pattern = re.compile(rf"from\s+crmsim\.exercises\s+import\s+{module}\b")
    for path in INSTRUCTOR:
        if pattern.search(path.read_text(encoding="utf-8")):
            return path
    return None


RECORDER = """
import base64 as _crmsim_base64
import json as _crmsim_json
import pickle as _crmsim_pickle
from crmsim.exercises import core as _crmsim_core
_crmsim_checks = []
_crmsim_original_check = _crmsim_core.Question.check
def _crmsim_recording_check(self, answer=None, quiet=False):
    result = _crmsim_original_check(self, answer, quiet)
    try:
        blob = _crmsim_base64.b64encode(_crmsim_pickle.dumps(answer)).decode("ascii")
    except Exception:
        blob = ""
    _crmsim_checks.append([self.title, bool(result), _crmsim_core.question_id(self), blob])
    return result
_crmsim_core.Question.check = _crmsim_recording_check
import matplotlib
matplotlib.use("Agg")
"""
REPORT = 'print("__CRMSIM_CHECKS__" + _crmsim_json.dumps(_crmsim_checks))'


def _run(cells: list[str], workdir: Path) -> list[list]:
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in [RECORDER, *cells, REPORT]]
    )
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    ).execute()
    for output in nb.cells[-1].outputs:
        text = output.get("text", "")
        if "__CRMSIM_CHECKS__" in text:
            return json.loads(text.split("__CRMSIM_CHECKS__", 1)[1])
    raise AssertionError("the exercise cells did not report their checks")


@pytest.mark.parametrize("module_name", _lesson_modules())
def test_instructor_solutions_pass_their_checks(module_name, monkeypatch):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient.exceptions import CellExecutionError

    path = _notebook_for(module_name)
    assert path is not None, f"no notebook imports crmsim.exercises.{module_name}"
    module = importlib.import_module(f"crmsim.exercises.{module_name}")
    questions = [q for name, q in sorted(vars(module).items()) if re.fullmatch(r"q\d+", name)]
    assert questions, f"{module_name} defines no questions q1, q2 ..."

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    cells = _code_cells(nbformat.read(path, as_version=4))
    start = next(i for i, s in enumerate(cells) if f"import {module_name}" in s)
    try:
        checks = _run([cells[0], *cells[start:]] if start else cells, NOTEBOOKS)
    except CellExecutionError as err:
        if "NameError" not in str(err):
            raise
        checks = _run(cells, NOTEBOOKS)  # the exercises use earlier results: run it all

    results: dict[str, bool] = {}
    answers: dict[str, object] = {}
    for title, ok, qid, blob in checks:
        results[title] = ok  # the last check of a question counts
        if qid:  # as make_student's reference_answers does: the last answer is the key's
            answers[qid] = pickle.loads(base64.b64decode(blob)) if blob else _UNPICKLABLE
    for question in questions:
        assert question.title in results, f"{path.name} never checks '{question.title}'"
        assert results[question.title], (
            f"{path.name}: the solution to '{question.title}' fails its check"
        )
    _answer_key_accepts(module_name, answers)


_UNPICKLABLE = object()


def _answer_key_accepts(module_name: str, answers: dict[str, object]) -> None:
    """The student edition's key, made from these answers, accepts each of them.

    This is the key ``make student`` ships (:func:`crmsim.exercises.key.make_key` of the
    instructor notebooks' last answers), so an answer the key cannot represent or does not
    match again would mark the instructor's own answer wrong in the student edition.
    """
    from crmsim.exercises.key import KeyedChecker, make_key

    module = importlib.import_module(f"crmsim.exercises.{module_name}")
    ids = {f"{module_name}.{n}": q for n, q in vars(module).items() if re.fullmatch(r"q\d+", n)}
    for qid in ids:
        assert qid in answers, f"no answer to {qid} was recorded"
        assert answers[qid] is not _UNPICKLABLE, f"{qid}: the answer cannot be pickled"
    keyed = make_student.key_answers({q: answers[q] for q in ids}, ids)
    key = make_key(keyed, {q: ids[q].title for q in keyed}, salt="test")
    for qid in keyed:
        question = ids[qid]
        entry = key["questions"][qid]
        assert entry["kind"] != "graded only", f"{qid}: the key cannot hold {answers[qid]!r}"
        student = _as_in_student_edition(question, KeyedChecker(qid, key))
        assert student.check(answers[qid], quiet=True), (
            f"{qid}: the answer key rejects the instructor's answer {answers[qid]!r}: "
            f"{student.judge(answers[qid]).message}"
        )


def _as_in_student_edition(question, checker):
    """A copy of ``question`` that checks with ``checker`` (a prediction already made)."""
    import copy

    from crmsim.exercises.core import Prediction

    student = copy.copy(question)
    student.checker = checker
    if isinstance(student, Prediction):
        student.prediction = student.choices[0]
    return student


# --------------------------------------------------------------------------- self-contained
#: Questions whose module ships a public helper that computes the answer (the notebooks use
#: it), so the student edition cannot hide the method. To go when the exercises are rewritten.
HELPERS_THAT_ANSWER = {
    "lesson_06.q2": "a helper",
    "lesson_03.q3": "a helper",
    "lesson_02.q3": "opening_cohort_lost",
}


def test_the_edition_has_a_readme_with_set_up_steps(student_dir):
    readme = (student_dir / "README.md").read_text(encoding="utf-8")
    assert "pip install" in readme and "jupyter lab" in readme
    assert (student_dir / "pyproject.toml").is_file()


def test_every_relative_link_of_the_edition_resolves_inside_it(student_dir):
    pages = [student_dir / "README.md", *student_dir.glob("lessons/**/*.md")]
    pages += list(student_dir.glob("docs/**/*.md"))
    assert any(p.parent.name == "docs" for p in pages), "the lessons' docs were not copied"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            path = target.split("#")[0]
            if not path or "://" in path:
                continue
            assert (page.parent / path).exists(), f"{page.name}: broken link {target}"
    assert not (student_dir / "docs" / "instructors.md").exists()


def _code_lines(source: str) -> set[str]:
    """The lines of a module's source that hold no part of a string (its code)."""
    in_strings: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if tokenize.tok_name[token.type].startswith(("STRING", "FSTRING")):
            in_strings.update(range(token.start[0], token.end[0] + 1))
    lines = source.splitlines()
    return {line.strip() for n, line in enumerate(lines, 1) if n not in in_strings}


def test_student_exercise_modules_hold_no_checker_and_no_solution(student_dir):
    from crmsim.exercises.core import Discussion

    for module in _lesson_modules():
        source = (student_dir / "src" / "crmsim" / "exercises" / f"{module}.py").read_text()
        compile(source, module, "exec")
        original = importlib.import_module(f"crmsim.exercises.{module}")
        code = _code_lines(Path(original.__file__).read_text(encoding="utf-8"))
        for name, question in vars(original).items():
            if not re.fullmatch(r"q\d+", name):
                continue
            if isinstance(question, Discussion):  # marked by hand: no key, no rubric
                assert f"KeyedChecker('{module}.{name}')" not in source
                for line in question.rubric.splitlines():
                    line = line.strip(" -*")
                    if len(line) > 12:
                        assert line not in source, f"{module}.{name}: rubric shipped: {line}"
            else:
                assert f"KeyedChecker('{module}.{name}')" in source
            checker = question.checker
            if getattr(checker, "__module__", "") == original.__name__ and "." not in getattr(
                checker, "__qualname__", "."
            ):  # a module-level checker function (label_checker's are made inside core)
                assert f"def {checker.__name__}(" not in source, f"{module}.{name}: checker shipped"
            if f"{module}.{name}" in HELPERS_THAT_ANSWER:
                continue
            for line in question.solution_text.splitlines():
                line = line.strip()
                if line in code:  # the module's own code has it too (f = model.frame)
                    continue
                if len(line) > 12 and not line.startswith(("#", "from ", "import ")):
                    assert line not in source, f"{module}.{name}: solution shipped: {line}"
        assert "Examples\n" not in source


def test_exercise_cells_carry_nbgrader_metadata(student_dir):
    for path in INSTRUCTOR:
        student = nbformat.read(student_dir / path.relative_to(ROOT), as_version=4)
        graded = [c for c in student.cells if "nbgrader" in c.metadata]
        ids = [c.metadata.nbgrader.grade_id for c in graded]
        assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat"
        checks = [c for c in student.cells if c.cell_type == "code" and ".check(" in c.source]
        for cell in checks:
            meta = cell.metadata.get("nbgrader")
            assert meta, f"{path.name}: an exercise cell has no nbgrader metadata"
            assert meta["schema_version"] == 3 and meta["solution"] and meta["grade"]
            assert meta["points"] == 1 and not meta["locked"]
            assert re.fullmatch(r"lesson_\d+-q\d+(-again)*", meta["grade_id"])


@pytest.fixture(scope="module")
def student_package(tmp_path_factory) -> Path:
    """The student edition's package (no answer key)."""
    return make_student.build_package(tmp_path_factory.mktemp("package"), None)


def _shipped_messages(package: Path, files: str) -> set[str]:
    """The message ids of the edition's catalog files matching ``files`` (a glob under
    ``locale/``, such as ``"*/LC_MESSAGES/exercises*.po"``)."""
    from babel.messages.pofile import read_po

    shipped = set()
    for path in (package / "locale").glob(files):
        with path.open("rb") as handle:
            shipped |= {message.id for message in read_po(handle) if message.id}
    return shipped


def test_the_student_editions_persian_catalogs_carry_no_solution(student_package):
    # the catalogs hold every text of the instructor's modules in Persian: the edition keeps
    # only the messages its own modules still use
    shipped = _shipped_messages(student_package, "*/LC_MESSAGES/exercises*.po")
    assert shipped  # the questions' titles and hints are still there to translate
    withheld = 0
    for module in _lesson_modules():
        original = importlib.import_module(f"crmsim.exercises.{module}")
        for name, question in vars(original).items():
            if not re.fullmatch(r"q\d+", name) or f"{module}.{name}" in HELPERS_THAT_ANSWER:
                continue
            for text in (question.solution_text, getattr(question, "rubric", "")):
                if text:
                    withheld += 1
                    assert text not in shipped, f"{module}.{name}: its answer ships in Persian"
    assert withheld > 20


def test_what_a_question_shows_keeps_its_persian_in_the_student_edition(student_package):
    # pruned to what the edition's modules mark, the catalogs must still hold what a question
    # shows that is not marked where it is shown: a classification's labels and items, and the
    # statements the lessons list (crmsim.i18n.Messages)
    from crmsim.exercises import Classification
    from crmsim.i18n import Messages

    shipped = _shipped_messages(student_package, "fa/LC_MESSAGES/*.po")
    shown = []
    for module in _lesson_modules():
        for name, value in vars(importlib.import_module(f"crmsim.exercises.{module}")).items():
            if isinstance(value, Classification):
                labels = value.labels if value.kind is None else ()
                shown += [(f"{module}.{name}", text) for text in (*labels, *value.items)]
            elif isinstance(value, Messages):
                shown += [(f"{module}.{name}", text) for text in value.messages.values()]
    missing = [
        (where, text)
        for where, text in shown
        if len(text) > 1 and not text.isupper() and text not in shipped
    ]
    assert len(shown) > 100 and not missing, missing[:5]


@pytest.mark.parametrize(("language", "other"), [("en", "fa"), ("fa", "en")])
def test_the_edition_has_a_readme_in_each_language_its_language_first(tmp_path, language, other):
    make_student.build(tmp_path, NOTEBOOKS, ROOT / "lessons", package=False, language=language)
    first = (tmp_path / "README.md").read_text(encoding="utf-8")
    second = (tmp_path / f"README.{other}.md").read_text(encoding="utf-8")
    persian, english = (first, second) if language == "fa" else (second, first)
    assert persian.startswith('<div dir="rtl" lang="fa">') and "notebooks/fa/" in persian
    assert english.startswith("# crmsim: the student edition")
    assert (tmp_path / "lessons" / "fa" / "README.md").exists()
