"""The exercises' Persian writes numbers in Persian digits, and leaves code as it is.

In Persian prose a number is written ``۰۱۲۳۴۵۶۷۸۹``, with ``٫``, ``٬`` and ``٪``, as
:func:`crmsim.i18n.format_number` writes the figures around it. Code keeps the ASCII digits
Python reads: a backtick span, a ``{placeholder}`` field, and in a worked solution (the
``solution=`` of a question, Python the learner runs) every line but its ``#`` comment, and any
line kept as the English has it (comment and all, as the lessons' own i18n tests ask). A
discussion's solution is a model answer in prose, so all of it is prose. The tests check the
three Persian exercise catalogs both ways, since an earlier automatic conversion once changed
digits inside solution code:

- with the code taken out, no Persian message has an ASCII digit, and no backtick span in it a
  Persian one;
- a solution's Persian has the code of its English, line for line: only comments differ, so
  the translated solution runs the same code.
"""

from __future__ import annotations

import importlib
import re

import pytest
from catalogs import catalog_file

from crmsim.exercises import Discussion, Question

CATALOGS = ("exercises_00_03", "exercises_04_07", "exercises_08_11")
#: Code inside prose: a backtick span or a ``str.format`` field.
CODE_SPAN = re.compile(r"`[^`]*`|\{\w+\}")
#: One line of a solution: its code, then its ``#`` comment (a ``#`` inside quotes is code).
LINE = re.compile(r"""((?:[^'"#]|'[^']*'|"[^"]*")*)(#.*)?""")
WESTERN_DIGITS = re.compile(r".{0,25}[0-9].{0,25}")
#: Persian digits and the Persian decimal and thousands marks, which Python does not read.
PERSIAN_DIGITS = re.compile(r"[۰-۹٫٬]")


def _solutions() -> set[str]:
    """The English of every solution that is code: that of every question but a discussion."""
    lessons = [importlib.import_module(f"crmsim.exercises.lesson_{n:02d}") for n in range(12)]
    return {
        value.solution_text
        for lesson in lessons
        for value in vars(lesson).values()
        if isinstance(value, Question) and not isinstance(value, Discussion)
    }


def _entries() -> list[tuple[str, str, str]]:
    """``(where, English, Persian)`` for every message of the Persian exercise catalogs."""
    return [
        (f"{name}.po:{message.lineno}", message.id, message.string)
        for name in CATALOGS
        for message in catalog_file(f"{name}.po")
    ]


SOLUTIONS = _solutions()
ENTRIES = _entries()


def _split(solution: str) -> tuple[list[str], str]:
    """A solution's code lines (blank and comment-only lines left out) and its comments."""
    code, comments = [], []
    for line in solution.split("\n"):
        parts = LINE.fullmatch(line)
        text, comment = (parts[1], parts[2] or "") if parts else (line, "")
        if text.strip():
            code.append(text.rstrip())
        comments.append(comment)
    return code, "\n".join(comments)


@pytest.mark.parametrize(
    ("english", "persian"),
    [pytest.param(english, persian, id=where) for where, english, persian in ENTRIES],
)
def test_persian_prose_writes_numbers_in_persian_digits(english: str, persian: str) -> None:
    prose = persian
    if english in SOLUTIONS:  # the comments of the lines written for the Persian
        kept = english.split("\n")
        prose = _split("\n".join(line for line in persian.split("\n") if line not in kept))[1]
    found = WESTERN_DIGITS.findall(CODE_SPAN.sub("", prose))
    assert not found, f"ASCII digits in Persian prose (not code, not in backticks): {found}"
    code = [span for span in CODE_SPAN.findall(prose) if PERSIAN_DIGITS.search(span)]
    assert not code, f"Persian digits in code: {code}"


@pytest.mark.parametrize(
    ("english", "persian"),
    [pytest.param(en, fa, id=where) for where, en, fa in ENTRIES if en in SOLUTIONS],
)
def test_a_translated_solution_runs_the_english_code(english: str, persian: str) -> None:
    assert _split(persian)[0] == _split(english)[0], "the code differs, not just the comments"


def test_the_solutions_are_found_in_the_catalogs() -> None:
    assert sum(english in SOLUTIONS for _where, english, _persian in ENTRIES) > 30
