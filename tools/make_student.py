#!/usr/bin/env python3
"""Build the student edition of the course from the instructor notebooks.

The committed notebooks are the *instructor edition*: every exercise has its
worked solution between marker lines, and its check cell asserts that the
solution passes (so running the notebooks under nbval tests the exercises).
The student edition is the same material with the solutions taken out:

* in code cells, every block from ``### BEGIN SOLUTION`` to ``### END SOLUTION``
  becomes ``# YOUR CODE HERE``, followed by ``answer = ...`` for each answer
  variable the block assigned (``answer``, ``answer_*`` or ``*_answer``);
* a single line ending in ``# SOLUTION`` keeps its left-hand side: ``x = 3  # SOLUTION``
  becomes ``x = ...``;
* ``assert ex.q1.check(answer)`` becomes ``ex.q1.check(answer)``, so an unanswered
  question prints friendly feedback instead of raising;
* in markdown cells, everything between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` is replaced by a prompt;
* outputs and execution counts are cleared.

Exercise cells also get nbgrader's cell metadata (schema 3): each exercise code cell and each
markdown answer is a "manually graded answer" with a ``grade_id`` (``lesson_05-q1``) and one
point, so the notebooks can be taken into an nbgrader course without tagging cells by hand. A
cell that only records a prediction (``ex.q4.predict(...)``, no check) is an answer cell worth
no points (``lesson_05-q4-prediction``): predictions are recorded, not marked. A written
(discussion) answer's solution, a triple-quoted text assigned to ``answer``, becomes an empty
text to write in, and a line ``ex.q4.predict("falls")  # SOLUTION`` becomes
``ex.q4.predict(...)``.

The edition is self-contained: ``OUT/README.md`` (how to set up and start), ``OUT/notebooks``,
``OUT/lessons`` (the reading), ``OUT/docs`` (the pages the lessons link to; links to anything
else become plain text) and the package itself (``OUT/pyproject.toml``, ``OUT/src/crmsim``) in
which every exercise module is rewritten to check answers against a hashed answer key
(``crmsim/exercises/answer_key.json``, see :mod:`crmsim.exercises.key`): no checker, no
solution and no worked example ships. The key is made from the answers the instructor
notebooks themselves check, by running their exercise cells in a kernel, so it follows the
model when it is recalibrated; ``--no-key`` skips that (the modules then say every answer is
checked when graded).

For the instructor, ``--instructor`` (``build/instructor`` by default, outside the edition) gets
``rubrics.md``: the model answer and rubric of every discussion question, which the edition
does not ship.

Usage::

    python tools/make_student.py --out build/student
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import secrets
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:  # run from a clean clone, before the package is installed
    sys.path.insert(0, str(SRC))

BEGIN = re.compile(r"^(?P<indent>\s*)#+\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
ANSWER_ASSIGNMENT = re.compile(r"^\s*(?P<name>answer\w*|\w+_answer)\s*(?::[^=]+)?=(?!=)")
ONE_LINE_SOLUTION = re.compile(r"^(?P<lhs>\s*[\w.\[\]'\", ]+?\s*=)(?!=).*#\s*SOLUTION\s*$")
ONE_LINE_CALL = re.compile(r"^(?P<call>\s*[\w.]+\().*\)\s*#\s*SOLUTION\s*$")
ANY_SOLUTION_LINE = re.compile(r"^(?P<indent>\s*).*#\s*SOLUTION\s*$")
TEXT_ANSWER = re.compile(r"^\s*(?:answer\w*|\w+_answer)\s*(?::[^=]+)?=\s*[rRuU]?(\"\"\"|\'\'\')")
ASSERTED_CHECK = re.compile(r"^(?P<indent>\s*)assert\s+(?P<call>[\w.]+\.check\(.*\))\s*$")
MD_SOLUTION = re.compile(r"<!--\s*BEGIN SOLUTION\s*-->.*?<!--\s*END SOLUTION\s*-->", re.DOTALL)
MD_MARKER = re.compile(r"<!--\s*(BEGIN|END) SOLUTION\s*-->")

CHECK_CALL = re.compile(r"\b\w+\.(?P<question>q\d+)\.check\(")
PREDICT_CALL = re.compile(r"\b\w+\.(?P<question>q\d+)\.predict\(")
LESSON_IMPORT = re.compile(r"from\s+crmsim\.exercises\s+import\s+(?P<lesson>lesson_\d+)\b")
MD_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<target>[^)\s]+)\)")
#: Pages under docs/ that are for instructors only: links to them become plain text.
INSTRUCTOR_DOCS = {"instructors.md"}

CODE_PROMPT = "# YOUR CODE HERE"
#: What a written (discussion) answer's solution becomes: an empty text to write in.
TEXT_PROMPT = '"""\n\n"""'
MARKDOWN_PROMPT = "*Write your answer here.*"


class SolutionMarkerError(ValueError):
    """A solution block is opened without being closed, or closed without being opened."""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def strip_code(source: str, where: str = "cell") -> str:
    """The student version of one code cell's source."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), 1):
        if block is None:
            begin = BEGIN.match(line)
            if begin:
                block, indent = [], begin.group("indent")
                continue
            if END.match(line):
                raise SolutionMarkerError(
                    f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION"
                )
            one = ONE_LINE_SOLUTION.match(line)
            if one:
                out.append(f"{one.group('lhs')} ...")
                continue
            call = ONE_LINE_CALL.match(line)
            if call:  # ex.q4.predict("falls")  # SOLUTION
                out.append(f"{call.group('call')}...)")
                continue
            other = ANY_SOLUTION_LINE.match(line)
            if other:  # marked, but neither an assignment nor a call: nothing of it stays
                out.append(other.group("indent") + CODE_PROMPT)
                continue
            check = ASSERTED_CHECK.match(line)
            if check:
                out.append(f"{check.group('indent')}{check.group('call')}")
                continue
            out.append(line)
        else:
            if BEGIN.match(line):
                raise SolutionMarkerError(
                    f"{where}, line {number}: BEGIN SOLUTION inside a solution block"
                )
            if END.match(line):
                out.append(indent + CODE_PROMPT)
                names: dict[str, str] = {}
                for solution_line in block:
                    match = ANSWER_ASSIGNMENT.match(solution_line)
                    if match and match.group("name") not in names:
                        text = TEXT_ANSWER.match(solution_line)  # a written answer
                        names[match.group("name")] = TEXT_PROMPT if text else "..."
                out.extend(f"{indent}{name} = {blank}" for name, blank in names.items())
                block = None
                continue
            block.append(line)
    if block is not None:
        raise SolutionMarkerError(f"{where}: BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def strip_markdown(source: str, where: str = "cell") -> str:
    """The student version of one markdown cell's source."""
    stripped = MD_SOLUTION.sub(MARKDOWN_PROMPT, source)
    if MD_MARKER.search(stripped):
        raise SolutionMarkerError(f"{where}: unbalanced <!-- BEGIN/END SOLUTION --> markers")
    return stripped


def nbgrader_metadata(grade_id: str, points: int | None = 1) -> dict:
    """nbgrader's metadata (schema 3) for a "manually graded answer" cell.

    ``points=None`` makes it an answer cell that earns no points of its own (nbgrader's
    "autograded answer"): a prediction, which is recorded but not marked.
    """
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return dict(sorted(meta.items()))


def student_notebook(notebook: dict, name: str = "notebook") -> dict:
    """A copy of a notebook (as parsed JSON) with solutions removed and outputs cleared."""
    nb = json.loads(json.dumps(notebook))
    lessons = LESSON_IMPORT.findall(json.dumps(notebook))
    prefix = lessons[0] if lessons else Path(name).stem
    discussion = 0
    used: set[str] = set()
    for index, cell in enumerate(nb.get("cells", [])):
        where = f"{name}, cell {index}"
        source = _source(cell)
        if cell.get("cell_type") == "code":
            cell["source"] = strip_code(source, where)
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)
            check = CHECK_CALL.search(cell["source"])
            predict = PREDICT_CALL.search(cell["source"])
            if check or predict:
                question = (check or predict).group("question")
                grade_id = f"{prefix}-{question}" + ("" if check else "-prediction")
                while grade_id in used:  # nbgrader needs each id once
                    grade_id += "-again"
                used.add(grade_id)
                cell.setdefault("metadata", {})["nbgrader"] = nbgrader_metadata(
                    grade_id, 1 if check else None
                )
        elif cell.get("cell_type") == "markdown":
            cell["source"] = strip_markdown(source, where)
            if MD_SOLUTION.search(source):
                discussion += 1
                grade_id = f"{prefix}-discussion-{discussion}"
                cell.setdefault("metadata", {})["nbgrader"] = nbgrader_metadata(grade_id)
    nb.setdefault("metadata", {})["crmsim_edition"] = "student"
    return nb


