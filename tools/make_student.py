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

Notebooks are written to ``OUT/notebooks`` and the reading in ``lessons/`` is
copied to ``OUT/lessons``, so the lessons' relative links keep working.

Usage::

    python tools/make_student.py --out build/student
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BEGIN = re.compile(r"^(?P<indent>\s*)#+\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
ANSWER_ASSIGNMENT = re.compile(r"^\s*(?P<name>answer\w*|\w+_answer)\s*(?::[^=]+)?=(?!=)")
ONE_LINE_SOLUTION = re.compile(r"^(?P<lhs>\s*[\w.\[\]'\", ]+?\s*=)(?!=).*#\s*SOLUTION\s*$")
ASSERTED_CHECK = re.compile(r"^(?P<indent>\s*)assert\s+(?P<call>[\w.]+\.check\(.*\))\s*$")
MD_SOLUTION = re.compile(r"<!--\s*BEGIN SOLUTION\s*-->.*?<!--\s*END SOLUTION\s*-->", re.DOTALL)
MD_MARKER = re.compile(r"<!--\s*(BEGIN|END) SOLUTION\s*-->")

CODE_PROMPT = "# YOUR CODE HERE"
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
                names: list[str] = []
                for solution_line in block:
                    match = ANSWER_ASSIGNMENT.match(solution_line)
                    if match and match.group("name") not in names:
                        names.append(match.group("name"))
                out.extend(f"{indent}{name} = ..." for name in names)
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


def student_notebook(notebook: dict, name: str = "notebook") -> dict:
    """A copy of a notebook (as parsed JSON) with solutions removed and outputs cleared."""
    nb = json.loads(json.dumps(notebook))
    for index, cell in enumerate(nb.get("cells", [])):
        where = f"{name}, cell {index}"
        if cell.get("cell_type") == "code":
            cell["source"] = strip_code(_source(cell), where)
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)
        elif cell.get("cell_type") == "markdown":
            cell["source"] = strip_markdown(_source(cell), where)
    nb.setdefault("metadata", {})["crmsim_edition"] = "student"
    return nb


def build(
    out: Path, notebooks: Path = ROOT / "notebooks", lessons: Path = ROOT / "lessons"
) -> list[Path]:
    """Write the student edition into ``out``; return the notebooks written."""
    out = Path(out)
    written = []
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(notebooks).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        student = student_notebook(notebook, path.name)
        destination = target / path.name
        destination.write_text(
            json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(destination)
    if Path(lessons).is_dir():
        shutil.copytree(lessons, out / "lessons", dirs_exist_ok=True)
    return written


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
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.notebooks, args.lessons)
    except SolutionMarkerError as err:
        print(f"make_student: {err}", file=sys.stderr)
        return 1
    print(
        f"student edition: {len(written)} notebooks in {args.out / 'notebooks'}, lessons in "
        f"{args.out / 'lessons'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