# ------------------------------------------------------------------ the student's package
def strip_docstring_examples(doc: str) -> str:
    """A docstring without its ``Examples`` section (it may show right answers)."""
    return re.split(r"\n\s*Examples\n\s*-{3,}\n", doc, maxsplit=1)[0].rstrip() + "\n"


#: Kinds of question a lesson module may define, and the arguments each keeps in the student
#: edition (the checker becomes the answer key's; solutions, rubrics and checkers go; a reader
#: and a kind stay, so that answers in Persian are read there too).
QUESTION_KINDS = {
    "Question": ("title", "checker", "hints", "reader"),
    "Prediction": ("title", "checker", "choices", "outcome", "hints"),
    "Classification": ("title", "checker", "items", "labels", "aliases", "hints", "kind"),
    "Discussion": ("title", "min_words", "hints"),
}
#: Module-level names that hold answers when nothing left in the student module uses them:
#: private names (``_expected_q2``, ``_TYPE_OF``) and ``EXPECTED...`` constants.
DROPPABLE = re.compile(r"_\w*|EXPECTED\w*")


def _defined_name(statement: ast.stmt) -> str | None:
    """The one name a module-level ``def``, ``class`` or simple assignment defines, or None."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return statement.name
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    return None


def _names_used(statement: ast.stmt) -> set[str]:
    """Names a statement reads (the name it defines, if it defines one, left out)."""
    own = _defined_name(statement)
    if isinstance(statement, ast.Assign) and own:
        parts: list[ast.AST] = [statement.value]
    elif isinstance(statement, ast.AnnAssign) and own:
        parts = [statement.annotation] + ([statement.value] if statement.value else [])
    else:
        parts = [statement]
    used = {node.id for part in parts for node in ast.walk(part) if isinstance(node, ast.Name)}
    return used - {own}


def _without_unused_answers(
    body: list[ast.stmt], answers: set[str] = frozenset()
) -> list[ast.stmt]:
    """``body`` less the definitions of :data:`DROPPABLE` names, and of ``answers`` (names the
    removed checkers, solutions and rubrics used, such as ``Q6_ANSWER``), that nothing left uses.

    Those only the removed checkers used (``_expected_q2``, a mapping of right labels) compute
    or hold answers. What stays is found by reachability from the statements that always stay
    (so two unused private functions calling each other both go).
    """
    droppable: dict[str, list[ast.stmt]] = {}
    for statement in body:
        name = _defined_name(statement)
        if name and (DROPPABLE.fullmatch(name) or name in answers) and not name.startswith("__"):
            droppable.setdefault(name, []).append(statement)
    candidates = {id(s) for statements in droppable.values() for s in statements}
    needed: set[str] = set()
    for statement in body:
        if id(statement) not in candidates:
            needed |= _names_used(statement)
    queue = [name for name in needed if name in droppable]
    while queue:
        name = queue.pop()
        for statement in droppable[name]:
            for used in _names_used(statement):
                if used in droppable and used not in needed:
                    needed.add(used)
                    queue.append(used)
    return [s for s in body if id(s) not in candidates or _defined_name(s) in needed]


def _question_kind(node: ast.stmt) -> tuple[str, ast.Call] | None:
    """``("Prediction", call)`` for ``qN = Prediction(...)`` (or a name's other kinds)."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return None
    if not (isinstance(target, ast.Name) and re.fullmatch(r"q\d+", target.id)):
        return None
    if not isinstance(value, ast.Call):
        raise ValueError(f"{target.id} is not made by a call to one of {sorted(QUESTION_KINDS)}")
    func = value.func
    kind = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if kind not in QUESTION_KINDS:
        raise ValueError(f"{target.id} = {kind}(...): not one of {sorted(QUESTION_KINDS)}")
    return kind, value


def _arguments(kind: str, call: ast.Call) -> dict[str, ast.expr]:
    """A question's constructor arguments by parameter name, positional ones included."""
    import inspect

    from crmsim.exercises import core

    parameters = [
        name
        for name in inspect.signature(getattr(core, kind).__init__).parameters
        if name != "self"
    ]
    found = dict(zip(parameters, call.args, strict=False))
    found.update({k.arg: k.value for k in call.keywords if k.arg})
    return found


def student_module(source: str, lesson: str) -> str:
    """An exercise module's source with its checkers and solutions replaced by the answer key.

    Every question ``qN`` (a :class:`~crmsim.exercises.core.Question`, ``Prediction``,
    ``Classification`` or ``Discussion``) is rebuilt with only the arguments the student needs
    (:data:`QUESTION_KINDS`): its checker becomes ``KeyedChecker("lesson_NN.qN")`` (a
    discussion keeps its own word count and has no key entry); solutions and rubrics go.
    Checker functions, and whatever only they used among private names and ``EXPECTED...``
    constants, are removed, as are constants only a removed solution or rubric used
    (``solution=Q6_ANSWER``) (:func:`_without_unused_answers`), and so is every docstring's
    ``Examples`` section (the module's and the helpers'). Everything else (run helpers, public
    constants, a prediction's ``outcome`` function) stays: the notebooks use it.

    Raises
    ------
    ValueError
        If some ``qN`` is not made by one of those classes (its checker would ship), or an
        ``EXPECTED...`` constant is still used by code that ships (a run helper, an
        ``outcome`` function).
    """
    tree = ast.parse(source)
    checkers: set[str] = set()
    dropped: set[str] = set()  # names the arguments that do not ship use (solution=Q6_ANSWER)
    for node in tree.body:
        found = _question_kind(node)
        if found is None:
            continue
        kind, call = found
        name = node.targets[0].id if isinstance(node, ast.Assign) else node.target.id
        given = _arguments(kind, call)
        checker = given.get("checker")
        if isinstance(checker, ast.Name):
            checkers.add(checker.id)
        for parameter, value in given.items():
            if parameter not in QUESTION_KINDS[kind] or parameter == "checker":
                dropped |= {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        keywords = []
        for parameter in QUESTION_KINDS[kind]:
            if parameter in ("title", "checker"):
                continue
            if parameter in given:
                keywords.append(ast.keyword(parameter, given[parameter]))
        args: list[ast.expr] = [given["title"]]
        if kind != "Discussion":
            args.append(
                ast.Call(
                    func=ast.Name("KeyedChecker", ast.Load()),
                    args=[ast.Constant(f"{lesson}.{name}")],
                    keywords=[],
                )
            )
        node.value = ast.Call(func=call.func, args=args, keywords=keywords)
    tree.body = [node for node in tree.body if _defined_name(node) not in checkers]
    tree.body = _without_unused_answers(tree.body, dropped)
    kept = sorted(
        name
        for name in map(_defined_name, tree.body)
        if name and name.lstrip("_").startswith("EXPECTED")
    )
    if kept:  # an answer that code shipped to students still uses
        raise ValueError(
            f"{lesson}: {', '.join(kept)} would ship: something other than a checker uses it"
        )
    for owner in [tree, *ast.walk(tree)]:  # worked examples show right answers, in helpers too
        if not isinstance(
            owner, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            continue
        first = owner.body[0] if owner.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            first.value.value = strip_docstring_examples(first.value.value)
    position = next(
        (
            i
            for i, node in enumerate(tree.body)
            if isinstance(node, ast.Import | ast.ImportFrom)
            and getattr(node, "module", "") != "__future__"
        ),
        0,
    )
    tree.body.insert(
        position,
        ast.ImportFrom(module="crmsim.exercises.key", names=[ast.alias("KeyedChecker")], level=0),
    )
    header = "# The student edition of this module: answers are checked against answer_key.json.\n"
    return header + ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def reference_answers(notebooks: Path = ROOT / "notebooks", timeout: float = 900) -> dict:
    """The answers the instructor notebooks check, by question id, from running them.

    Only a notebook's first cell and its exercise section run (from the cell importing the
    lesson's exercises on); a notebook whose exercises use earlier results is run whole.
    """
    from crmsim.exercises import grading

    answers: dict = {}
    for path in sorted(Path(notebooks).glob("*.ipynb")):
        lessons = grading.lessons_used(path)
        if not lessons:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [_source(c) for c in nb["cells"] if c.get("cell_type") == "code"]
        start = next(i for i, c in enumerate(cells) if LESSON_IMPORT.search(c))
        wanted = {q for lesson in lessons for q in grading.questions_of(lesson)}
        run = grading.run_notebook(path, timeout, [cells[0], *cells[start:]] if start else cells)
        if not wanted <= set(run.answers):
            run = grading.run_notebook(path, timeout)
        missing = wanted - set(run.answers)
        if missing:
            raise RuntimeError(f"{path.name} never checks {sorted(missing)}: {run.error}")
        answers.update({q: run.answers[q] for q in wanted})
    return answers


def build_package(out: Path, key: dict | None, src: Path = SRC, project: Path = ROOT) -> Path:
    """Copy the package into ``out/src`` with student exercise modules and the answer key."""
    target = Path(out) / "src" / "crmsim"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        Path(src) / "crmsim", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    for module in sorted((target / "exercises").glob("lesson_*.py")):
        module.write_text(student_module(module.read_text("utf-8"), module.stem), "utf-8")
    prune_exercise_catalogs(target)
    from crmsim.exercises.key import KEY_FILE, write_key

    write_key(key or {"salt": "", "questions": {}}, target / "exercises" / KEY_FILE)
    shutil.copy2(Path(project) / "pyproject.toml", Path(out) / "pyproject.toml")
    return target


def prune_exercise_catalogs(package: Path) -> list[str]:
    """Drop from the package's exercise catalogs every message its exercise modules no longer
    hold: the student modules have no solutions, model answers or checkers, and their
    translations must not ship either. Returns the messages dropped."""
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po, write_po

    from crmsim.i18n import EXTRACTION_KEYWORDS

    kept: set[tuple[str | tuple, str | None]] = set()
    for module in sorted((package / "exercises").glob("*.py")):
        for _line, message, _comments, context in extract_from_file(
            "python", module, keywords=EXTRACTION_KEYWORDS
        ):
            kept.add((message, context))
    dropped = []
    for path in sorted((package / "locale").glob("*/LC_MESSAGES/exercises*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in list(catalog):
            if message.id and (message.id, message.context) not in kept:
                dropped.append(message.id if isinstance(message.id, str) else message.id[0])
                catalog.delete(message.id, context=message.context)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0)
    return dropped


def copy_linked_docs(out: Path, project: Path = ROOT) -> list[Path]:
    """Copy the pages the edition's markdown links to; unlink what the edition does not hold.

    Pages under ``docs/`` (except :data:`INSTRUCTOR_DOCS`) and the images they show are copied
    to ``out/docs``; a link to anything else outside the edition keeps its text and loses its
    target. Returns the pages copied.
    """
    out, project = Path(out), Path(project)
    copied: list[Path] = []
    queue = sorted(out.glob("lessons/**/*.md")) + [out / "README.md"]
    seen: set[Path] = set()
    while queue:
        page = queue.pop(0)
        if page in seen or not page.exists():
            continue
        seen.add(page)
        origin = project / page.relative_to(out)
        text = page.read_text(encoding="utf-8")
        for match in MD_IMAGE.finditer(text):
            target = match.group("target").split("#")[0]
            if "://" in target:
                continue
            source = (origin.parent / target).resolve()
            destination = (page.parent / target).resolve()
            if source.is_file() and destination.is_relative_to(out.resolve()):
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)

        def relink(match: re.Match, page: Path = page, origin: Path = origin) -> str:
            target = match.group("target")
            path = target.split("#")[0]
            if not path or "://" in target or target.startswith("mailto:"):
                return match.group(0)
            inside = (page.parent / path).resolve()
            if inside.exists() and inside.is_relative_to(out.resolve()):
                return match.group(0)
            source = (origin.parent / path).resolve()
            docs = (project / "docs").resolve()
            if (
                source.is_file()
                and source.is_relative_to(docs)
                and source.name not in INSTRUCTOR_DOCS
            ):
                inside.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, inside)
                copied.append(inside)
                queue.append(inside)
                return match.group(0)
            return match.group("text")

        page.write_text(MD_LINK.sub(relink, text), encoding="utf-8")
    return copied


README = """# {title}: the student edition

This folder holds everything for the course: the reading for each lesson (`lessons/`), a
notebook per lesson with exercises (`notebooks/`), the pages they refer to (`docs/`) and the
simulator itself (`src/crmsim`).

## Set up (once)

You need Python 3.12 or newer. In a terminal, in this folder:

```bash
python3 -m venv .venv
source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
pip install -e ".[lab]"
```

## Start

```bash
source .venv/bin/activate
jupyter lab notebooks/
```

Open `notebooks/00_getting_started.ipynb` first; [`lessons/README.md`](lessons/README.md) lists
the lessons. Each lesson has a reading (`lessons/NN_*.md`) to read before the notebook.

## Exercises

At the end of each notebook, replace `...` with your answer and run the cell:
`ex.q1.check(answer)` says whether it is right and, if not, what to look at again;
`ex.q1.hint()` gives a hint. Answers are checked against an answer key that does not contain
them, so this edition has no worked solutions: ask your instructor.

Some questions ask for a prediction first: write it (one of the choices the question names) in
`ex.q4.predict(...)` *before* you run the model, then check what the run shows; the check waits
for a prediction, and a wrong one costs nothing: explaining it is the point. Answers in your own
words go between the triple quotes after `answer =`; `check()` only counts their words, and your
instructor marks them.

To hand in, save the notebook with your answers and submit the `.ipynb` file. It is graded by
running it from top to bottom, so check that *Run All* works before you submit.
"""


README_FA = """<div dir="rtl" lang="fa">

# crmsim: نسخهٔ دانشجو

این پوشه همهٔ آنچه را برای دوره لازم دارید در خود دارد: متن هر درس (`lessons/fa/`)، یک دفترچه
برای هر درس با تمرین‌هایش (`notebooks/fa/`)، صفحه‌هایی که به آن‌ها ارجاع می‌دهند (`docs/`) و خود
شبیه‌ساز (`src/crmsim`). نسخهٔ انگلیسی درس‌ها و دفترچه‌ها هم در `lessons/` و `notebooks/` هست.

## آماده‌سازی (یک بار)

به پایتون ۳٫۱۲ یا تازه‌تر نیاز دارید. در یک پایانه، در همین پوشه:

```bash
python3 -m venv .venv
source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
pip install -e ".[lab]"
```

## شروع

```bash
source .venv/bin/activate
jupyter lab notebooks/fa/
```

نخست `notebooks/fa/00_getting_started.ipynb` را باز کنید؛ فهرست درس‌ها در
[`lessons/fa/README.md`](lessons/fa/README.md) است. پیش از هر دفترچه، متن درسش
(`lessons/fa/NN_*.md`) را بخوانید. نخستین خانهٔ هر دفترچه زبان را فارسی می‌کند
(`crmsim.set_language("fa")`): نمودارها، بازخوردها و راهنمایی‌ها فارسی‌اند.

## تمرین‌ها

در پایان هر دفترچه، به جای `...` پاسخ خود را بنویسید و خانه را اجرا کنید: `ex.q1.check(answer)`
می‌گوید پاسخ درست است یا نه و اگر نیست، چه چیزی را دوباره ببینید؛ `ex.q1.hint()` راهنمایی می‌دهد.
پاسخ‌ها را می‌توانید به فارسی بنویسید: عددها با رقم فارسی، `٫` برای ممیز و `٪` برای درصد، و
نام مرحله‌ها و سطح‌های مشتری همان‌طور که در درس آمده‌اند. پاسخ‌ها با کلیدی سنجیده می‌شوند که
خودِ پاسخ‌ها در آن نیست، پس این نسخه پاسخ کامل ندارد: از استادتان بپرسید.

برخی پرسش‌ها اول یک پیش‌بینی می‌خواهند: آن را (یکی از گزینه‌هایی که پرسش نام می‌برد) *پیش از*
اجرای مدل در `ex.q4.predict(...)` بنویسید و سپس ببینید اجرا چه نشان می‌دهد؛ پیش‌بینی نادرست
هزینه‌ای ندارد و توضیح دادنش خودِ درس است. پاسخ‌هایی را که با کلمات خودتان می‌نویسید میان سه
گیومهٔ پس از `answer =` بگذارید؛ `check()` فقط واژه‌هایشان را می‌شمارد و استادتان به آن‌ها نمره می‌دهد.

برای تحویل، دفترچه را با پاسخ‌هایتان ذخیره کنید و پروندهٔ `.ipynb` را بفرستید. دفترچه با اجرای
همهٔ خانه‌ها از بالا به پایین نمره می‌گیرد، پس پیش از تحویل مطمئن شوید *Run All* کار می‌کند.

</div>
"""


def build(
    out: Path,
    notebooks: Path = ROOT / "notebooks",
    lessons: Path = ROOT / "lessons",
    key: dict | None = None,
    package: bool = True,
    language: str = "en",
) -> list[Path]:
    """Write the student edition into ``out``; return the notebooks written.

    ``key`` is the answer key to ship (see :func:`reference_answers` and
    :func:`crmsim.exercises.key.make_key`); without one the exercise modules report every
    answer as checked when graded. ``package=False`` leaves out the package. The edition
    holds both languages (the Persian notebooks of ``notebooks/fa`` and lessons of
    ``lessons/fa`` beside the English ones); ``language`` chooses whose README is
    ``README.md`` (the other one is ``README.<language>.md``).
    """
    out = Path(out)
    written = []
    for folder, target in (
        (Path(notebooks), out / "notebooks"),
        (Path(notebooks) / "fa", out / "notebooks" / "fa"),
    ):
        paths = sorted(folder.glob("*.ipynb"))
        if paths:
            target.mkdir(parents=True, exist_ok=True)
        for path in paths:
            notebook = json.loads(path.read_text(encoding="utf-8"))
            student = student_notebook(notebook, path.name)
            destination = target / path.name
            destination.write_text(
                json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            written.append(destination)
    if Path(lessons).is_dir():
        shutil.copytree(lessons, out / "lessons", dirs_exist_ok=True)
    readmes = {"en": README.format(title="crmsim"), "fa": README_FA}
    other = "fa" if language == "en" else "en"
    (out / "README.md").write_text(readmes[language], encoding="utf-8")
    (out / f"README.{other}.md").write_text(readmes[other], encoding="utf-8")
    copy_linked_docs(out, Path(lessons).resolve().parent)
    if package:
        build_package(out, key)
    return written


def key_answers(answers: dict, questions: dict) -> dict:
    """The answers the key is made from: in the form the checkers receive them
    (:meth:`~crmsim.exercises.core.Question.canonical`: a classification's items and labels as
    the question spells them, which is also how a student's answer reaches
    :class:`~crmsim.exercises.key.KeyedChecker`), discussions (marked by hand) left out.

    A prediction's entry is its measured answer; the prediction itself is never keyed.
    """
    from crmsim.exercises.core import Discussion

    return {
        qid: questions[qid].canonical(answer)
        for qid, answer in answers.items()
        if not isinstance(questions[qid], Discussion)
    }


def make_answer_key(notebooks: Path = ROOT / "notebooks", salt: str | None = None) -> dict:
    """The hashed answer key, made from what the instructor notebooks check now."""
    from crmsim.exercises import grading
    from crmsim.exercises.key import make_key

    answers = reference_answers(notebooks)
    questions = {}
    for qid in answers:
        questions[qid] = grading.questions_of(qid.split(".")[0])[qid]
    keyed = key_answers(answers, questions)
    titles = {qid: questions[qid].title for qid in keyed}
    return make_key(keyed, titles, salt if salt is not None else secrets.token_hex(16))


def write_rubrics(
    folder: Path = ROOT / "build" / "instructor", questions: dict | None = None
) -> Path:
    """Write ``folder/rubrics.md``: every discussion question's model answer and rubric.

    For the instructor, never for the student edition (it is written outside it).
    """
    from crmsim.exercises import grading

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rubrics.md"
    path.write_text(grading.rubrics_markdown(questions), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "student", help="output folder"
    )
    parser.add_argument(
        "--notebooks", type=Path, default=ROOT / "notebooks", help="instructor notebooks"
    )
    parser.add_argument(
        "--lessons", type=Path, default=ROOT / "lessons", help="lesson texts to copy"
    )
    parser.add_argument(
        "--no-key",
        action="store_true",
        help="skip running the instructor notebooks for the answer key (no checks offline)",
    )
    parser.add_argument("--salt", help="salt of the answer key's hashes (random by default)")
    parser.add_argument(
        "--lang",
        choices=("en", "fa"),
        default="en",
        help="the language of the edition's README.md (both languages' lessons and notebooks "
        "are in the edition either way)",
    )
    parser.add_argument(
        "--instructor",
        type=Path,
        default=ROOT / "build" / "instructor",
        help="folder for the instructor's rubrics.md (model answers and rubrics of the "
        "discussion questions); keep it apart from the edition (default build/instructor)",
    )
    args = parser.parse_args(argv)
    if args.instructor.resolve().is_relative_to(args.out.resolve()):
        print("make_student: --instructor must not be inside --out", file=sys.stderr)
        return 2
    try:
        key = None if args.no_key else make_answer_key(args.notebooks, args.salt)
        written = build(args.out, args.notebooks, args.lessons, key=key, language=args.lang)
    except SolutionMarkerError as err:
        print(f"make_student: {err}", file=sys.stderr)
        return 1
    rubrics = write_rubrics(args.instructor)
    print(
        f"student edition: {len(written)} notebooks in {args.out / 'notebooks'}, lessons in "
        f"{args.out / 'lessons'}; for the instructor only: {rubrics}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
